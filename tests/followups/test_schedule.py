"""The schedule: written with the activation, in the same transaction, closed with the placement."""

import datetime as dt

import pytest
from django.db import transaction

from followups import services
from followups.models import CheckIn, Reminder
from matching import services as matching_services
from matching.models import Placement

from .conftest import make_active

pytestmark = pytest.mark.django_db


def test_activation_writes_baseline_and_four_follow_ups(placement):
    checkins = list(placement.checkins.order_by("offset_days"))

    assert [(c.kind, c.offset_days) for c in checkins] == [
        ("baseline", 0), ("follow_up", 14), ("follow_up", 42), ("follow_up", 91), ("follow_up", 182)
    ]  # fmt: skip
    assert [c.due_on - placement.started_on for c in checkins] == [
        dt.timedelta(days=d) for d in (0, 14, 42, 91, 182)
    ]
    kinds = Reminder.objects.filter(checkin__placement=placement).values_list("kind", flat=True)
    assert sorted(kinds) == sorted(["coordinator", "escalation", "host"] * 4)


def test_reminders_fall_due_at_the_towns_hour_and_escalate_later(placement, settings):
    checkin = placement.checkins.get(offset_days=14)
    reminders = {r.kind: r for r in checkin.reminders.all()}
    local = reminders["coordinator"].due_at.astimezone(dt.timezone(dt.timedelta(hours=9)))

    assert (local.date(), local.hour) == (checkin.due_on, settings.FOLLOWUP_REMIND_HOUR)
    assert reminders["escalation"].due_at - reminders["coordinator"].due_at == dt.timedelta(
        days=settings.FOLLOWUP_ESCALATE_AFTER_DAYS
    )


def test_the_town_sets_its_own_intervals_and_may_skip_the_host(
    consented, activity, coordinator, settings
):
    settings.FOLLOWUP_INTERVALS_DAYS = [7, 30]
    settings.FOLLOWUP_ASK_HOST = False

    placement = make_active(consented, activity, coordinator)

    assert list(placement.checkins.values_list("offset_days", flat=True)) == [0, 7, 30]
    assert not Reminder.objects.filter(kind="host").exists()


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
    assert not Reminder.objects.exists()


def test_closing_cancels_what_is_still_to_do(placement, coordinator):
    matching_services.placement_close(
        placement=placement, status="ended", reason="転居", by=coordinator
    )

    assert set(placement.checkins.values_list("status", flat=True)) == {"cancelled"}
    assert set(Reminder.objects.values_list("status", flat=True)) == {"cancelled"}


def test_moving_a_check_in_moves_its_reminders(placement, coordinator):
    checkin = placement.checkins.get(offset_days=42)
    before = {r.kind: r.due_at for r in checkin.reminders.all()}

    services.checkin_reschedule(
        checkin=checkin, due_on=checkin.due_on + dt.timedelta(days=3), by=coordinator
    )

    after = {r.kind: r.due_at for r in checkin.reminders.all()}
    assert {k: after[k] - before[k] for k in before} == {k: dt.timedelta(days=3) for k in before}


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

    assert len(callbacks) == 1
    sent = Reminder.objects.filter(checkin__placement=placement, status="sent")
    assert sorted(sent.values_list("kind", flat=True)) == ["coordinator", "host"]


def test_a_normal_start_enqueues_nothing(
    consented, activity, coordinator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        make_active(consented, activity, coordinator)
    assert callbacks == []
