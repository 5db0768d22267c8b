"""Follow-up messages through the outbox, in-process (eager), with time travel for due dates:
who gets what and when, the call list for people without email, and what is dropped."""

import datetime as dt
import smtplib
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from kombu.exceptions import OperationalError

from followups import emails, services
from followups.models import CheckIn
from outbox import services as outbox
from outbox.delivery import HEADER
from outbox.models import Message
from outbox.viewsets import CallEntry

pytestmark = pytest.mark.django_db

CANARY = "CANARY-7f3a-山田花子の秘密"


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour=hour)))


def due(placement, offset: int) -> dt.date:
    return placement.started_on + dt.timedelta(days=offset)


def row(placement, offset: int, kind: str) -> Message:
    checkin = placement.checkins.get(offset_days=offset)
    return Message.objects.get(key=services.message_key(kind, checkin.pk))


def sent() -> dict[str, mail.EmailMessage]:
    """Kind → the email sent, from the outbox row id each email carries."""
    rows = Message.objects.in_bulk([int(m.extra_headers[HEADER]) for m in mail.outbox])
    by_kind = {rows[int(m.extra_headers[HEADER])].kind: m for m in mail.outbox}
    assert len(by_kind) == len(mail.outbox), "one email per kind"
    return by_kind


def sweep_at(when: dt.datetime) -> None:
    with time_machine.travel(when, tick=False):
        outbox.sweep()


def test_nothing_is_sent_before_the_due_date(placement):
    with time_machine.travel(at(due(placement, 14) - dt.timedelta(days=1)), tick=False):
        assert outbox.sweep()["claimed"] == 0
    assert mail.outbox == []


def test_on_the_due_date_the_coordinator_and_host_get_one_email_each(placement, coordinator):
    sweep_at(at(due(placement, 14)))
    sweep_at(at(due(placement, 14), hour=11))  # beat firing again: nothing more

    by_kind = sent()
    assert sorted(by_kind) == [emails.COORDINATOR, emails.HOST]
    assert by_kind[emails.COORDINATOR].to == [coordinator.email]
    assert by_kind[emails.HOST].to == ["host@example.jp"]
    assert "/admin/followups/placements/" in by_kind[emails.COORDINATOR].body
    assert "/followups/host/" in by_kind[emails.HOST].body
    for kind, message in by_kind.items():
        stored = row(placement, 14, kind)
        assert stored.status == Message.Status.SENT
        assert message.extra_headers["Message-ID"] == stored.message_id


def test_an_overdue_check_in_escalates_to_the_teams_supervisor(placement, team_supervisor):
    sweep_at(at(due(placement, 14)))
    sweep_at(at(due(placement, 14) + dt.timedelta(days=8)))

    escalation = sent()[emails.ESCALATION]
    assert "期限超過" in escalation.subject
    assert escalation.to == [team_supervisor.email]


def test_a_recorded_check_in_is_not_reminded_or_escalated(placement, coordinator):
    services.checkin_record(
        checkin=placement.checkins.get(offset_days=14), by=coordinator, attendance="continuing"
    )
    sweep_at(at(due(placement, 14)))
    sweep_at(at(due(placement, 14) + dt.timedelta(days=8)))

    assert list(sent()) == [emails.HOST]
    reminder = row(placement, 14, emails.COORDINATOR)
    assert (reminder.status, reminder.reason) == ("cancelled", "フォローアップを記録しました。")


def test_emails_carry_no_name_notes_or_scores(consented, activity, coordinator, team_supervisor):
    consented.name, consented.notes = CANARY, CANARY
    consented.save()
    from .conftest import make_active

    placement = make_active(consented, activity, coordinator)
    services.checkin_record(checkin=placement.checkins.get(kind="baseline"), by=coordinator,
                            notes=CANARY, next_action=CANARY)  # fmt: skip
    sweep_at(at(due(placement, 14)))
    sweep_at(at(due(placement, 14) + dt.timedelta(days=8)))

    assert len(mail.outbox) == 3
    for message in mail.outbox:
        text = message.subject + message.body + str(message.extra_headers)
        assert CANARY not in text and "CANARY" not in text
        assert consented.reference_code not in text


def test_a_temporary_smtp_error_is_retried_by_the_sweep_later(placement, settings):
    settings.OUTBOX_RETRY_BASE_SECONDS = 60
    when = at(due(placement, 14))
    down = mock.patch(
        "django.core.mail.backends.locmem.EmailBackend.send_messages",
        side_effect=smtplib.SMTPServerDisconnected,
    )
    with down:
        sweep_at(when)
        sweep_at(when + dt.timedelta(seconds=30))  # not before its backoff
    waiting = row(placement, 14, emails.COORDINATOR)
    assert (waiting.status, waiting.attempts) == ("pending", 1)
    assert "SMTPServerDisconnected" in waiting.reason

    sweep_at(when + dt.timedelta(minutes=2))
    assert sorted(sent()) == [emails.COORDINATOR, emails.HOST]


def test_a_poison_message_fails_visibly_and_does_not_stop_the_others(placement):
    real = emails.render_to_string

    def render(template, context):
        if template.startswith("followups/email/coordinator"):
            raise ValueError("a broken template")
        return real(template, context)

    with mock.patch.object(emails, "render_to_string", side_effect=render):
        sweep_at(at(due(placement, 14)))

    assert list(sent()) == [emails.HOST]
    poison = row(placement, 14, emails.COORDINATOR)
    assert poison.status == "failed" and "ValueError" in poison.reason


