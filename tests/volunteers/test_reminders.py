"""Day-before reminders and thank-yous: due ones only, never twice, hours logged from shifts."""

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.resources.factories import OrganizationFactory
from volunteers import services, tasks
from volunteers.models import HoursEntry, Notice, SignUp

from .factories import VolunteerFactory, make_opportunity, tomorrow

pytestmark = pytest.mark.django_db


def _signup(shift, status=SignUp.Status.CONFIRMED, **volunteer):
    return SignUp.objects.create(
        volunteer=VolunteerFactory(**volunteer), shift=shift, status=status
    )


def _sweep(capture):
    with capture(execute=True):
        tasks.send_shift_reminders.delay()


def test_tomorrows_confirmed_volunteers_get_one_reminder(django_capture_on_commit_callbacks):
    shift = make_opportunity(title="ゆり畑の手伝い").shifts.get()
    confirmed = _signup(shift, name="明日 来る")
    _signup(shift, SignUp.Status.WAITLISTED)
    _signup(shift, SignUp.Status.CANCELLED)

    _sweep(django_capture_on_commit_callbacks)

    assert [m.to for m in mail.outbox] == [[confirmed.volunteer.email]]
    message = mail.outbox[0]
    assert "明日の活動のお知らせ" in message.subject
    assert "ゆり畑の手伝い" in message.body and "/volunteers/cancel/" in message.body
    assert Notice.objects.get().delivered_at is not None


def test_sweeping_again_sends_nothing_more(django_capture_on_commit_callbacks):
    _signup(make_opportunity().shifts.get())

    _sweep(django_capture_on_commit_callbacks)
    _sweep(django_capture_on_commit_callbacks)
    services.notices_deliver(notice_ids=[Notice.objects.get().pk])  # a redelivered task

    assert len(mail.outbox) == 1
    assert Notice.objects.count() == 1


def test_only_tomorrows_shifts_of_live_opportunities_are_due(django_capture_on_commit_callbacks):
    later = timezone.localdate() + dt.timedelta(days=2)
    _signup(make_opportunity(shifts=[{"date": later}]).shifts.get())
    _signup(make_opportunity(shifts=[{"date": timezone.localdate()}]).shifts.get())
    _signup(make_opportunity(publish=False).shifts.get())

    _sweep(django_capture_on_commit_callbacks)

    assert mail.outbox == []
    assert not Notice.objects.exists()


def test_the_sweep_costs_the_same_few_queries_whatever_is_not_due(
    django_capture_on_commit_callbacks,
):
    far = [{"date": timezone.localdate() + dt.timedelta(days=d)} for d in range(3, 40)]
    for shift in make_opportunity(shifts=far).shifts.all():
        _signup(shift)

    with CaptureQueriesContext(connection) as queries:
        claimed = services.signup_reminders_claim()

    assert claimed == 0
    assert len(queries) <= 3
    assert not Notice.objects.exists()


def test_a_sign_up_cancelled_after_the_claim_gets_no_reminder(django_capture_on_commit_callbacks):
    signup = _signup(make_opportunity().shifts.get())
    services.signup_reminders_claim()  # claimed, delivery not yet run (no on_commit here)
    SignUp.objects.filter(pk=signup.pk).update(status=SignUp.Status.CANCELLED)

    sent = services.notices_deliver(notice_ids=[Notice.objects.get().pk])

    assert sent == 0
    assert mail.outbox == []


def test_a_failed_send_is_unmarked_the_batch_goes_on_and_the_retry_sends_the_rest():
    shift = make_opportunity().shifts.get()
    failing, fine = _signup(shift), _signup(shift)
    services.signup_reminders_claim()
    ids = list(Notice.objects.order_by("pk").values_list("pk", flat=True))
    real_send = mail.send_mail

    def smtp_fails_for_one(subject, body, sender, recipients):
        if recipients == [failing.volunteer.email]:
            raise ConnectionError("smtp down")
        return real_send(subject, body, sender, recipients)

    with mock.patch("volunteers.emails.send_mail", side_effect=smtp_fails_for_one):
        with pytest.raises(ConnectionError):
            services.notices_deliver(notice_ids=ids)
    assert [m.to for m in mail.outbox] == [[fine.volunteer.email]]
    assert Notice.objects.get(signup=failing).delivered_at is None

    assert services.notices_deliver(notice_ids=ids) == 1  # the retry
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [failing.volunteer.email, fine.volunteer.email]
    )


def test_after_the_shift_hours_are_logged_and_a_thank_you_asks_to_confirm_them(
    django_capture_on_commit_callbacks,
):
    organization = OrganizationFactory(name="浜の会")
    shift = make_opportunity(
        organization=organization,
        shifts=[{"date": tomorrow(), "starts_at": dt.time(9), "ends_at": dt.time(11, 30)}],
    ).shifts.get()
    signup = _signup(shift)
    _signup(shift, SignUp.Status.CANCELLED)

    after = timezone.make_aware(dt.datetime.combine(tomorrow(), dt.time(12)))
    with time_machine.travel(after), django_capture_on_commit_callbacks(execute=True):
        tasks.send_shift_thanks.delay()
        tasks.send_shift_thanks.delay()

    entry = HoursEntry.objects.get()
    assert entry.signup == signup
    assert entry.hours == Decimal("2.5")
    assert entry.organization == organization
    assert entry.source == HoursEntry.Source.SHIFT
    assert entry.status == HoursEntry.Status.PENDING and not entry.volunteer_confirmed
    assert len(mail.outbox) == 1
    assert "2.5" in mail.outbox[0].body and "/volunteers/hours/" in mail.outbox[0].body


def test_no_thank_you_before_the_shift_ends(django_capture_on_commit_callbacks):
    shift = make_opportunity(
        shifts=[{"date": tomorrow(), "starts_at": dt.time(9), "ends_at": dt.time(11)}]
    ).shifts.get()
    _signup(shift)

    during = timezone.make_aware(dt.datetime.combine(tomorrow(), dt.time(10, 30)))
    with time_machine.travel(during), django_capture_on_commit_callbacks(execute=True):
        tasks.send_shift_thanks.delay()

    assert not HoursEntry.objects.exists()
    assert mail.outbox == []
