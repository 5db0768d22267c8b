"""Day-before reminders (queued in the outbox when a sign-up is confirmed) and thank-yous (queued
by the hourly sweep that logs hours): due ones only, never twice, dropped when not needed."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from outbox import registry
from outbox.models import Message
from outbox.services import deliver_one
from tests.resources.factories import OrganizationFactory
from volunteers import emails, services, tasks
from volunteers.models import HoursEntry, SignUp

from .conftest import local, send_due
from .factories import VolunteerFactory, make_opportunity, tomorrow

pytestmark = pytest.mark.django_db

PHONE_ONLY = {"email": "", "phone": "0997-84-1234"}


def _sign_up(capture, shift, **volunteer):
    with capture(execute=True):
        return services.signup_create(volunteer=VolunteerFactory(**volunteer), shift=shift)


def _reminders():
    return Message.objects.filter(kind=emails.REMINDER)


def _the_day_before(shift) -> dt.datetime:
    return local(shift.date - dt.timedelta(days=1), services.REMINDER_AT)


def test_a_confirmed_sign_up_is_reminded_the_day_before_at_ten_and_only_then(
    morning, django_capture_on_commit_callbacks
):
    shift = make_opportunity(title="ゆり畑の手伝い").shifts.get()
    signup = _sign_up(django_capture_on_commit_callbacks, shift, name="明日 来る")

    reminder = _reminders().get()
    assert reminder.status == Message.Status.PENDING
    assert reminder.object_id == str(signup.pk) and reminder.topic == f"signup:{signup.pk}"
    assert reminder.due_at == _the_day_before(shift)
    assert reminder.expires_at == shift.starts  # useless once the shift has started
    assert len(mail.outbox) == 1 and "申込が確定しました" in mail.outbox[0].subject
    assert send_due(morning).get("claimed", 0) == 0  # not before its time

    send_due(_the_day_before(shift))
    send_due(_the_day_before(shift) + dt.timedelta(hours=1))  # the next sweep

    reminder.refresh_from_db()
    assert reminder.status == Message.Status.SENT and reminder.attempts == 1
    (message,) = [m for m in mail.outbox if "明日の活動のお知らせ" in m.subject]
    assert message.to == [signup.volunteer.email]
    assert message.extra_headers["Message-ID"] == reminder.message_id
    assert "ゆり畑の手伝い" in message.body and "/volunteers/cancel/" in message.body
    assert "明日 来る" in message.body


def test_signing_up_after_ten_the_day_before_is_reminded_at_once(
    evening, django_capture_on_commit_callbacks
):
    signup = _sign_up(django_capture_on_commit_callbacks, make_opportunity().shifts.get())

    assert _reminders().get().status == Message.Status.SENT
    assert [m.to for m in mail.outbox] == [[signup.volunteer.email]] * 2
    assert "明日の活動のお知らせ" in mail.outbox[1].subject


def test_signing_up_on_the_day_itself_queues_no_reminder(
    morning, django_capture_on_commit_callbacks
):
    today = make_opportunity(
        shifts=[{"date": timezone.localdate(), "starts_at": dt.time(15), "ends_at": dt.time(17)}]
    ).shifts.get()

    _sign_up(django_capture_on_commit_callbacks, today)

    assert not _reminders().exists()
    assert len(mail.outbox) == 1  # the confirmation says it all


def test_waiting_is_not_reminded_but_moving_up_is(morning, django_capture_on_commit_callbacks):
    shift = make_opportunity(shifts=[{"slots": 1}]).shifts.get()
    first = _sign_up(django_capture_on_commit_callbacks, shift)
    waiting = _sign_up(django_capture_on_commit_callbacks, shift)
    assert list(_reminders().values_list("object_id", flat=True)) == [str(first.pk)]

    with django_capture_on_commit_callbacks(execute=True):
        services.signup_cancel(signup=first)

    reminders = dict(_reminders().values_list("object_id", "status"))
    assert reminders == {str(first.pk): "cancelled", str(waiting.pk): "pending"}


def test_publishing_again_queues_no_second_reminder(morning, django_capture_on_commit_callbacks):
    page = make_opportunity()
    _sign_up(django_capture_on_commit_callbacks, page.shifts.get())

    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            page.save_revision().publish()
    assert services.shift_reminders_schedule(shifts=page.shifts.all()) == 0

    assert _reminders().count() == 1


def test_a_moved_shift_gets_a_reminder_for_its_new_day_and_the_old_one_drops(
    morning, django_capture_on_commit_callbacks
):
    page = make_opportunity(title="浜の清掃")
    shift = page.shifts.get()
    signup = _sign_up(django_capture_on_commit_callbacks, shift)
    later = shift.date + dt.timedelta(days=3)
    page.shifts = [shift]
    shift.date = later

    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()
    shift.refresh_from_db()
    assert shift.date == later

    old, new = _reminders().order_by("pk")
    assert new.due_at == _the_day_before(shift) and new.expires_at == shift.starts
    send_due(old.due_at)
    old.refresh_from_db()
    assert old.status == Message.Status.CANCELLED and "変更" in old.reason
    send_due(new.due_at)
    new.refresh_from_db()
    assert new.status == Message.Status.SENT
    (reminder,) = [m for m in mail.outbox if "お知らせ" in m.subject]
    assert reminder.to == [signup.volunteer.email]


def test_cancelling_cancels_the_reminder_and_a_sign_up_changed_behind_its_back_drops_it(
    morning, django_capture_on_commit_callbacks
):
    shift = make_opportunity(shifts=[{"slots": 3}]).shifts.get()
    cancelled = _sign_up(django_capture_on_commit_callbacks, shift)
    changed = _sign_up(django_capture_on_commit_callbacks, shift)
    with django_capture_on_commit_callbacks(execute=True):
        services.signup_cancel(signup=cancelled)
    SignUp.objects.filter(pk=changed.pk).update(status=SignUp.Status.CANCELLED)
    mail.outbox.clear()

    send_due(_the_day_before(shift))

    reasons = dict(_reminders().values_list("object_id", "reason"))
    assert set(_reminders().values_list("status", flat=True)) == {Message.Status.CANCELLED}
    assert "取り消" in reasons[str(cancelled.pk)]
    assert "確定" in reasons[str(changed.pk)]
    assert mail.outbox == []


def test_an_unpublished_opportunity_sends_no_reminder(morning, django_capture_on_commit_callbacks):
    page = make_opportunity()
    _sign_up(django_capture_on_commit_callbacks, page.shifts.get())
    page.unpublish()

    send_due(_the_day_before(page.shifts.get()))

    assert _reminders().get().status == Message.Status.CANCELLED
    assert not [m for m in mail.outbox if "お知らせ" in m.subject]


def test_a_reminder_held_up_until_the_day_says_today_and_one_past_the_start_expires(
    morning, django_capture_on_commit_callbacks
):
    shift = make_opportunity(
        shifts=[{"date": tomorrow(), "starts_at": dt.time(13), "ends_at": dt.time(15)}]
    ).shifts.get()
    late, too_late = (_sign_up(django_capture_on_commit_callbacks, shift) for _ in range(2))
    late_row, too_late_row = (_reminders().get(object_id=str(s.pk)) for s in (late, too_late))

    # The mail server was down all evening: one goes the next morning, one after the start.
    with time_machine.travel(local(shift.date, dt.time(9)), tick=True):
        assert deliver_one(late_row.pk) == "sent"
    with time_machine.travel(local(shift.date, dt.time(13, 5)), tick=True):
        assert deliver_one(too_late_row.pk) == "expired"

    (message,) = [m for m in mail.outbox if "お知らせ" in m.subject]
    assert "今日の活動のお知らせ" in message.subject and "今日" in message.body
    too_late_row.refresh_from_db()
    assert too_late_row.status == Message.Status.EXPIRED and too_late_row.reason


def test_someone_with_only_a_phone_is_put_on_the_call_list_with_what_to_say(
    morning, django_capture_on_commit_callbacks
):
    page = make_opportunity(title="ゆり畑の手伝い", address="和泊町喜美留 123")
    shift = page.shifts.get()
    signup = _sign_up(django_capture_on_commit_callbacks, shift, name="電話 さん", **PHONE_ONLY)

    send_due(_the_day_before(shift))

    assert mail.outbox == []
    statuses = dict(Message.objects.values_list("kind", "status"))
    assert statuses == {emails.SIGNUP_CONFIRMED: "to_call", emails.REMINDER: "to_call"}
    call = registry.get(emails.REMINDER).compose(_reminders().get())
    assert (call.name, call.phone) == ("電話 さん", "0997-84-1234")
    assert "明日" in call.summary and "ゆり畑の手伝い" in call.summary
    assert "和泊町喜美留 123" in call.summary and "10:00〜12:00" in call.summary
    assert signup.volunteer.name not in call.summary  # the list shows it once, beside the number


# --- Thank-yous


def _signup(shift, status=SignUp.Status.CONFIRMED, **volunteer):
    return SignUp.objects.create(
        volunteer=VolunteerFactory(**volunteer), shift=shift, status=status
    )


def _thanks_sweep(capture, at):
    with time_machine.travel(at, tick=True), capture(execute=True):
        tasks.send_shift_thanks.delay()


def test_after_the_shift_hours_are_logged_and_one_thank_you_asks_to_confirm_them(
    django_capture_on_commit_callbacks,
):
    organization = OrganizationFactory(name="浜の会")
    shift = make_opportunity(
        organization=organization,
        shifts=[{"date": tomorrow(), "starts_at": dt.time(9), "ends_at": dt.time(11, 30)}],
    ).shifts.get()
    signup = _signup(shift)
    _signup(shift, SignUp.Status.CANCELLED)
    after = local(tomorrow(), dt.time(12))

    _thanks_sweep(django_capture_on_commit_callbacks, after)
    _thanks_sweep(django_capture_on_commit_callbacks, after + dt.timedelta(hours=1))

    entry = HoursEntry.objects.get()
    assert entry.signup == signup
    assert entry.hours == Decimal("2.5")
    assert entry.organization == organization
    assert entry.source == HoursEntry.Source.SHIFT
    assert entry.status == HoursEntry.Status.PENDING and not entry.volunteer_confirmed
    thanks = Message.objects.get(kind=emails.THANKS)
    assert thanks.status == Message.Status.SENT and thanks.key == f"volunteers.thanks:{signup.pk}"
    assert thanks.expires_at > shift.ends + dt.timedelta(days=3)
    assert len(mail.outbox) == 1
    assert "2.5" in mail.outbox[0].body and "/volunteers/hours/" in mail.outbox[0].body


def test_no_thank_you_before_the_shift_ends(django_capture_on_commit_callbacks):
    shift = make_opportunity(
        shifts=[{"date": tomorrow(), "starts_at": dt.time(9), "ends_at": dt.time(11)}]
    ).shifts.get()
    _signup(shift)

    _thanks_sweep(django_capture_on_commit_callbacks, local(tomorrow(), dt.time(10, 30)))

    assert not HoursEntry.objects.exists()
    assert not Message.objects.exists()


def test_hours_removed_by_staff_are_not_logged_again_and_the_thank_you_drops(
    django_capture_on_commit_callbacks,
):
    shift = make_opportunity().shifts.get()
    _signup(shift)
    after = local(tomorrow(), dt.time(13))
    with time_machine.travel(after, tick=True):
        assert services.signup_thanks_claim() == 1  # claimed; not yet sent (no commit here)
    HoursEntry.objects.get().delete()

    _thanks_sweep(django_capture_on_commit_callbacks, after + dt.timedelta(hours=1))
    send_due(after + dt.timedelta(hours=1))

    assert not HoursEntry.objects.exists()
    thanks = Message.objects.get(kind=emails.THANKS)
    assert thanks.status == Message.Status.CANCELLED and "時間" in thanks.reason
    assert mail.outbox == []


def test_a_phone_only_volunteer_is_thanked_by_telephone(django_capture_on_commit_callbacks):
    shift = make_opportunity(title="浜の清掃").shifts.get()
    _signup(shift, name="電話 さん", **PHONE_ONLY)

    _thanks_sweep(django_capture_on_commit_callbacks, local(tomorrow(), dt.time(13)))

    thanks = Message.objects.get(kind=emails.THANKS)
    assert thanks.status == Message.Status.TO_CALL and mail.outbox == []
    call = registry.get(emails.THANKS).compose(thanks)
    assert call.phone == "0997-84-1234" and "浜の清掃" in call.summary and "2" in call.summary


def test_the_thanks_sweep_costs_the_same_few_queries_whatever_is_not_due():
    far = [{"date": timezone.localdate() + dt.timedelta(days=d)} for d in range(3, 40)]
    for shift in make_opportunity(shifts=far).shifts.all():
        _signup(shift)
    old = [{"date": timezone.localdate() - dt.timedelta(days=d)} for d in range(5, 40)]
    for shift in make_opportunity(shifts=old).shifts.all():
        _signup(shift)

    with CaptureQueriesContext(connection) as queries:
        claimed = services.signup_thanks_claim()

    assert claimed == 0
    assert len(queries) <= 3
    assert not Message.objects.exists()
