"""Sign-ups: slots, the waiting list, promotion on cancel, and the emails each step sends.

The clock is set to the morning (``morning``), so tomorrow's reminder is not yet due and each
step's email is the only one (test_reminders.py covers the reminder).
"""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from outbox import registry
from outbox import services as outbox
from outbox.models import Message
from volunteers import emails, services
from volunteers.models import SignUp, Volunteer

from .factories import VolunteerFactory, make_opportunity

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("morning")]


@pytest.fixture
def shift():
    return make_opportunity(title="浜のごみ拾い", shifts=[{"slots": 1}]).shifts.get()


def _sign_up(volunteer, shift, capture):
    with capture(execute=True):
        return services.signup_create(volunteer=volunteer, shift=shift)


def test_the_first_volunteer_gets_the_slot_and_a_confirmation_email(
    shift, django_capture_on_commit_callbacks
):
    volunteer = VolunteerFactory(name="浜田 花子")

    signup = _sign_up(volunteer, shift, django_capture_on_commit_callbacks)

    assert signup.status == SignUp.Status.CONFIRMED
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [volunteer.email]
    assert "浜のごみ拾い" in message.body
    assert "/volunteers/cancel/" in message.body


def test_when_the_slots_are_taken_the_next_one_waits(shift, django_capture_on_commit_callbacks):
    _sign_up(VolunteerFactory(), shift, django_capture_on_commit_callbacks)

    second = _sign_up(VolunteerFactory(), shift, django_capture_on_commit_callbacks)

    assert second.status == SignUp.Status.WAITLISTED
    assert SignUp.objects.confirmed().filter(shift=shift).count() == 1
    assert "キャンセル待ち" in mail.outbox[-1].subject


def test_signing_up_twice_returns_the_same_sign_up(shift, django_capture_on_commit_callbacks):
    volunteer = VolunteerFactory()
    first = _sign_up(volunteer, shift, django_capture_on_commit_callbacks)

    again = _sign_up(volunteer, shift, django_capture_on_commit_callbacks)

    assert again.pk == first.pk
    assert SignUp.objects.filter(volunteer=volunteer).count() == 1
    assert Message.objects.filter(kind=emails.SIGNUP_CONFIRMED).count() == 1
    assert len(mail.outbox) == 1


def test_someone_with_only_a_phone_is_on_the_call_list_instead_of_skipped(
    shift, django_capture_on_commit_callbacks
):
    volunteer = VolunteerFactory(name="電話 だけ", email="", phone="0997-84-5555")

    signup = _sign_up(volunteer, shift, django_capture_on_commit_callbacks)

    confirmation = Message.objects.get(kind=emails.SIGNUP_CONFIRMED)
    assert confirmation.status == Message.Status.TO_CALL
    assert confirmation.object_id == str(signup.pk) and mail.outbox == []
    call = registry.get(emails.SIGNUP_CONFIRMED).compose(confirmation)
    assert call.phone == "0997-84-5555" and "浜のごみ拾い" in call.summary


def test_a_waiting_list_email_not_sent_before_the_move_up_is_dropped(
    shift, django_capture_on_commit_callbacks
):
    first = _sign_up(VolunteerFactory(), shift, django_capture_on_commit_callbacks)
    waiting = services.signup_create(volunteer=VolunteerFactory(), shift=shift)  # not sent yet
    with django_capture_on_commit_callbacks(execute=True):
        services.signup_cancel(signup=first)

    queued = Message.objects.get(kind=emails.SIGNUP_WAITLISTED)
    assert outbox.deliver_one(queued.pk) == "cancelled"

    queued.refresh_from_db()
    assert "キャンセル待ち" in queued.reason
    assert [m.to for m in mail.outbox if "キャンセル待ち" in m.subject] == []
    assert mail.outbox[-1].to == [waiting.volunteer.email]


