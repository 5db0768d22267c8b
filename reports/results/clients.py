"""Figures about the clients in a period, per group: one query per figure whatever the data size.

Every figure is counted in the database, grouped by a flag per group (``_grouped``): counts
directly, durations and score changes as histograms (one row per distinct value) whose mean and
median ``stats`` works out exactly. Every query starts from the clients the user may see
(``clients`` is already scoped).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Count,
    Exists,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.utils.translation import gettext as _

from followups.models import CheckIn
from matching.models import Client, Consent, Placement, Proposal, SupportPlan

from .breakdowns import Group, GroupSet
from .dbfunctions import DaysBetween
from .periods import Period
from .stats import ScoreBin, ScoreChange, Stats

STOPPED = (Placement.Status.ENDED, Placement.Status.INTERRUPTED)
ANSWERED = (Proposal.Status.ACCEPTED, Proposal.Status.DECLINED)


@dataclass(frozen=True)
class Funnel:
    referred: int
    consented: int
    planned: int
    proposed: int
    placed: int


@dataclass(frozen=True)
class Answers:
    """Proposals sent in the period, and how the host places answered them."""

    sent: int
    answered: int
    accepted: int
    days: Stats


@dataclass(frozen=True)
class Retention:
    """Placements started in the period that have reached ``point`` days, and how many of them
    were still taking part then (not ended or interrupted before it)."""

    point: int
    reached: int
    retained: int


@dataclass(frozen=True)
class GroupFigures:
    group: Group
    funnel: Funnel
    answers: Answers
    to_placement: Stats
    retention: list[Retention]
    loneliness: list[ScoreChange]
    satisfaction: list[ScoreChange]


def group_figures(
    clients: QuerySet[Client],
    period: Period,
    groups: GroupSet,
    *,
    points: Sequence[int],
    today: dt.date,
) -> list[GroupFigures]:
    """The figures of each group, in the order given."""
    funnels = _funnels(clients, period, groups)
    answers = _answers(clients, period, groups)
    to_placement = _to_placement(clients, period, groups)
    retention = _retention(clients, period, groups, points, today)
    loneliness = _scores(clients, period, groups, points, _ucla, lower_is_better=True)
    satisfaction = _scores(clients, period, groups, points, _satisfaction, lower_is_better=False)
    return [
        GroupFigures(
            group=group,
            funnel=funnels[i],
            answers=answers[i],
            to_placement=to_placement[i],
            retention=retention[i],
            loneliness=loneliness[i],
            satisfaction=satisfaction[i],
        )
        for i, group in enumerate(groups.groups)
    ]


def _grouped(
    queryset: QuerySet, groups: GroupSet, path: str, keys: dict, aggregates: dict
) -> list[list[dict]]:
    """``aggregates`` per group and ``keys``, in one query: ``GROUP BY`` the keys and the
    groups' columns, each result row then going to every group it belongs to (a client with two
    support fields is in two). ``path`` leads from the queryset's model to the client."""
    rows = queryset.order_by().values(**groups.columns(path), **keys).annotate(**aggregates)
    return groups.split(list(rows))


def _totals(group_rows: list[dict], names: Sequence[str]) -> dict[str, int]:
    return {name: sum(row[name] for row in group_rows) for name in names}


def _histogram(group_rows: list[dict], key: str) -> Stats:
    """Stats of a number of days counted per distinct value (``n``).

    Rounded to 1/10,000 of a day (under 9 seconds): the floating-point noise of a subtraction
    must not split equal durations.
    """
    counts: dict[float, int] = {}
    for row in group_rows:
        value = round(row[key], 4)
        counts[value] = counts.get(value, 0) + row["n"]
    return Stats.of_counts(counts)


def _funnels(clients: QuerySet[Client], period: Period, groups: GroupSet) -> list[Funnel]:
    start, end = period.start, period.end
    since, until = period.moments()
    client = OuterRef("pk")
    flagged = clients.annotate(
        has_consent=Exists(
            Consent.objects.filter(
                client=client, stage=Consent.Stage.CONSENTED, obtained_on__range=(start, end)
            )
        ),
        has_plan=Exists(
            SupportPlan.objects.filter(client=client).filter(
                Q(created_at__gte=since, created_at__lt=until) | Q(meeting_date__range=(start, end))
            )
        ),
        has_proposal=Exists(
            Proposal.objects.filter(client=client, sent_at__gte=since, sent_at__lt=until)
        ),
        has_placement=Exists(
            Placement.objects.filter(client=client, started_on__range=(start, end))
        ),
    )
    measures = {
        "referred": Q(referred_on__range=(start, end)),
        "consented": Q(has_consent=True),
        "planned": Q(has_plan=True),
        "proposed": Q(has_proposal=True),
        "placed": Q(has_placement=True),
    }
    counts = {name: Count("pk", filter=condition) for name, condition in measures.items()}
    return [
        Funnel(**_totals(group_rows, list(measures)))
        for group_rows in _grouped(flagged, groups, "", {}, counts)
    ]


