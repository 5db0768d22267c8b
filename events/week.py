"""One week of everything that happens: events and regular activities, by day and time of day.

"What is on on Tuesday morning?" has an answer only when dated events and the weekly schedules
of activities are read together. Events come from their stored dates, activities from their
schedule rules and that week's exceptions; each is one query (plus one for the activities'
titles) whatever the number of listings, and the rules are expanded over the seven days only,
with the same reading of exceptions as an activity's own page (``next_occurrences``).

An entry sits in the time band (朝・昼・夕, the directory's ``TIME_BANDS``) its start falls in;
all-day events, and the later days of an event spanning several, come first as 終日.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from resources.models import ActivityPage, ScheduleException, ScheduleRule
from resources.models.schedules import TIME_BANDS
from resources.schedule_text import next_occurrences
from tsunagu.island import Town, island_for_request, island_scope

from .filters import WeekFilterSet
from .fragments import cached_fragment
from .models import EventIndexPage, EventOccurrence, EventPageQuerySet
from .models.pages import calendar_events, entry_link
from .occurrences import FIRST_WEEKDAY

DAYS = 7
ALL_DAY = "all_day"
BAND_LABELS: dict[str, Promise] = {
    ALL_DAY: _("All day"),
    "morning": pgettext_lazy("time band", "Morning"),
    "afternoon": pgettext_lazy("time band", "Afternoon"),
    "evening": pgettext_lazy("time band", "Evening"),
}
EVENT, ACTIVITY = "event", "activity"


def band_of(starts: dt.time | None) -> str:
    """The band a start time falls in; before 5:00 counts as morning, None as all day."""
    if starts is None:
        return ALL_DAY
    for name, (_opens, closes) in TIME_BANDS.items():
        if starts < closes:
            return name
    return "evening"


@dataclass(frozen=True, slots=True)
class WeekEntry:
    """One thing on one day: an event's date or an activity's session."""

    kind: str
    title: str
    url: str
    starts: dt.time | None  # None: all day, or a later day of a longer event
    ends: dt.time | None
    where: str = ""
    area: str = ""
    cancelled: bool = False
    changed: bool = False
    note: str = ""
    town: str = ""  # another town's name, on a site sharing with the island

    @property
    def band(self) -> str:
        return band_of(self.starts)

    @property
    def is_event(self) -> bool:
        return self.kind == EVENT


@dataclass(frozen=True, slots=True)
class Band:
    key: str
    label: str
    entries: list[WeekEntry]


@dataclass(frozen=True, slots=True)
class WeekDay:
    date: dt.date
    is_today: bool
    bands: list[Band]

    @property
    def count(self) -> int:
        return sum(len(band.entries) for band in self.bands)


def week_start(day: dt.date) -> dt.date:
    """The Sunday on or before ``day``: weeks run as Japanese wall calendars do."""
    return day - dt.timedelta(days=(day.weekday() - FIRST_WEEKDAY) % DAYS)


def event_entries(
    events: EventPageQuerySet,
    first: dt.datetime,
    after: dt.datetime,
    *,
    calendar_url: str,
    calendar_path: str,
    island: list[Town] | None = None,
) -> dict[dt.date, list[WeekEntry]]:
    """The events' dates in [first, after), one entry per day they run on (one query)."""
    fields = ("start", "finish", "day_count", "event__title", "event__path", "event__url_path",
              "event__cancelled", "event__all_day", "event__venue_name", "event__place__title",
              "event__area__name")  # fmt: skip
    rows = EventOccurrence.objects.of(events).overlapping(first, after).values_list(*fields)
    tz = first.tzinfo
    by_date: dict[dt.date, list[WeekEntry]] = defaultdict(list)
    for row in rows:
        start, finish, day_count, title, path, url_path, cancelled, all_day, *where = row
        venue, place, area = where
        url, town = entry_link(path, url_path, calendar_url, calendar_path, island or [])
        start, finish = start.astimezone(tz), finish.astimezone(tz)
        same_day = finish.date() == start.date() and finish > start
        for n in range(day_count):
            day = start.date() + dt.timedelta(days=n)
            if not first.date() <= day < after.date():
                continue
            timed = not all_day and n == 0
            by_date[day].append(
                WeekEntry(
                    kind=EVENT,
                    title=title,
                    url=url,
                    town=town,
                    starts=start.time() if timed else None,
                    ends=finish.time() if timed and same_day else None,
                    where=place or venue,
                    area=area or "",
                    cancelled=cancelled,
                )
            )
    return by_date


