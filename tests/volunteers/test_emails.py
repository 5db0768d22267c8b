"""Every kind of volunteer message, composed as the outbox composes it: an email in Japanese for
someone with an address, a call with what to say for someone with only a phone, nothing for
someone who withdrew; and composing costs a couple of queries, whatever the kind."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from outbox import registry
from outbox.models import Message
from volunteers import emails
from volunteers.models import HoursEntry, SignUp, Volunteer

from .factories import VolunteerFactory, make_opportunity

pytestmark = pytest.mark.django_db

VOLUNTEER_KINDS = [
    emails.REGISTERED,
    emails.ALREADY_REGISTERED,
    emails.APPROVED,
    emails.MANAGE_LINK,
    emails.SIGNUP_LINK,
]
SIGNUP_KINDS = [
    emails.SIGNUP_CONFIRMED,
    emails.SIGNUP_WAITLISTED,
    emails.PROMOTED,
    emails.REMINDER,
    emails.THANKS,
]
# Composing reads the person or sign-up (one query) and the town's signature (one); a link to
# sign up also reads the shift. Anything more would be a deferred field loaded one by one.
QUERIES = {emails.SIGNUP_LINK: 3}


def _message(kind: str, volunteer: Volunteer, shift) -> Message:
    """An unsaved row of ``kind`` about ``volunteer``, with the records it needs in place."""
    if kind in VOLUNTEER_KINDS or kind == emails.NEW_REGISTRATION:
        object_id = f"{volunteer.pk}:{shift.pk}" if kind == emails.SIGNUP_LINK else volunteer.pk
        return Message(kind=kind, object_id=str(object_id))
    waiting = kind == emails.SIGNUP_WAITLISTED
    signup = SignUp.objects.create(
        volunteer=volunteer,
        shift=shift,
        status=SignUp.Status.WAITLISTED if waiting else SignUp.Status.CONFIRMED,
    )
    if kind == emails.THANKS:
        HoursEntry.objects.create(
            volunteer=volunteer, signup=signup, date=shift.date, hours=2, source="shift"
        )
    key = emails.reminder_key(signup.pk, shift) if kind == emails.REMINDER else None
    return Message(kind=kind, object_id=str(signup.pk), key=key)


@pytest.fixture
def shift():
    later = timezone.localdate() + dt.timedelta(days=3)
    page = make_opportunity(
        title="ゆり畑の手伝い", address="和泊町喜美留", shifts=[{"date": later}]
    )
    return page.shifts.get()


def _compose(message: Message) -> registry.Outcome:
    return registry.get(message.kind).compose(message)


@pytest.mark.parametrize("kind", VOLUNTEER_KINDS + SIGNUP_KINDS)
def test_someone_with_an_address_gets_an_email_in_japanese(kind, shift):
    volunteer = VolunteerFactory(name="島 ゆり子", email="yuriko@example.jp")
    message = _message(kind, volunteer, shift)
    _compose(message)  # the site's root paths are cached after the first page URL

    with CaptureQueriesContext(connection) as queries:
        email = _compose(message)

    assert isinstance(email, registry.Email), email
    assert email.to == ["yuriko@example.jp"]
    assert "ボランティア" in email.subject and "島 ゆり子" in email.body
    assert len(queries) <= QUERIES.get(kind, 2), [q["sql"] for q in queries]


@pytest.mark.parametrize("kind", VOLUNTEER_KINDS + SIGNUP_KINDS)
def test_someone_with_only_a_phone_is_telephoned_and_told_in_japanese(kind, shift):
    volunteer = VolunteerFactory(name="電話 だけ", email="", phone="0997-84-0001")

    call = _compose(_message(kind, volunteer, shift))

    assert isinstance(call, registry.Call), call
    assert (call.name, call.phone) == ("電話 だけ", "0997-84-0001")
    assert call.summary and not re.search("[A-Za-z]{3,}", call.summary), call.summary
    if kind in SIGNUP_KINDS + [emails.SIGNUP_LINK]:
        assert "ゆり畑の手伝い" in call.summary and "和泊町喜美留" in call.summary


@pytest.mark.parametrize("kind", VOLUNTEER_KINDS + SIGNUP_KINDS + [emails.NEW_REGISTRATION])
def test_nothing_goes_to_someone_who_has_withdrawn(kind, shift):
    volunteer = VolunteerFactory(status=Volunteer.Status.PENDING)
    message = _message(kind, volunteer, shift)
    Volunteer.objects.filter(pk=volunteer.pk).update(status=Volunteer.Status.WITHDRAWN)

    outcome = _compose(message)

    assert outcome == registry.Drop("このボランティアは退会しました。")


def test_coordinators_get_the_new_registration_without_personal_details(shift, django_user_model):
    django_user_model.objects.create_superuser("boss", "boss@example.jp", "x")
    volunteer = VolunteerFactory(
        name="新人 さん", email="new@example.jp", status=Volunteer.Status.PENDING
    )

    email = _compose(Message(kind=emails.NEW_REGISTRATION, object_id=str(volunteer.pk)))

    assert email.to == ["boss@example.jp"]
    assert f"/admin/volunteer_register/inspect/{volunteer.pk}/" in email.body
    assert "新人" not in email.body + email.subject and "new@" not in email.body


def test_every_kind_is_registered_with_a_japanese_label():
    kinds = VOLUNTEER_KINDS + SIGNUP_KINDS + [emails.NEW_REGISTRATION]
    labels = dict(registry.choices())

    assert all(labels[kind].startswith("ボランティア：") for kind in kinds), labels