def _answers(clients: QuerySet[Client], period: Period, groups: GroupSet) -> list[Answers]:
    since, until = period.moments()
    sent = Proposal.objects.filter(
        client__in=clients.values("pk"), sent_at__gte=since, sent_at__lt=until
    )
    counts = {
        "sent": Count("pk"),
        "answered": Count("pk", filter=Q(status__in=ANSWERED)),
        "accepted": Count("pk", filter=Q(status=Proposal.Status.ACCEPTED)),
    }
    wait = DaysBetween("responded_at", "sent_at")
    waits = _grouped(
        sent.filter(status__in=ANSWERED, responded_at__isnull=False),
        groups, "client", {"wait": wait}, {"n": Count("pk")},
    )  # fmt: skip
    return [
        Answers(**_totals(group_rows, list(counts)), days=_histogram(waits[i], "wait"))
        for i, group_rows in enumerate(_grouped(sent, groups, "client", {}, counts))
    ]


def _to_placement(clients: QuerySet[Client], period: Period, groups: GroupSet) -> list[Stats]:
    """Days from referral to the client's first placement, for first placements in the period."""
    first = Placement.objects.filter(client=OuterRef("pk"), started_on__isnull=False)
    placed = clients.annotate(
        first_start=Subquery(first.order_by("started_on").values("started_on")[:1])
    ).filter(first_start__range=(period.start, period.end))
    days = DaysBetween("first_start", "referred_on")
    return [
        _histogram(group_rows, "days")
        for group_rows in _grouped(placed, groups, "", {"days": days}, {"n": Count("pk")})
    ]


def started_in(clients: QuerySet[Client], period: Period) -> QuerySet[Placement]:
    """Placements of these clients that started in the period: the cohort followed up."""
    return Placement.objects.filter(
        client__in=clients.values("pk"), started_on__range=(period.start, period.end)
    )


def _retention(
    clients: QuerySet[Client],
    period: Period,
    groups: GroupSet,
    points: Sequence[int],
    today: dt.date,
) -> list[list[Retention]]:
    cohort = started_in(clients, period).annotate(lasted=DaysBetween("ended_on", "started_on"))
    counts = {}
    for point in points:
        reached = Q(started_on__lte=today - dt.timedelta(days=point))
        stopped = Q(status__in=STOPPED) & (Q(ended_on__isnull=True) | Q(lasted__lt=point))
        counts[f"reached{point}"] = Count("pk", filter=reached)
        counts[f"stopped{point}"] = Count("pk", filter=reached & stopped)
    return [
        [
            Retention(point, c[f"reached{point}"], c[f"reached{point}"] - c[f"stopped{point}"])
            for point in points
        ]
        for c in (
            _totals(rows, list(counts)) for rows in _grouped(cohort, groups, "client", {}, counts)
        )
    ]


def _ucla(prefix: str = "") -> Any:
    """The UCLA-3 total (3–12); NULL unless all three items were answered."""
    return F(f"{prefix}ucla_no_company") + F(f"{prefix}ucla_left_out") + F(f"{prefix}ucla_isolated")


def _satisfaction(prefix: str = "") -> Any:
    return F(f"{prefix}life_satisfaction")


def _scores(
    clients: QuerySet[Client],
    period: Period,
    groups: GroupSet,
    points: Sequence[int],
    score: Callable[[str], Any],
    *,
    lower_is_better: bool,
) -> list[list[ScoreChange]]:
    """A score at the baseline and at each follow-up point, over the placements started in the
    period that have both, counted per change of score.

    The baseline is joined (one row per placement: offset 0, unique), not looked up per row.
    """
    baseline = FilteredRelation(
        "placement__checkins",
        condition=Q(
            placement__checkins__kind=CheckIn.Kind.BASELINE,
            placement__checkins__offset_days=0,
            placement__checkins__status=CheckIn.Status.DONE,
        ),
    )
    pairs = (
        CheckIn.objects.filter(
            placement__client__in=clients.values("pk"),
            placement__started_on__range=(period.start, period.end),
            kind=CheckIn.Kind.FOLLOW_UP,
            status=CheckIn.Status.DONE,
            offset_days__in=points,
        )
        .annotate(baseline=baseline)
        .annotate(after=score(""), before=score("baseline__"))
        .filter(after__isnull=False, before__isnull=False)
    )
    bins = _grouped(
        pairs,
        groups,
        "placement__client",
        {"point": F("offset_days"), "change": F("after") - F("before")},
        {"n": Count("pk"), "before_sum": Sum("before"), "after_sum": Sum("after")},
    )
    return [
        [
            ScoreChange.of_bins(
                point,
                (
                    ScoreBin(row["change"], row["n"], row["before_sum"], row["after_sum"])
                    for row in group_rows
                    if row["point"] == point
                ),
                lower_is_better=lower_is_better,
            )
            for point in points
        ]
        for group_rows in bins
    ]


@dataclass(frozen=True)
class EndReasonRow:
    label: str
    ended: int
    interrupted: int


def end_reasons(clients: QuerySet[Client], period: Period) -> list[EndReasonRow]:
    """Placements ended or interrupted in the period, by recorded reason ("not recorded" last)."""
    rows = (
        Placement.objects.filter(
            client__in=clients.values("pk"),
            status__in=STOPPED,
            ended_on__range=(period.start, period.end),
        )
        .order_by()
        .values("end_reason", "status")
        .annotate(n=Count("pk"))
    )
    counts = {(row["end_reason"], row["status"]): row["n"] for row in rows}
    reasons = [*Placement.EndReason.choices, ("", _("Not recorded"))]
    return [
        EndReasonRow(
            str(label),
            counts.get((reason, Placement.Status.ENDED), 0),
            counts.get((reason, Placement.Status.INTERRUPTED), 0),
        )
        for reason, label in reasons
    ]