def test_cancelling_promotes_the_longest_waiting_and_emails_them(
    shift, django_capture_on_commit_callbacks
):
    first = _sign_up(VolunteerFactory(), shift, django_capture_on_commit_callbacks)
    waiting_long = _sign_up(VolunteerFactory(), shift, django_capture_on_commit_callbacks)
    waiting_short = _sign_up(VolunteerFactory(), shift, django_capture_on_commit_callbacks)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.signup_cancel(signup=first)

    waiting_long.refresh_from_db()
    waiting_short.refresh_from_db()
    assert waiting_long.status == SignUp.Status.CONFIRMED
    assert waiting_long.promoted_at is not None
    assert waiting_short.status == SignUp.Status.WAITLISTED
    assert [m.to for m in mail.outbox] == [[waiting_long.volunteer.email]]
    assert "繰り上げ" in mail.outbox[0].subject or "空き" in mail.outbox[0].subject


def test_leaving_the_waiting_list_promotes_nobody(shift, django_capture_on_commit_callbacks):
    _sign_up(VolunteerFactory(), shift, django_capture_on_commit_callbacks)
    waiting = _sign_up(VolunteerFactory(), shift, django_capture_on_commit_callbacks)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.signup_cancel(signup=waiting)

    assert SignUp.objects.confirmed().filter(shift=shift).count() == 1
    assert mail.outbox == []


@pytest.mark.parametrize(
    "status", [Volunteer.Status.PENDING, Volunteer.Status.PAUSED, Volunteer.Status.WITHDRAWN]
)
def test_only_active_volunteers_can_sign_up(shift, status):
    volunteer = VolunteerFactory(status=status, phone="0997-84-0000")

    with pytest.raises(ValidationError) as error:
        services.signup_create(volunteer=volunteer, shift=shift)

    assert error.value.code == "inactive"
    assert not SignUp.objects.exists()


def test_a_shift_that_has_started_can_be_neither_joined_nor_cancelled():
    now = timezone.localtime()
    started = make_opportunity(
        shifts=[{"date": now.date(), "starts_at": dt.time(0), "ends_at": dt.time(23, 59)}]
    ).shifts.get()
    signup = SignUp.objects.create(
        volunteer=VolunteerFactory(), shift=started, status=SignUp.Status.CONFIRMED
    )

    with pytest.raises(ValidationError):
        services.signup_create(volunteer=VolunteerFactory(), shift=started)
    with pytest.raises(ValidationError):
        services.signup_cancel(signup=signup)


def test_an_unpublished_opportunity_takes_no_sign_ups():
    draft = make_opportunity(publish=False).shifts.get()

    with pytest.raises(ValidationError) as error:
        services.signup_create(volunteer=VolunteerFactory(), shift=draft)

    assert error.value.code == "closed"


def test_publishing_more_slots_moves_waiting_volunteers_up(
    shift, django_capture_on_commit_callbacks
):
    _sign_up(VolunteerFactory(), shift, django_capture_on_commit_callbacks)
    waiting = _sign_up(VolunteerFactory(), shift, django_capture_on_commit_callbacks)
    page = shift.opportunity.specific
    page.shifts.get().slots = 2  # the in-memory relation the editor's form would save
    edited = page.shifts.all()[0]
    edited.slots = 2
    page.shifts = [edited]

    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()

    waiting.refresh_from_db()
    assert waiting.status == SignUp.Status.CONFIRMED


def test_an_unknown_email_gets_no_link_and_a_known_one_does(
    shift, django_capture_on_commit_callbacks
):
    volunteer = VolunteerFactory(email="known@example.jp")

    with django_capture_on_commit_callbacks(execute=True):
        services.signup_request(shift=shift, email="unknown@example.jp")
        services.signup_request(shift=shift, email="known@example.jp")

    assert [m.to for m in mail.outbox] == [[volunteer.email]]
    assert "/volunteers/confirm/" in mail.outbox[0].body


def test_link_emails_are_throttled_per_address(shift, django_capture_on_commit_callbacks):
    VolunteerFactory(email="busy@example.jp")

    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(services.LINK_EMAILS_PER_HOUR + 3):
            services.signup_request(shift=shift, email="busy@example.jp")

    assert len(mail.outbox) == services.LINK_EMAILS_PER_HOUR
