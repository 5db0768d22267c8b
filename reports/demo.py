"""Sample history for the demo: cases from 7 to 19 months ago that have run their course, so the
実績, the retention curve and the meeting papers have numbers to show in a fresh demo.

Every case is fictional, marked as sample data, with a SAMPLE-H… reference code, and closed:
its placements settled, ended or interrupted, its check-ins recorded. Nothing is pending, so the
history sends no message and puts nothing on a coordinator's to-do list. Written with bulk
inserts from a seeded generator: the same sample on every machine. Idempotent.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from typing import Any, TextIO

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from followups.models import CheckIn
from matching.models import (
    Client,
    Consent,
    Placement,
    PlacementStatusChange,
    Proposal,
    SupportPlan,
    Team,
)
from matching.selectors import placement_activities
from resources.models import ActivityPage, Area

PREFIX = "SAMPLE-H"
CASES = 120
FIELDS = ("field_elderly", "field_disability", "field_children", "field_poverty", "field_other")
END_REASONS = (
    Placement.EndReason.HEALTH,
    Placement.EndReason.PERSON_WISH,
    Placement.EndReason.NOT_A_FIT,
    Placement.EndReason.OTHER_PLACE,
    Placement.EndReason.MOVED,
)


def load(stdout: TextIO) -> None:
    """Write the sample history once, when the demo's teams and activities exist."""
    if Client.objects.filter(reference_code__startswith=PREFIX).exists():
        stdout.write("実績用のサンプル履歴は作成済みです。\n")
        return
    teams = list(Team.objects.filter(is_sample=True).order_by("name"))
    activities = list(placement_activities().filter(is_sample=True).order_by("pk"))
    areas = list(Area.objects.order_by("pk"))
    if not teams or not activities:
        return
    with transaction.atomic():
        made = History(random.Random(20261203), teams, activities, areas).write(CASES)
    stdout.write(
        f"実績用のサンプル履歴: 7〜19か月前に受け付けた架空の対象者{made}人の経過を作成しました"
        f"（整理番号 {PREFIX}001〜、すべて終結済み）。\n"
    )


