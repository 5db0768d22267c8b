"""Reads of the follow-up flow: a placement's check-ins and scores, the dashboard's counts, the
check-in lists on the client page. Each in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count
from django.utils import timezone

from matching.access import client_access
from matching.models import Client, Placement

from .models import CheckIn, Reminder


def placement_checkins(placement: Placement) -> list[CheckIn]:
    return list(placement.checkins.select_related("recorded_by").order_by("offset_days", "due_on"))


def checkins_by_placement(placements: Iterable[Placement]) -> dict[Any, list[CheckIn]]:
    """Placement id → its check-ins, for a list of placements in one query."""
    ids = [p.pk for p in placements]
    grouped: dict[Any, list[CheckIn]] = {pk: [] for pk in ids}
    for checkin in CheckIn.objects.filter(placement_id__in=ids).order_by("offset_days", "due_on"):
        grouped[checkin.placement_id].append(checkin)
    return grouped


@dataclass(frozen=True)
class Sparkline:
    """An inline SVG polyline of one score over the recorded check-ins (no JavaScript)."""

    points: str
    dots: list[tuple[float, float, int]]
    width: int
    height: int
    label: str


def sparkline(
    values: Sequence[int | None], *, low: int, high: int, label: str, width: int = 160,
    height: int = 40,
) -> Sparkline | None:  # fmt: skip
    """Scale the recorded values into the box; None when fewer than one value exists."""
    recorded = [(i, v) for i, v in enumerate(values) if v is not None]
    if not recorded:
        return None
    pad = 4
    step = (width - 2 * pad) / max(len(values) - 1, 1)
    span = max(high - low, 1)
    dots = [
        (
            round(pad + i * step, 1),
            round(height - pad - (v - low) / span * (height - 2 * pad), 1),
            v,
        )
        for i, v in recorded
    ]
    return Sparkline(
        points=" ".join(f"{x},{y}" for x, y, _v in dots),
        dots=dots,
        width=width,
        height=height,
        label=label,
    )


@dataclass(frozen=True)
class Dashboard:
    due_this_week: int
    overdue: int
    failed_sends: int
    by_state: list[tuple[str, int]]
    upcoming: list[CheckIn]


def dashboard(user: Any, *, today: dt.date | None = None) -> Dashboard | None:
    """The coordinator's counts over their visible clients; None for users who see no client."""
    if not client_access(user).sees_any:
        return None
    today = today or timezone.localdate()
    visible = Client.objects.visible_to(user).values("pk")
    pending = CheckIn.objects.filter(
        status=CheckIn.Status.PENDING,
        kind=CheckIn.Kind.FOLLOW_UP,
        placement__status=Placement.Status.ACTIVE,
        placement__client__in=visible,
    )
    week_end = today + dt.timedelta(days=7)
    counts = Counter(
        dict(
            Placement.objects.filter(client__in=visible)
            .values_list("status")
            .annotate(n=Count("pk"))
            .order_by()
        )
    )
    by_state = [
        (label, counts[value]) for value, label in Placement.Status.choices if counts[value]
    ]
    return Dashboard(
        due_this_week=pending.filter(due_on__gte=today, due_on__lt=week_end).count(),
        overdue=pending.filter(due_on__lt=today).count(),
        failed_sends=Reminder.objects.filter(
            status=Reminder.Status.FAILED, checkin__placement__client__in=visible
        ).count(),
        by_state=by_state,
        upcoming=list(
            pending.filter(due_on__lt=week_end)
            .select_related("placement__client", "placement__activity")
            .order_by("due_on")[:10]
        ),
    )
