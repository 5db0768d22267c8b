"""The 実績 of a period, for what one user may see: the one entry point of the results report.

``fiscal_year(user, year, **filters)`` is what the annual evaluation pack calls;
``results(user, period, ...)`` serves the report page, a month included. Client figures count
only ``Client.objects.visible_to(user, referred=False)`` — the user's own town's clients,
not another town's referred to them — narrowed by the filters; the community figures
(volunteers, events, listings) are the town's. The figures are exact; ``tables`` presents them,
``public_tables`` with small cells suppressed for anything that leaves the team.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from matching.access import visible_areas
from matching.models import Client, Team
from matching.models.clients import FIELD_FLAGS
from reports.charts import Chart
from resources.models import Area

from . import clients as client_figures
from . import community
from .breakdowns import Breakdown, Group, GroupSet, field_choices, groups, is_partition
from .periods import Period
from .tables import Table, results_charts, results_tables

NO_FIELD = "none"


@dataclass(frozen=True)
class Filters:
    """What narrows the clients counted (each None or empty: no narrowing)."""

    team: Team | None = None
    area: Area | None = None
    field: str = ""  # one of FIELD_FLAGS, NO_FIELD, or ""

    def apply(self, clients: QuerySet[Client]) -> QuerySet[Client]:
        if self.team is not None:
            clients = clients.filter(team=self.team)
        if self.area is not None:
            clients = clients.filter(area=self.area)
        if self.field == NO_FIELD:
            clients = clients.filter(**dict.fromkeys(FIELD_FLAGS, False))
        elif self.field:
            clients = clients.filter(**{self.field: True})
        return clients

    def describe(self) -> list[str]:
        """The filters in words, for the page and every export's heading."""
        lines = []
        if self.team is not None:
            lines.append(_("Team: %(team)s") % {"team": self.team})
        if self.area is not None:
            lines.append(_("District: %(area)s") % {"area": self.area})
        if self.field:
            labels = {**dict(field_choices()), NO_FIELD: _("Not recorded")}
            lines.append(_("Support field: %(field)s") % {"field": labels[self.field]})
        return lines


@dataclass
class Results:
    period: Period
    breakdown: str
    filters: Filters
    as_of: dt.date
    points: list[int]
    rows: list[client_figures.GroupFigures]  # one per group of the breakdown
    total: client_figures.GroupFigures
    end_reasons: list[client_figures.EndReasonRow]
    volunteers: int
    hours: list[community.HoursRow]
    events: list[community.EventMonth]
    listings_by_area: list[community.ListingRow]
    listings_by_interest: list[community.ListingRow]
    minimum_cell: int = field(default_factory=lambda: int(settings.REPORT_MIN_CELL))

    @property
    def description(self) -> list[str]:
        """The period and the filters in words, for headings and exports."""
        return [self.period.label, *self.filters.describe()]

    @cached_property
    def tables(self) -> list[Table]:
        """Every table, exact: for the team's own screen."""
        return results_tables(self)

    @cached_property
    def public_tables(self) -> list[Table]:
        """Every table with small cells suppressed: exports, print packs, meetings."""
        return [table.protected(self.minimum_cell) for table in self.tables]

    @cached_property
    def charts(self) -> list[Chart]:
        return results_charts(self, self.tables)

    @cached_property
    def public_charts(self) -> list[Chart]:
        return results_charts(self, self.public_tables)


def results(
    user: Any,
    period: Period,
    *,
    breakdown: str = Breakdown.NONE,
    filters: Filters | None = None,
    today: dt.date | None = None,
) -> Results:
    """The figures of ``period`` over the clients ``user`` may see, narrowed by ``filters``."""
    filters = filters or Filters()
    today = today or timezone.localdate()
    points = sorted(settings.FOLLOWUP_INTERVALS_DAYS)
    clients = filters.apply(Client.objects.visible_to(user, referred=False))
    row_groups = groups(breakdown, user=user, age_on_year=period.start.year)
    everyone = Group("", _("Total"), Q())
    figures = client_figures.group_figures(
        clients,
        period,
        GroupSet([*row_groups, everyone], partition=is_partition(breakdown)),
        points=points,
        today=today,
    )
    return Results(
        period=period,
        breakdown=breakdown,
        filters=filters,
        as_of=today,
        points=points,
        rows=figures[:-1],
        total=figures[-1],
        end_reasons=client_figures.end_reasons(clients, period),
        volunteers=community.active_volunteers(period, today),
        hours=community.hours_by_organisation(period),
        events=community.event_participation(period),
        listings_by_area=community.listings_by_area(filters.area, areas=visible_areas(user)),
        listings_by_interest=community.listings_by_interest(filters.area),
    )


def fiscal_year(
    user: Any,
    year: int,
    *,
    breakdown: str = Breakdown.NONE,
    team: Team | None = None,
    area: Area | None = None,
    field: str = "",
    today: dt.date | None = None,
) -> Results:
    """The 実績 of fiscal year ``year`` (April ``year`` to March ``year + 1``)."""
    return results(
        user,
        Period(year),
        breakdown=breakdown,
        filters=Filters(team=team, area=area, field=field),
        today=today,
    )
