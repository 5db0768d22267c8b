"""The sweep and the outbox, in-process (eager), with time travel for the due dates."""

import datetime as dt
import smtplib
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from kombu.exceptions import OperationalError

from followups import emails, services
from followups.emails import HEADER
from followups.models import CheckIn, Reminder
from followups.selectors import dashboard

pytestmark = pytest.mark.django_db

CANARY = "CANARY-7f3a-山田花子の秘密"


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour=hour)))


def sent_ids() -> list[str]:
    return [m.extra_headers[HEADER] for m in mail.outbox]


def due(placement, offset: int) -> dt.date:
    return placement.started_on + dt.timedelta(days=offset)


def test_nothing_is_sent_before_the_due_date(placement):
    with time_machine.travel(at(due(placement, 14) - dt.timedelta(days=1)), tick=False):
        assert services.sweep()["claimed"] == 0
    assert mail.outbox == []


def test_on_the_due_date_the_coordinator_and_host_get_one_email_each(placement, coordinator):
    with time_machine.travel(at(due(placement, 14)), tick=False):
        services.sweep()
        services.sweep()  # beat firing again, or restarted: nothing more

    by_kind = {
        Reminder.objects.get(pk=pk).kind: m for pk, m in zip(sent_ids(), mail.outbox, strict=True)
    }
    assert sorted(by_kind) == ["coordinator", "host"]
    assert by_kind["coordinator"].to == [coordinator.email]
    assert by_kind["host"].to == ["host@example.jp"]
    assert "/admin/followups/placements/" in by_kind["coordinator"].body
    assert "/followups/host/" in by_kind["host"].body
    assert len(sent_ids()) == len(set(sent_ids())) == 2
    assert set(Reminder.objects.filter(pk__in=sent_ids()).values_list("status", flat=True)) == {
        "sent"
    }


def test_an_overdue_check_in_escalates_to_the_teams_supervisor(placement, team_supervisor):
    with time_machine.travel(at(due(placement, 14) + dt.timedelta(days=8)), tick=False):
        services.sweep()

    escalations = [m for m in mail.outbox if "期限超過" in m.subject]
    assert len(escalations) == 1
    assert escalations[0].to == [team_supervisor.email]


def test_a_recorded_check_in_is_not_reminded_or_escalated(placement, coordinator):
    services.checkin_record(
        checkin=placement.checkins.get(offset_days=14), by=coordinator, attendance="continuing"
    )
    with time_machine.travel(at(due(placement, 14) + dt.timedelta(days=8)), tick=False):
        services.sweep()

    kinds = {Reminder.objects.get(pk=pk).kind for pk in sent_ids()}
    assert kinds == {"host"}


def test_emails_carry_no_name_notes_or_scores(consented, activity, coordinator, team_supervisor):
    consented.name, consented.notes = CANARY, CANARY
    consented.save()
    from .conftest import make_active

    placement = make_active(consented, activity, coordinator)
    services.checkin_record(checkin=placement.checkins.get(kind="baseline"), by=coordinator,
                            notes=CANARY, next_action=CANARY)  # fmt: skip
    with time_machine.travel(at(due(placement, 14) + dt.timedelta(days=8)), tick=False):
        services.sweep()

    assert len(mail.outbox) == 3
    for message in mail.outbox:
        text = message.subject + message.body + str(message.extra_headers)
        assert CANARY not in text and "CANARY" not in text
        assert consented.reference_code not in text


def test_smtp_errors_retry_then_fail_and_show_on_the_dashboard(placement, coordinator, settings):
    settings.FOLLOWUP_MAX_ATTEMPTS = 3
    lease = dt.timedelta(seconds=settings.FOLLOWUP_LEASE_SECONDS + 1)
    broken = mock.patch.object(
        emails.EmailMessage, "send", side_effect=smtplib.SMTPServerDisconnected
    )
    # In-process, each sweep makes one attempt; the held lease keeps a retry from doubling.
    for attempt in range(4):
        with time_machine.travel(at(due(placement, 14)) + attempt * lease, tick=False), broken:
            services.sweep()
            if attempt == 0:
                assert services.sweep()["claimed"] == 0

    failed = Reminder.objects.filter(status="failed")
    assert failed.count() == 2  # coordinator and host
    assert set(failed.values_list("attempts", flat=True)) == {3}
    assert set(failed.values_list("last_error", flat=True)) == {"SMTPServerDisconnected"}
    assert dashboard(coordinator, today=due(placement, 14)).failed_sends == 2