def test_a_host_with_only_a_telephone_is_on_the_call_list(placement, activity):
    type(activity).objects.filter(pk=activity.pk).update(email="", phone="0997-11-2222")
    sweep_at(at(due(placement, 14)))

    assert list(sent()) == [emails.COORDINATOR]
    question = row(placement, 14, emails.HOST)
    assert question.status == Message.Status.TO_CALL
    entry = CallEntry(question)
    assert (entry.name, entry.phone) == ("花の畑", "0997-11-2222")
    assert "/followups/host/" in entry.summary  # the caller enters the answers in the form
    assert placement.client.name not in entry.summary
    assert placement.client.reference_code not in entry.summary


def test_a_coordinator_without_email_falls_back_to_the_teams_address(placement, coordinator):
    type(coordinator).objects.filter(pk=coordinator.pk).update(email="")
    sweep_at(at(due(placement, 14)))
    assert sent()[emails.COORDINATOR].to == [placement.client.team.email]


def test_a_team_with_only_a_telephone_is_called(placement, coordinator, team_a):
    type(coordinator).objects.filter(pk=coordinator.pk).update(email="")
    type(team_a).objects.filter(pk=team_a.pk).update(email="")
    sweep_at(at(due(placement, 14)))

    reminder = row(placement, 14, emails.COORDINATOR)
    assert reminder.status == Message.Status.TO_CALL
    entry = CallEntry(reminder)
    assert (entry.name, entry.phone) == (team_a.name, team_a.phone)
    assert placement.client.name not in entry.summary


def test_a_team_nobody_can_reach_fails_with_the_reason(placement, coordinator, team_a):
    type(coordinator).objects.filter(pk=coordinator.pk).update(email="")
    type(team_a).objects.filter(pk=team_a.pk).update(email="", phone="")
    sweep_at(at(due(placement, 14)))

    reminder = row(placement, 14, emails.COORDINATOR)
    assert reminder.status == Message.Status.FAILED
    assert "電話番号" in reminder.reason and "メール" in reminder.reason


def test_a_host_nobody_can_reach_fails_with_the_reason(placement, activity):
    type(activity).objects.filter(pk=activity.pk).update(email="", phone="")
    sweep_at(at(due(placement, 14)))
    question = row(placement, 14, emails.HOST)
    assert question.status == Message.Status.FAILED and "受け入れ先" in question.reason


RECORDED_OR_CANCELLED = "このフォローアップは記録済みか、取りやめになっています。"


@pytest.mark.parametrize(
    ("change", "kind", "reason"),
    [
        ({"status": "cancelled"}, emails.COORDINATOR, RECORDED_OR_CANCELLED),
        ({"host_answered_at": timezone.now()}, emails.HOST, "受け入れ先はすでに回答しています。"),
    ],
)
def test_a_message_no_longer_needed_is_dropped_when_due(placement, change, kind, reason):
    """What changed without cancelling (a race, a direct fix) is caught when it falls due."""
    CheckIn.objects.filter(placement=placement, offset_days=14).update(**change)
    sweep_at(at(due(placement, 14)))

    dropped = row(placement, 14, kind)
    assert (dropped.status, dropped.reason) == ("cancelled", reason)
    assert kind not in sent()


def test_a_closed_placement_drops_what_is_due(placement):
    type(placement).objects.filter(pk=placement.pk).update(status="ended")
    sweep_at(at(due(placement, 14)))
    assert mail.outbox == []
    assert row(placement, 14, emails.HOST).reason == "この参加はすでに終了しています。"


def test_a_lost_message_is_claimed_again_after_its_lease(placement, settings):
    when = at(due(placement, 14))
    with time_machine.travel(when, tick=False):
        claimed = outbox.claim()  # claimed, but the message never arrives
        assert len(claimed) == 2
        assert outbox.claim() == []  # held by the lease
    sweep_at(when + dt.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS + 1))
    assert sorted(int(m.extra_headers[HEADER]) for m in mail.outbox) == sorted(claimed)


def test_a_dead_broker_leaves_the_messages_to_the_next_sweep(placement):
    from outbox import tasks

    with (
        time_machine.travel(at(due(placement, 14)), tick=False),
        mock.patch.object(tasks.deliver, "apply_async", side_effect=OperationalError),
    ):
        done = outbox.sweep()
    assert (done["claimed"], done["published"]) == (2, 0)
    assert row(placement, 14, emails.COORDINATOR).status == "pending"
    sweep_at(at(due(placement, 14), hour=11))
    assert len(mail.outbox) == 2


def test_sending_twice_sends_once(placement):
    reminder = row(placement, 14, emails.COORDINATOR)
    with time_machine.travel(at(due(placement, 14)), tick=False):
        assert outbox.deliver_one(reminder.pk) == "sent"
        assert outbox.deliver_one(reminder.pk) == "skipped"
    assert len(mail.outbox) == 1


def test_the_sweeps_queries_do_not_grow_with_messages_not_due(
    placement, django_assert_num_queries, app_not_eager
):
    """O(due): many follow-up messages not yet due cost the sweep nothing."""
    when = at(due(placement, 14))
    with time_machine.travel(when, tick=False), django_assert_num_queries(4) as few:
        assert outbox.sweep()["claimed"] == 2
    checkins = CheckIn.objects.bulk_create(
        CheckIn(placement=placement, kind="follow_up", offset_days=1000 + i,
                due_on=due(placement, 1000 + i), with_host=True) for i in range(100)
    )  # fmt: skip
    assert outbox.enqueue_many(s for c in checkins for s in services.reminders_for(c)) == 300
    Message.objects.filter(status="pending", due_at__lte=when).update(next_attempt_at=when)
    with (
        time_machine.travel(when, tick=False),
        django_assert_num_queries(len(few.captured_queries)),
    ):
        assert outbox.sweep()["claimed"] == 2