class History:
    """One seeded walk through referral → consent → plan → proposal → placement → check-ins."""

    def __init__(
        self,
        rng: random.Random,
        teams: Sequence[Team],
        activities: Sequence[ActivityPage],
        areas: Sequence[Area],
    ) -> None:
        self.rng, self.teams, self.activities, self.areas = rng, teams, activities, areas
        self.today = timezone.localdate()
        self.rows: dict[type, list[Any]] = {}

    def write(self, cases: int) -> int:
        for number in range(1, cases + 1):
            self._case(number)
        for model in (Client, Consent, SupportPlan, Proposal, Placement):
            model.objects.bulk_create(self.rows.get(model, []))
        for model in (PlacementStatusChange, CheckIn):
            model.objects.bulk_create(self.rows.get(model, []))
        return cases

    def _add(self, row: Any) -> Any:
        self.rows.setdefault(type(row), []).append(row)
        return row

    def _after(self, day: dt.date, low: int, high: int) -> dt.date:
        return day + dt.timedelta(days=self.rng.randint(low, high))

    def _moment(self, day: dt.date) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day, dt.time(10)))

    def _case(self, number: int) -> None:
        rng = self.rng
        referred = self.today - dt.timedelta(days=rng.randint(213, 580))
        person = self._add(
            Client(
                reference_code=f"{PREFIX}{number:03d}",
                name=f"見本 履歴{number}（サンプル）",
                team=rng.choice(self.teams),
                area=rng.choice(self.areas) if self.areas else None,
                birth_year=self.today.year - rng.choice((15, 35, 48, 55, 67, 74, 81, 86)),
                status=Client.Status.CLOSED,
                closed_at=self._moment(min(referred + dt.timedelta(days=240), self.today)),
                referred_on=referred,
                is_sample=True,
                **{rng.choice(FIELDS): True},
            )
        )
        if rng.random() < 0.15:
            return  # still only talking: no consent
        consented = self._after(referred, 0, 20)
        self._add(
            Consent(
                client=person,
                stage=Consent.Stage.CONSENTED,
                obtained_on=consented,
                method=Consent.Method.INTERVIEW,
                recorded_at=self._moment(consented),
            )
        )
        if rng.random() < 0.2:
            return
        planned = self._after(consented, 3, 30)
        self._add(
            SupportPlan(
                client=person,
                goals="【サンプル】週に一度、家の外で人と過ごす。",
                status=SupportPlan.Status.ENDED,
                meeting_date=planned,
                created_at=self._moment(planned),
                closed_on=self._after(planned, 200, 210),
            )
        )
        self._proposals(person, self._after(planned, 2, 20))

    def _proposals(self, person: Client, sent: dt.date) -> None:
        for activity in self.rng.sample(list(self.activities), k=min(2, len(self.activities))):
            answered = self._after(sent, 1, 10)
            accepted = self.rng.random() < 0.7
            proposal = self._add(
                Proposal(
                    client=person,
                    activity=activity,
                    status=Proposal.Status.ACCEPTED if accepted else Proposal.Status.DECLINED,
                    sent_at=self._moment(sent),
                    responded_at=self._moment(answered),
                    created_at=self._moment(sent),
                )
            )
            if accepted:
                self._placement(person, proposal, self._after(answered, 3, 14))
                return
            sent = self._after(answered, 1, 7)

    def _placement(self, person: Client, proposal: Proposal, started: dt.date) -> None:
        rng = self.rng
        steps = sorted(settings.FOLLOWUP_INTERVALS_DAYS)
        stays = rng.random() < 0.7
        last_step = len(steps) if stays else rng.randint(0, len(steps) - 1)
        status = Placement.Status.SETTLED if stays else rng.choice(
            (Placement.Status.ENDED, Placement.Status.INTERRUPTED)
        )  # fmt: skip
        ended = started + dt.timedelta(days=steps[last_step - 1] if last_step else 7)
        placement = self._add(
            Placement(
                client=person,
                activity=proposal.activity,
                proposal=proposal,
                status=status,
                started_on=started,
                ended_on=ended,
                end_reason="" if stays else rng.choice(END_REASONS),
                created_at=self._moment(started),
            )
        )
        for before, after, day in (
            ("", Placement.Status.ACTIVE, started),
            (Placement.Status.ACTIVE, status, ended),
        ):
            self._add(
                PlacementStatusChange(
                    placement=placement,
                    from_status=before,
                    to_status=after,
                    changed_at=self._moment(day),
                )
            )
        self._checkins(placement, started, [0, *steps[:last_step]], improves=stays)

    def _checkins(
        self, placement: Placement, started: dt.date, offsets: list[int], *, improves: bool
    ) -> None:
        rng = self.rng
        ucla, life = rng.randint(8, 12), rng.randint(2, 6)
        for offset in offsets:
            if offset:
                drift = rng.choice((-1, -1, 0, 1)) if improves else rng.choice((-1, 0, 1, 1))
                ucla = min(12, max(3, ucla + drift))
                life = min(10, max(0, life - drift))
            base, rest = divmod(ucla, 3)
            items = (base + (rest > 0), base + (rest > 1), base)
            due = started + dt.timedelta(days=offset)
            self._add(
                CheckIn(
                    placement=placement,
                    kind=CheckIn.Kind.FOLLOW_UP if offset else CheckIn.Kind.BASELINE,
                    offset_days=offset,
                    due_on=due,
                    status=CheckIn.Status.DONE,
                    attendance=CheckIn.Attendance.CONTINUING if offset else "",
                    ucla_no_company=items[0],
                    ucla_left_out=items[1],
                    ucla_isolated=items[2],
                    life_satisfaction=life,
                    recorded_at=self._moment(due),
                )
            )