def test_a_poison_reminder_does_not_stop_the_others(placement, coordinator):
    real_send = emails.send_reminder
    poison = placement.checkins.get(offset_days=14).reminders.get(kind="coordinator")

    def send(reminder, recipients):
        if reminder.pk == poison.pk:
            raise ValueError("a broken template")
        real_send(reminder, recipients)

    with (
        time_machine.travel(at(due(placement, 14)), tick=False),
        mock.patch.object(emails, "send_reminder", side_effect=send),
    ):
        services.sweep()

    assert Reminder.objects.get(kind="host", checkin__offset_days=14).status == "sent"
    poison.refresh_from_db()
    assert (poison.status, poison.attempts, poison.last_error) == ("pending", 1, "ValueError")


def test_a_reminder_nobody_can_receive_fails_at_once(placement, coordinator, activity):
    type(activity).objects.filter(pk=activity.pk).update(email="")
    placement.activity.email = ""
    with (
        time_machine.travel(at(due(placement, 14)), tick=False),
        mock.patch("followups.services.host_email", return_value=""),
    ):
        services.sweep()
    host = Reminder.objects.get(kind="host", checkin__offset_days=14)
    assert (host.status, host.last_error) == ("failed", "NoRecipient")


def test_a_lost_message_is_claimed_again_after_its_lease(placement, settings):
    when = at(due(placement, 14))
    with time_machine.travel(when, tick=False):
        claimed = services.reminders_claim()  # claimed, but the message never arrives
        assert len(claimed) == 2
        assert services.reminders_claim() == []  # held by the lease
    later = when + dt.timedelta(seconds=settings.FOLLOWUP_LEASE_SECONDS + 1)
    with time_machine.travel(later, tick=False):
        services.sweep()
    assert sorted(sent_ids()) == sorted(str(pk) for pk in claimed)


def test_a_dead_broker_frees_the_claims_for_the_next_sweep(placement):
    from followups import tasks

    with (
        time_machine.travel(at(due(placement, 14)), tick=False),
        mock.patch.object(tasks.send_reminders, "apply_async", side_effect=OperationalError),
    ):
        done = services.sweep()
    assert (done["claimed"], done["published"]) == (2, 0)
    assert set(Reminder.objects.filter(status="pending", checkin__offset_days=14)
               .values_list("leased_until", flat=True)) == {None}  # fmt: skip
    with time_machine.travel(at(due(placement, 14), hour=11), tick=False):
        services.sweep()
    assert len(mail.outbox) == 2


def test_sending_twice_sends_once(placement):
    reminder = placement.checkins.get(offset_days=14).reminders.get(kind="coordinator")
    with time_machine.travel(at(due(placement, 14)), tick=False):
        assert services.reminder_send(reminder_id=reminder.pk) == "sent"
        assert services.reminder_send(reminder_id=reminder.pk) == "already"
    assert len(mail.outbox) == 1


def test_a_closed_placement_sends_nothing(placement, coordinator):
    reminder = placement.checkins.get(offset_days=14).reminders.get(kind="coordinator")
    CheckIn.objects.filter(pk=reminder.checkin_id).update(status="cancelled")
    with time_machine.travel(at(due(placement, 14)), tick=False):
        assert services.reminder_send(reminder_id=reminder.pk) == "cancelled"
    assert mail.outbox == []


def test_the_sweeps_queries_do_not_grow_with_rows_not_due(
    placement, django_assert_num_queries, app_not_eager
):
    """O(due): the claim is two queries however many pending rows are not yet due."""
    when = at(due(placement, 14))
    with time_machine.travel(when, tick=False), django_assert_num_queries(4) as few:
        services.sweep()
    Reminder.objects.update(status="pending", leased_until=None)
    # 300 more pending reminders, none due
    rows = [
        Reminder(checkin=c, kind=k, due_at=when + dt.timedelta(days=30 + i))
        for i, c in enumerate(CheckIn.objects.bulk_create(
            CheckIn(placement=placement, kind="follow_up", offset_days=1000 + i,
                    due_on=due(placement, 1000 + i)) for i in range(100)
        ))
        for k in ("coordinator", "escalation", "host")
    ]  # fmt: skip
    Reminder.objects.bulk_create(rows)
    with (
        time_machine.travel(when, tick=False),
        django_assert_num_queries(len(few.captured_queries)),
    ):
        services.sweep()
