"""Reads of the 社会資源の充足状況: the aggregate over the waiting clients a user may see.

``summary(user)`` is what the admin page, its exports, its print version and the meeting papers
(``reports/sufficiency/_summary.html``) render: coordinators count their own teams' waiting
clients, supervisors and view-all staff the whole town's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from matching.gaps import TownGaps, town_gaps
from matching.models import Client
from matching.selectors import waiting_clients
from reports import charts
from reports.results.tables import Table

from ..models import OpeningRequest
from . import tables

# Never shown here, so never loaded (nor decrypted) here.
ENCRYPTED = ("name", "kana", "notes")


def waiting_for(user: Any) -> QuerySet[Client]:
    """The waiting clients this user may see: the one scope of every figure here."""
    return waiting_clients(Client.objects.visible_to(user, referred=False)).defer(*ENCRYPTED)


def last_requests(activity_ids: list[int]) -> dict[int, OpeningRequest]:
    """Activity id → its latest request to open (one query)."""
    latest: dict[int, OpeningRequest] = {}
    for request in OpeningRequest.objects.filter(activity_id__in=activity_ids).order_by(
        "activity_id", "-requested_on", "-pk"
    ):
        latest.setdefault(request.activity_id, request)
    return latest


SUMMARY_ROWS = 10  # rows of each list in the meeting papers' summary: one A4 page


@dataclass(frozen=True)
class CompactRow:
    """A row of the meeting papers' lists: a label and its suppressed figures."""

    label: str
    values: tuple


@dataclass
class Summary:
    as_of: dt.date
    gaps: TownGaps
    requested: dict[int, OpeningRequest]
    minimum_cell: int = field(default_factory=lambda: int(settings.REPORT_MIN_CELL))

    @cached_property
    def tables(self) -> list[Table]:
        """Exact: for the team's own screen."""
        return [
            tables.district_table(self.gaps),
            tables.unmet_table(self.gaps),
            tables.openings_table(self.gaps, self.requested),
        ]

    @cached_property
    def public_tables(self) -> list[Table]:
        """Small cells suppressed: exports, print, meeting papers."""
        return [table.protected(self.minimum_cell) for table in self.tables]

    @cached_property
    def public_totals(self) -> tuple:
        """(people waiting, of whom something is unmet), suppressed."""
        return tuple(self.public_tables[0].rows[-1].values)

    @cached_property
    def public_unmet(self) -> list[CompactRow]:
        """The most wanted unmet terms: (kind, people, activities in the town), suppressed."""
        rows = self.public_tables[1].rows[:-1]  # the last row counts people, not a term
        return [
            CompactRow(r.label, (r.values[0], r.values[-2], r.values[-1]))
            for r in rows[:SUMMARY_ROWS]
        ]

    @cached_property
    def public_openings(self) -> list[CompactRow]:
        """The places to ask: (people it would serve, why not now, what it offers), suppressed."""
        return [
            CompactRow(r.label, tuple(r.values[2:5]))
            for r in self.public_tables[2].rows[:SUMMARY_ROWS]
        ]

    @property
    def more_unmet(self) -> int:
        return max(len(self.gaps.unmet) - SUMMARY_ROWS, 0)

    @property
    def more_openings(self) -> int:
        return max(len(self.gaps.openings) - SUMMARY_ROWS, 0)

    @cached_property
    def chart(self) -> charts.Chart:
        return tables.unmet_map(self.tables[0], self.gaps)

    @cached_property
    def public_chart(self) -> charts.Chart:
        return tables.unmet_map(self.public_tables[0], self.gaps)


def summary(user: Any, *, today: dt.date | None = None) -> Summary:
    """The aggregate for ``user``'s scope: no names, no reference codes."""
    gaps = town_gaps(waiting_for(user))
    requested = last_requests([o.activity.pk for o in gaps.openings])
    return Summary(as_of=today or timezone.localdate(), gaps=gaps, requested=requested)
