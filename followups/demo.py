"""Follow-ups for the sample town: check-ins already due and overdue, so the dashboard and the
reminder emails (console backend; ``manage.py outbox_sweep``) show at once.

Matching's demo activates SAMPLE-001's placement, which writes its schedule. Here it is moved
back to 60 days ago, with the baseline and the two-week check-in recorded (and the host
place's answer to it): the six-week one is
18 days overdue, so the coordinator's reminder, the host place's question and the supervisor's
escalation are all due. SAMPLE-001 also starts at a second activity ten days ago, whose
two-week check-in falls due this week. Idempotent: once a sample check-in is recorded, a second
load changes nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TextIO

from django.utils import timezone

from matching import services as matching_services
from matching.models import Client, Placement
from matching.selectors import client_rank
from matching.services import MatchingError

from . import services
from .models import CheckIn

CODE = "SAMPLE-001"
SCORES = {
    0: ("", (3, 3, 4), 3, "【サンプル】参加開始時。外出は週1回程度。"),
    14: ("continuing", (3, 2, 3), 5, "【サンプル】表情が明るくなってきた。"),
}


def load(stdout: TextIO) -> None:
    """Back-date the sample placement's schedule and add a second placement, once."""
    person = Client.objects.filter(reference_code=CODE, is_sample=True).first()
    if person is None:
        return
    if CheckIn.objects.filter(placement__client=person, status=CheckIn.Status.DONE).exists():
        stdout.write("フォローアップのサンプルは作成済みです。\n")
        return
    by = person.coordinators.first()
    first = person.placements.filter(status=Placement.Status.ACTIVE).first()
    if first is None:
        return
    _back_date(first, 60)
    for offset, (attendance, ucla, life, note) in SCORES.items():
        services.checkin_record(
            checkin=first.checkins.get(offset_days=offset), by=by, attendance=attendance,
            ucla_no_company=ucla[0], ucla_left_out=ucla[1], ucla_isolated=ucla[2],
            life_satisfaction=life, notes=note, next_action="次回も様子を確認する。",
        )  # fmt: skip
    services.host_answer(
        checkin_id=first.checkins.get(offset_days=14).pk, attending="yes", concern=False,
        comment="【サンプル】毎回来てくださり、ほかの参加者とも話しています。",
    )  # fmt: skip
    second = _second_placement(person, first, by)
    if second is not None:
        _back_date(second, 10)
        attendance, ucla, life, note = SCORES[0]
        services.checkin_record(
            checkin=second.checkins.get(kind=CheckIn.Kind.BASELINE), by=by,
            ucla_no_company=ucla[0], ucla_left_out=ucla[1], ucla_isolated=ucla[2],
            life_satisfaction=life, notes=note,
        )  # fmt: skip
    stdout.write(
        f"フォローアップのサンプル: {CODE} の確認予定を過去にずらし、期限切れと今週の予定を"
        "用意しました（manage.py outbox_sweep でリマインダーを送れます）。\n"
    )


def _second_placement(person: Client, first: Placement, by: Any) -> Placement | None:
    ranked = [r.activity_id for r in client_rank(client=person, top=10)]
    for activity_id in ranked:
        if activity_id == first.activity_id:
            continue
        try:
            placement = matching_services.placement_create(
                client=person, activity=first.activity.__class__.objects.get(pk=activity_id),
                by=by,
            )  # fmt: skip
            matching_services.placement_accept(placement=placement, by=by)
            return matching_services.placement_activate(placement=placement, by=by)
        except MatchingError:
            continue
    return None


def _back_date(placement: Placement, days_ago: int) -> None:
    """Move the start (and so every check-in and its messages) ``days_ago`` days back."""
    start = timezone.localdate() - dt.timedelta(days=days_ago)
    Placement.objects.filter(pk=placement.pk).update(started_on=start)
    placement.started_on = start
    for checkin in placement.checkins.all():
        checkin.due_on = start + dt.timedelta(days=checkin.offset_days)
        checkin.save(update_fields=["due_on"])
        services.reminders_reschedule(checkin)
