"""The schedule and its messages: written with the activation, in the same transaction, moved
with a check-in, cancelled with the placement (except what is being sent)."""

import datetime as dt
from unittest import mock

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from followups import emails, services
from followups.models import CheckIn
from matching import services as matching_services
from matching.models import Placement
from outbox import services as outbox
from outbox.models import Message

from .conftest import make_active

pytestmark = pytest.mark.django_db


def messages(placement) -> dict[tuple[int, str], Message]:
    """(offset, kind) → the placement's follow-up message."""
    checkins = {str(c.pk): c.offset_days for c in placement.checkins.all()}
    rows = Message.objects.filter(object_id__in=checkins, kind__startswith="followups.")
    return {(checkins[m.object_id], m.kind): m for m in rows}


def test_activation_writes_baseline_and_four_follow_ups(placement):
    checkins = list(placement.checkins.order_by("offset_days"))

    assert [(c.kind, c.offset_days) for c in checkins] == [
        ("baseline", 0), ("follow_up", 14), ("follow_up", 42), ("follow_up", 91), ("follow_up", 182)
    ]  # fmt: skip
    assert [c.due_on - placement.started_on for c in checkins] == [
        dt.timedelta(days=d) for d in (0, 14, 42, 91, 182)
    ]
    rows = messages(placement)
    assert sorted(rows) == sorted(
        (offset, kind) for offset in (14, 42, 91, 182) for kind in emails.KINDS
    )
    for (_offset, kind), row in rows.items():
        assert row.key == f"{kind}:{row.object_id}"
        assert row.topic == f"placement:{placement.pk}"
        assert row.status == Message.Status.PENDING


def test_reminders_fall_due_at_the_towns_hour_and_escalate_later(placement, settings):
    checkin = placement.checkins.get(offset_days=14)
    rows = messages(placement)
    coordinator, escalation = rows[14, emails.COORDINATOR], rows[14, emails.ESCALATION]
    local = coordinator.due_at.astimezone(dt.timezone(dt.timedelta(hours=9)))

    assert (local.date(), local.hour) == (checkin.due_on, settings.FOLLOWUP_REMIND_HOUR)
    assert rows[14, emails.HOST].due_at == coordinator.due_at
    assert escalation.due_at - coordinator.due_at == dt.timedelta(
        days=settings.FOLLOWUP_ESCALATE_AFTER_DAYS
    )


def test_each_message_is_enqueued_once_however_often_the_schedule_is_written(
    placement, coordinator
):
    before = Message.objects.count()
    services.schedule_create(placement=placement, by=coordinator)
    again = [s for c in placement.checkins.all() for s in services.reminders_for(c)]
    assert len(again) == 12
    assert outbox.enqueue_many(again) == 0
    assert Message.objects.count() == before


def test_the_town_sets_its_own_intervals_and_may_skip_the_host(
    consented, activity, coordinator, settings
):
    settings.FOLLOWUP_INTERVALS_DAYS = [7, 30]
    settings.FOLLOWUP_ASK_HOST = False

    placement = make_active(consented, activity, coordinator)

    assert list(placement.checkins.values_list("offset_days", flat=True)) == [0, 7, 30]
    assert not Message.objects.filter(kind=emails.HOST).exists()


def test_a_rolled_back_activation_leaves_no_check_ins(consented, activity, coordinator):
    placement = matching_services.placement_create(
        client=consented, activity=activity, by=coordinator
    )
    matching_services.placement_accept(placement=placement, by=coordinator)

    with pytest.raises(RuntimeError), transaction.atomic():
        matching_services.placement_activate(placement=placement, by=coordinator)
        assert CheckIn.objects.filter(placement=placement).count() == 5
        raise RuntimeError("the request failed after activating")

    placement.refresh_from_db()
    assert placement.status == Placement.Status.ACCEPTED
    assert not CheckIn.objects.exists()
    assert not Message.objects.filter(kind__startswith="followups.").exists()


