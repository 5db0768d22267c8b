"""Withdrawal erases the person and keeps anonymous counts; their places go to the waiting list,
and nothing more is sent to them."""

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from outbox import services as outbox
from outbox.models import Message
from outbox.services import Spec
from tests.resources.factories import AreaFactory, TermFactory
from volunteers import emails, services
from volunteers.links import Purpose, link_token
from volunteers.models import HoursEntry, SignUp, Volunteer

from .factories import VolunteerFactory, make_opportunity


@pytest.mark.django_db
@pytest.mark.usefixtures("morning")  # tomorrow's reminder not yet due: one email to count
def test_withdrawing_erases_personal_data_and_keeps_counts(
    client, django_capture_on_commit_callbacks, django_user_model
):
    volunteer = VolunteerFactory(
        name="辞める 人",
        kana="やめる ひと",
        phone="0997-11-2222",
        area=AreaFactory(),
        skills=[TermFactory()],
        languages="英語",
        notes="メモ",
        public_profile=True,
        display_name="やめ",
        public_message="ひとこと",
        slots=[(1, "morning")],
        status=Volunteer.Status.PENDING,
    )
    services.volunteer_approve(
        volunteer=volunteer, by=django_user_model.objects.create_user("staff")
    )
    shift = make_opportunity(shifts=[{"slots": 1}]).shifts.get()
    mine = SignUp.objects.create(volunteer=volunteer, shift=shift, status="confirmed")
    waiting = SignUp.objects.create(volunteer=VolunteerFactory(), shift=shift, status="waitlisted")
    HoursEntry.objects.create(
        volunteer=volunteer, date="2026-04-01", hours=2, source="self", description="浜で拾った"
    )
    old_calendar = volunteer.calendar_token
    client.post(
        reverse(
            "volunteers:link_manage", args=[link_token(purpose=Purpose.MANAGE, volunteer=volunteer)]
        )
    )
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("volunteers:me_withdraw"))

    assert "個人情報を消去しました" in response.content.decode()
    volunteer.refresh_from_db()
    assert volunteer.status == Volunteer.Status.WITHDRAWN
    for field in (
        "name",
        "kana",
        "email",
        "phone",
        "languages",
        "notes",
        "display_name",
        "public_message",
    ):
        assert getattr(volunteer, field) == "", field
    assert volunteer.area is None and volunteer.availability == 0
    assert not volunteer.skills.exists() and not volunteer.public_profile
    # Anonymous counts stay: the sign-up (cancelled) and the hours, without the description.
    mine.refresh_from_db()
    assert mine.status == SignUp.Status.CANCELLED
    entry = HoursEntry.objects.get(volunteer=volunteer)
    assert entry.hours == 2 and entry.description == ""
    # Their place went to the person waiting, who was told.
    waiting.refresh_from_db()
    assert waiting.status == SignUp.Status.CONFIRMED
    assert [m.to for m in mail.outbox] == [[waiting.volunteer.email]]
    # Links, session, calendar and admin history no longer carry or reach the person.
    assert client.get(reverse("volunteers:me")).status_code == 302
    assert client.get(reverse("volunteers:calendar", args=[old_calendar])).status_code == 404
    labels = ModelLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Volunteer), object_id=str(volunteer.pk)
    ).values_list("label", flat=True)
    assert labels and all("辞める" not in label for label in labels)


@pytest.mark.django_db
def test_withdrawing_cancels_every_message_still_queued_for_the_person(
    morning, django_capture_on_commit_callbacks
):
    volunteer = VolunteerFactory(status=Volunteer.Status.PENDING)
    with django_capture_on_commit_callbacks(execute=False):  # queued, the bell never rang
        volunteer = services.volunteer_approve(volunteer=volunteer, by=None)
    upcoming = services.signup_create(volunteer=volunteer, shift=make_opportunity().shifts.get())
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    past = SignUp.objects.create(
        volunteer=volunteer,
        shift=make_opportunity(shifts=[{"date": yesterday}]).shifts.get(),
        status=SignUp.Status.CONFIRMED,
    )
    services.signup_thanks_claim()
    someone_else = services.signup_create(
        volunteer=VolunteerFactory(), shift=make_opportunity().shifts.get()
    )
    assert set(Message.objects.values_list("status", flat=True)) == {Message.Status.PENDING}

    services.volunteer_withdraw(volunteer=volunteer)

    mine = Message.objects.filter(
        topic__in=[f"volunteer:{volunteer.pk}", f"signup:{upcoming.pk}", f"signup:{past.pk}"]
    )
    assert sorted(mine.values_list("kind", flat=True)) == sorted(
        [emails.APPROVED, emails.SIGNUP_CONFIRMED, emails.REMINDER, emails.THANKS]
    )
    assert set(mine.values_list("status", flat=True)) == {Message.Status.CANCELLED}
    assert {m.status for m in Message.objects.filter(topic=f"signup:{someone_else.pk}")} == {
        Message.Status.PENDING
    }
    outbox.sweep(now=timezone.now() + dt.timedelta(days=2))
    # Their confirmation and reminder; nothing to the person who withdrew.
    assert [m.to for m in mail.outbox] == [[someone_else.volunteer.email]] * 2


@pytest.mark.django_db
def test_a_message_that_escaped_the_cancel_drops_itself_for_a_withdrawn_volunteer():
    volunteer = VolunteerFactory()
    signup = SignUp.objects.create(
        volunteer=volunteer, shift=make_opportunity().shifts.get(), status=SignUp.Status.CONFIRMED
    )
    rows = [
        outbox.enqueue(Spec(kind=emails.APPROVED, object_id=volunteer.pk)),
        outbox.enqueue(Spec(kind=emails.REMINDER, object_id=signup.pk)),
    ]
    Volunteer.objects.filter(pk=volunteer.pk).update(status=Volunteer.Status.WITHDRAWN)

    assert [outbox.deliver_one(row.pk) for row in rows] == ["cancelled", "cancelled"]
    assert {r.reason for r in Message.objects.all()} == {"このボランティアは退会しました。"}
    assert mail.outbox == []
