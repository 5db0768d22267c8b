"""Reads of the follow-up flow: a placement's check-ins and scores, the dashboard's counts, the
check-in lists on the client page. Each in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone

from matching.access import client_access
from matching.models import Client, Placement
from outbox.models import Message

from .emails import KINDS
from .models import CheckIn


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
        failed_sends=failed_sends(visible),
        by_state=by_state,
        upcoming=list(
            pending.filter(due_on__lt=week_end)
            .select_related("placement__client", "placement__activity")
            .order_by("due_on")[:10]
        ),
    )


def failed_sends(visible_clients: QuerySet) -> int:
    """Follow-up messages that failed or expired, about the given clients' check-ins.

    Three queries whatever the numbers, each reading only the failed messages and their own
    check-ins and clients (by primary key): ``object_id`` is text, so matching it against the
    check-ins inside one query would read every check-in the user may see instead.
    """
    object_ids = list(
        Message.objects.filter(kind__in=list(KINDS), status__in=Message.RETRYABLE)
        .order_by()
        .values_list("object_id", flat=True)
    )
    if not object_ids:
        return 0
    client_of = {
        str(pk): client_id
        for pk, client_id in CheckIn.objects.filter(pk__in=_uuids(object_ids)).values_list(
            "pk", "placement__client_id"
        )
    }
    visible = set(
        visible_clients.filter(pk__in=set(client_of.values())).values_list("pk", flat=True)
    )
    return sum(1 for object_id in object_ids if client_of.get(object_id) in visible)


def _uuids(values: Iterable[str]) -> set[uuid.UUID]:
    found = set()
    for value in values:
        try:
            found.add(uuid.UUID(value))
        except ValueError:
            continue
    return found
