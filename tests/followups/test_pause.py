"""A placement paused by a consent withdrawal: no reminder, no question to the host, no answer
from the host; resumed with consent, the check-ins move on by the days of the pause and their
messages go out again (the same outbox rows, so still at most one per check-in and kind)."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from followups import emails, services
from followups.models import CheckIn
from followups.selectors import dashboard
from matching import services as matching
from matching.models import Placement
from matching.services import OnWithdrawal
from outbox import services as outbox
from outbox.models import Message
from tests.matching.factories import consent

pytestmark = pytest.mark.django_db

PAUSE_DAYS = 30


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour=hour)))


def pause(placement, by) -> None:
    matching.consent_withdraw(
        client=placement.client, obtained_on=timezone.localdate(), by=by,
        reason="入院のため一時中断", placements=OnWithdrawal.PAUSE,
    )  # fmt: skip


def first_follow_up(placement) -> CheckIn:
    return placement.checkins.filter(kind=CheckIn.Kind.FOLLOW_UP).earliest("offset_days")


def test_a_paused_placement_sends_nothing_and_is_off_the_dashboard(placement, coordinator):
    pause(placement, coordinator)
    checkin = first_follow_up(placement)
    for day in range(0, 200, 3):
        with time_machine.travel(at(checkin.due_on + dt.timedelta(days=day)), tick=False):
            outbox.sweep()
    assert mail.outbox == []
    rows = Message.objects.filter(topic=services.placement_topic(placement.pk))
    assert set(rows.values_list("status", flat=True)) == {Message.Status.CANCELLED}
    board = dashboard(coordinator, today=checkin.due_on + dt.timedelta(days=30))
    assert (board.due_this_week, board.overdue) == (0, 0)


def test_the_host_cannot_answer_for_a_paused_placement(placement, coordinator):
    checkin = first_follow_up(placement)
    pause(placement, coordinator)
    assert not services.host_answer(checkin_id=checkin.pk, attending="yes", concern=False)
    checkin.refresh_from_db()
    assert checkin.host_answered_at is None


def test_resuming_with_consent_moves_the_check_ins_by_the_pause(placement, coordinator):
    before = {c.pk: c.due_on for c in placement.checkins.filter(status=CheckIn.Status.PENDING)}
    pause(placement, coordinator)
    later = timezone.now() + dt.timedelta(days=PAUSE_DAYS)
    with time_machine.travel(later, tick=False):
        consent(placement.client, coordinator)
        matching.placement_activate(placement=placement, by=coordinator)

    placement.refresh_from_db()
    assert placement.status == Placement.Status.ACTIVE
    after = {c.pk: c.due_on for c in placement.checkins.filter(status=CheckIn.Status.PENDING)}
    assert after == {pk: due + dt.timedelta(days=PAUSE_DAYS) for pk, due in before.items()}
    checkin = first_follow_up(placement)
    host = Message.objects.get(key=services.message_key(emails.HOST, checkin.pk))
    assert host.status == Message.Status.PENDING
    assert timezone.localdate(host.due_at) == checkin.due_on

    with time_machine.travel(at(checkin.due_on), tick=False):
        outbox.sweep()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([coordinator.email, "host@example.jp"])


def test_a_placement_paused_before_it_started_gets_its_schedule_when_resumed(
    consented, activity, coordinator
):
    placement = matching.placement_create(client=consented, activity=activity, by=coordinator)
    matching.placement_accept(placement=placement, by=coordinator)
    pause(placement, coordinator)
    assert not placement.checkins.exists()
    consent(consented, coordinator)
    matching.placement_activate(placement=placement, by=coordinator)
    placement.refresh_from_db()
    assert placement.started_on == timezone.localdate()
    assert placement.checkins.filter(status=CheckIn.Status.PENDING).count() == 5