def activity_entries(
    activities: QuerySet[ActivityPage],
    first: dt.date,
    last: dt.date,
    *,
    home_url: str,
    home_path: str,
    island: list[Town] | None = None,
) -> dict[dt.date, list[WeekEntry]]:
    """The activities' sessions from ``first`` to ``last`` (three queries)."""
    keys = activities.values("pk")
    rules = ScheduleRule.objects.filter(listing__in=keys).filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=last),
        Q(valid_until__isnull=True) | Q(valid_until__gte=first),
    )
    exceptions = ScheduleException.objects.filter(listing__in=keys, date__range=(first, last))
    rules_of: dict[int, list[ScheduleRule]] = defaultdict(list)
    exceptions_of: dict[int, list[ScheduleException]] = defaultdict(list)
    for rule in rules:
        # Ending the rule with the week keeps the expansion to these seven days.
        rule.valid_until = min(rule.valid_until or last, last)
        rules_of[rule.listing_id].append(rule)
    for exception in exceptions:
        exceptions_of[exception.listing_id].append(exception)
    listed = rules_of.keys() | exceptions_of.keys()
    details = ActivityPage.objects.filter(pk__in=listed).values_list(
        "pk", "title", "path", "url_path", "place__title", "place__live", "area__name"
    )
    by_date: dict[dt.date, list[WeekEntry]] = defaultdict(list)
    for pk, title, path, url_path, place, place_live, area in details:
        url, town = entry_link(path, url_path, home_url, home_path, island or [])
        own_rules, own_exceptions = rules_of[pk], exceptions_of[pk]
        sessions = next_occurrences(
            own_rules, own_exceptions, start=first, count=len(own_rules) + len(own_exceptions)
        )
        for session in sessions:
            by_date[session.date].append(
                WeekEntry(
                    kind=ACTIVITY,
                    title=title,
                    url=url,
                    town=town,
                    starts=session.opens_at,
                    ends=session.closes_at,
                    where=place if place_live else "",
                    area=area or "",
                    changed=session.changed,
                    note=session.note,
                )
            )
    return by_date


def lay_out(
    first: dt.date,
    entries: Iterable[dict[dt.date, list[WeekEntry]]],
    *,
    today: dt.date,
    bands: set[str],
) -> list[WeekDay]:
    """Seven days from ``first``, each with its entries by band, in time order.

    ``bands`` keeps only those times of day (all-day entries stay: they are on all day).
    """
    merged: dict[dt.date, list[WeekEntry]] = defaultdict(list)
    for by_date in entries:
        for day, found in by_date.items():
            merged[day].extend(found)
    days = []
    for n in range(DAYS):
        day = first + dt.timedelta(days=n)
        by_band: dict[str, list[WeekEntry]] = defaultdict(list)
        for entry in sorted(merged[day], key=_order):
            if not bands or entry.band in bands or entry.band == ALL_DAY:
                by_band[entry.band].append(entry)
        days.append(
            WeekDay(
                date=day,
                is_today=day == today,
                bands=[
                    Band(key, str(label), by_band[key])
                    for key, label in BAND_LABELS.items()
                    if by_band[key]
                ],
            )
        )
    return days


def _order(entry: WeekEntry) -> tuple:
    return (entry.starts or dt.time.min, entry.ends or dt.time.max, entry.title, entry.url)


def _entries(
    calendar: EventIndexPage, filterset: WeekFilterSet, first: dt.date, island: list[Town]
) -> list[dict[dt.date, list[WeekEntry]]]:
    """Events under the calendar and activities on the same site (and the other sharing
    towns', where the site shares with the island), through the same facets."""
    tz = timezone.get_default_timezone()
    start = dt.datetime.combine(first, dt.time(), tzinfo=tz)
    after = dt.datetime.combine(first + dt.timedelta(days=DAYS), dt.time(), tzinfo=tz)
    condition = filterset.listing_q()
    found = []
    if filterset.shows(EVENT):
        events = calendar_events(calendar, island).filter(condition)
        found.append(
            event_entries(
                events,
                start,
                after,
                calendar_url=calendar.url,
                calendar_path=calendar.url_path,
                island=island,
            )
        )
    if filterset.shows(ACTIVITY):
        # The site's home: the calendar's parent, whose tree and URL paths prefix the calendar's.
        cut = len(calendar.slug) + 1
        activities = (
            ActivityPage.objects.live()
            .public()
            .filter(island_scope(calendar.path[: -calendar.steplen], island))
            .filter(condition)
        )
        found.append(
            activity_entries(
                activities,
                first,
                first + dt.timedelta(days=DAYS - 1),
                home_url=calendar.url[:-cut],
                home_path=calendar.url_path[:-cut],
                island=island,
            )
        )
    return found


def week_page_context(
    calendar: EventIndexPage,
    request: HttpRequest,
    *,
    day: dt.date,
    today: dt.date,
    filterset: WeekFilterSet,
    filter_query: str,
) -> dict:
    """The week holding ``day``: its days (a cached fragment) and links to the weeks around."""
    first = week_start(day)

    def render() -> str:
        days = lay_out(
            first,
            _entries(calendar, filterset, first, island_for_request(request)),
            today=today,
            bands=filterset.bands(),
        )
        return render_to_string(
            "events/includes/week_days.html",
            {"days": days, "has_entries": any(d.count for d in days)},
        )

    def url(sunday: dt.date | None = None) -> str:
        args = [] if sunday is None else [sunday.year, sunday.month, sunday.day]
        link = calendar.url + calendar.reverse_subpage("week", args=args)
        return f"{link}?{filter_query}" if filter_query else link

    # Cached like the month grid: until the next publish or the next day, per filter.
    parts = (calendar.pk, calendar.url, first, today, filter_query)
    return {
        "week_start": first,
        "week_end": first + dt.timedelta(days=DAYS - 1),
        "week_days": mark_safe(cached_fragment("week", request, parts, render)),
        "previous_week_url": url(first - dt.timedelta(days=DAYS)),
        "next_week_url": url(first + dt.timedelta(days=DAYS)),
        "this_week_url": url(),
        "is_this_week": first == week_start(today),
    }
