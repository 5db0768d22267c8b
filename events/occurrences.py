"""Occurrences of events, and the month grid they are laid out on.

A repeating event is one page; residents see its dates. ``EventPage`` expands its rule into
``Occurrence`` objects (and stores them as rows); the calendar reads the rows back as these.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils.dates import WEEKDAYS, WEEKDAYS_ABBR

if TYPE_CHECKING:
    from .models import EventPage

# Japanese wall calendars start on Sunday.
FIRST_WEEKDAY = calendar.SUNDAY


@dataclass(frozen=True, slots=True)
class GridEntry:
    """What a month grid shows of one occurrence, read from a stored row without the page."""

    title: str
    url: str
    cancelled: bool
    all_day: bool
    start: dt.datetime
    day_count: int
    town: str = ""  # another town's name, on a site sharing with the island

    @property
    def days(self) -> list[dt.date]:
        first = self.start.date()
        return [first + dt.timedelta(days=n) for n in range(self.day_count)]


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One date of an event: local start and end; all-day ones count in whole days.

    ``end`` is the event's end on that date (for an all-day event, midnight of its last day);
    None when the event has no end time.
    """

    event: EventPage
    start: dt.datetime
    end: dt.datetime | None
    all_day: bool

    @property
    def cancelled(self) -> bool:
        return self.event.cancelled

    @property
    def last_day(self) -> dt.date:
        last = self.end or self.start
        if not self.all_day and last > self.start and last.timetz() == dt.time(tzinfo=last.tzinfo):
            # Ends at midnight: the evening before is its last day.
            return (last - dt.timedelta(days=1)).date()
        return last.date()

    @property
    def finishes_at(self) -> dt.datetime:
        """The instant it is over: the end, or midnight after the last day of an all-day one."""
        if self.all_day:
            after = self.last_day + dt.timedelta(days=1)
            return dt.datetime.combine(after, dt.time(), tzinfo=self.start.tzinfo)
        return self.end or self.start

    @property
    def days(self) -> list[dt.date]:
        first, last = self.start.date(), self.last_day
        return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]

    def overlaps(self, start: dt.datetime, end: dt.datetime) -> bool:
        """True when any part of it falls in [start, end); a zero-length one must start there."""
        if self.finishes_at == self.start:
            return start <= self.start < end
        return self.start < end and self.finishes_at > start


@dataclass(slots=True)
class Day:
    date: dt.date
    in_month: bool
    is_today: bool
    occurrences: list[Occurrence | GridEntry] = field(default_factory=list)
    limit: int | None = None

    @property
    def shown(self) -> list[Occurrence | GridEntry]:
        """The occurrences listed in the grid; a crowded day links to the rest."""
        return self.occurrences[: self.limit]

    @property
    def more(self) -> int:
        return len(self.occurrences) - len(self.shown)


def month_weeks(
    year: int,
    month: int,
    occurrences: Iterable[Occurrence | GridEntry],
    *,
    today: dt.date,
    limit: int | None = None,
) -> list[list[Day]]:
    """The month as weeks of seven days (Sunday first), each day holding its occurrences.

    An event spanning several days appears on each of them; ``limit`` caps what each day shows.
    """
    by_date: dict[dt.date, list[Occurrence | GridEntry]] = defaultdict(list)
    for occ in occurrences:
        for day in occ.days:
            by_date[day].append(occ)
    weeks = calendar.Calendar(FIRST_WEEKDAY).monthdatescalendar(year, month)
    return [
        [
            Day(
                date=date,
                in_month=date.month == month,
                is_today=date == today,
                occurrences=by_date.get(date, []) if date.month == month else [],
                limit=limit,
            )
            for date in week
        ]
        for week in weeks
    ]


def weekday_names() -> list[tuple[str, str]]:
    """(short, full) names of the grid's columns, Sunday first, in the active language."""
    order = [(FIRST_WEEKDAY + i) % 7 for i in range(7)]
    return [(str(WEEKDAYS_ABBR[day]), str(WEEKDAYS[day])) for day in order]


def month_bounds(year: int, month: int, tz: dt.tzinfo) -> tuple[dt.datetime, dt.datetime]:
    """Local midnight at the start of the month and of the next one."""
    first = dt.datetime(year, month, 1, tzinfo=tz)
    nxt = dt.datetime(year + month // 12, month % 12 + 1, 1, tzinfo=tz)
    return first, nxt