def test_closing_cancels_what_is_still_to_do(placement, coordinator):
    matching_services.placement_close(
        placement=placement, status="ended", reason="転居", end_reason="moved", by=coordinator
    )

    assert set(placement.checkins.values_list("status", flat=True)) == {"cancelled"}
    rows = messages(placement).values()
    assert {(m.status, m.reason) for m in rows} == {("cancelled", "参加が終了しました。")}


def test_closing_while_a_reminder_is_being_sent_records_it_as_sent(placement, coordinator):
    """The close lands while the email is with the mail server: that row finishes as sent, and
    only the messages still waiting are cancelled."""
    rows = messages(placement)
    sending = rows[14, emails.COORDINATOR]
    real_send = outbox.delivery.send
    statuses_during_send = []

    def close_during_send(email, **kwargs):
        statuses_during_send.append(Message.objects.get(pk=sending.pk).status)
        matching_services.placement_close(
            placement=placement, status="ended", reason="転居", end_reason="moved", by=coordinator
        )
        real_send(email, **kwargs)

    with mock.patch.object(outbox.delivery, "send", side_effect=close_during_send):
        assert outbox.deliver_one(sending.pk) == "sent"

    assert statuses_during_send == ["sending"]
    after = {key: row.status for key, row in messages(placement).items()}
    assert after.pop((14, emails.COORDINATOR)) == "sent"
    assert set(after.values()) == {"cancelled"}
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [coordinator.email]


def test_moving_a_check_in_moves_its_reminders(placement, coordinator):
    checkin = placement.checkins.get(offset_days=42)
    before = {k: m.due_at for k, m in messages(placement).items() if k[0] == 42}

    services.checkin_reschedule(
        checkin=checkin, due_on=checkin.due_on + dt.timedelta(days=3), by=coordinator
    )

    after = {k: m for k, m in messages(placement).items() if k[0] == 42}
    assert {k: after[k].due_at - before[k] for k in before} == {
        k: dt.timedelta(days=3) for k in before
    }
    assert all(m.next_attempt_at == m.due_at for m in after.values())


def test_another_team_cannot_move_a_check_in(placement, other_coordinator, supervisor):
    checkin = placement.checkins.get(offset_days=42)
    for user in (other_coordinator, supervisor):
        with pytest.raises(services.FollowUpError):
            services.checkin_reschedule(checkin=checkin, due_on=checkin.due_on, by=user)


def test_a_date_before_the_start_is_refused(placement, coordinator):
    checkin = placement.checkins.get(offset_days=14)
    with pytest.raises(services.FollowUpError):
        services.checkin_reschedule(
            checkin=checkin, due_on=placement.started_on - dt.timedelta(days=1), by=coordinator
        )
    checkin.refresh_from_db()
    assert checkin.due_on == placement.started_on + dt.timedelta(days=14)


def test_a_back_dated_start_kicks_a_sweep_after_commit(
    consented, activity, coordinator, settings, django_capture_on_commit_callbacks
):
    settings.FOLLOWUP_INTERVALS_DAYS = [0, 14]  # a first-day call: due at once
    settings.FOLLOWUP_REMIND_HOUR = 0
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        placement = make_active(consented, activity, coordinator)
        waiting = {k: m.status for k, m in messages(placement).items() if k[0] == 0}
        assert set(waiting.values()) == {"pending"}  # nothing goes out before the commit

    assert outbox.ring_sweep in callbacks
    sent = {k for k, m in messages(placement).items() if m.status == "sent"}
    assert sent == {(0, emails.COORDINATOR), (0, emails.HOST)}


def test_a_normal_start_rings_no_bell(
    consented, activity, coordinator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        placement = make_active(consented, activity, coordinator)
    assert outbox.ring_sweep not in callbacks
    assert all(m.next_attempt_at > timezone.now() for m in messages(placement).values())
