"""Event dates in Japanese style, and the "this week" block for the home page."""

import datetime as dt
import functools

from django import template
from django.core.cache import cache
from django.http import HttpRequest
from django.template.defaultfilters import date as date_filter
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from wagtail.models import Site

from resources import caching
from resources.models.schedules import RRULE_DAYS, parse_weeks
from resources.schedule_text import time_text
from tsunagu.island import island_for_request
from tsunagu.sites import town_page

from ..models import EventIndexPage, EventOccurrence, EventPage
from ..models.pages import calendar_events, with_events
from ..occurrences import Occurrence
from ..week import WeekEntry

register = template.Library()
THIS_WEEK_DAYS = 7
THIS_WEEK_LIMIT = 6
THIS_WEEK_CACHE_SECONDS = 300


def _day(value: dt.date | dt.datetime) -> str:
    """2026年12月5日（土）"""
    return _day_in(value if type(value) is dt.date else value.date(), get_language())


@functools.lru_cache(maxsize=1024)  # a month grid labels every day; the text never changes
def _day_in(value: dt.date, language: str) -> str:
    return _("%(date)s (%(weekday)s)") % {
        "date": date_format(value, "DATE_FORMAT"),
        "weekday": date_filter(value, "D"),
    }


def _time(value: dt.datetime) -> str:
    return date_filter(value, "G:i")


@register.filter
def when(occurrence: Occurrence) -> str:
    """The date and time of an occurrence as one line: 2026年12月5日（土）10:00〜12:00."""
    start, end = occurrence.start, occurrence.end
    last_day = occurrence.last_day
    if occurrence.all_day:
        if last_day == start.date():
            return _("%(day)s, all day") % {"day": _day(start)}
        return _("%(start)s – %(end)s") % {"start": _day(start), "end": _day(last_day)}
    if end is None:
        return _("%(day)s from %(time)s") % {"day": _day(start), "time": _time(start)}
    if last_day == start.date():
        return _("%(day)s %(start)s – %(end)s") % {
            "day": _day(start),
            "start": _time(start),
            "end": _time(end),
        }
    return _("%(start)s – %(end)s") % {
        "start": f"{_day(start)} {_time(start)}",
        "end": f"{_day(end)} {_time(end)}",
    }


@register.filter
def times(occurrence: Occurrence) -> str:
    """Just the times of day: 10:00〜12:00, or "all day"."""
    if occurrence.all_day:
        return _("all day")
    if occurrence.end is None:
        return _("from %(time)s") % {"time": _time(occurrence.start)}
    return _("%(start)s – %(end)s") % {
        "start": _time(occurrence.start),
        "end": _time(occurrence.end),
    }


@register.filter
def entry_times(entry: WeekEntry) -> str:
    """A week entry's times of day: 10:00〜12:00, 10:00〜, or "all day"."""
    if entry.starts is None:
        return _("all day")
    if entry.ends is None:
        return _("from %(time)s") % {"time": time_text(entry.starts)}
    return _("%(start)s – %(end)s") % {
        "start": time_text(entry.starts),
        "end": time_text(entry.ends),
    }


@register.filter
def day_label(value: dt.date) -> str:
    """A day heading: 2026年12月5日（土）."""
    return _day(value)


@register.simple_tag(takes_context=True)
def events_this_week(context: template.Context) -> str:
    """Today and the next six days, for the home page; links to the full calendar.

    Rendered once per site and language every few minutes, and again after any publish (the
    page cache's generation), so the home page costs no query for it on most requests; an
    event that has just finished may stay listed for at most ``THIS_WEEK_CACHE_SECONDS``.
    """
    request = context.get("request")
    site = Site.find_for_request(request) if request else None
    bucket = int(timezone.now().timestamp()) // THIS_WEEK_CACHE_SECONDS
    key = ":".join(
        ["events:this-week", str(site.pk if site else 0), get_language() or "",
         caching.generation(), str(bucket)]
    )  # fmt: skip
    html = cache.get(key)
    if html is None:
        html = render_to_string(
            "events/tags/events_this_week.html", this_week_context(request, site)
        )
        cache.set(key, html, THIS_WEEK_CACHE_SECONDS)
    # Our own template's output, escaped as it was rendered.
    return mark_safe(html)


def _calendar_page(site: Site | None) -> EventIndexPage | None:
    return town_page(EventIndexPage, site)


@register.simple_tag(takes_context=True)
def week_view_url(context: template.Context) -> str:
    """The week view of the site's calendar ("" when there is none), for other sections' pages;
    remembered until the next publish, so a cached directory page costs no query for it."""
    request = context.get("request")
    site = Site.find_for_request(request) if request else None
    key = f"events:week-url:{site.pk if site else 0}:{caching.generation()}"
    url = cache.get(key)
    if url is None:
        calendar = _calendar_page(site)
        url = calendar.get_url(request) + calendar.reverse_subpage("week") if calendar else ""
        cache.set(key, url, caching.SERVER_SECONDS)
    return url


def this_week_context(request: HttpRequest | None, site: Site | None) -> dict:
    """What the "this week" block shows: up to six occurrences from now to the 7th day."""
    calendar_page = _calendar_page(site)
    occurrences: list[Occurrence] = []
    if calendar_page is not None:
        start = timezone.localtime()
        until = dt.datetime.combine(
            start.date() + dt.timedelta(days=THIS_WEEK_DAYS), dt.time(), tzinfo=start.tzinfo
        )
        island = island_for_request(request) if request is not None else []
        events = calendar_events(calendar_page, island)
        rows = EventOccurrence.objects.of(events).overlapping(start, until)
        occurrences = with_events(
            rows.values_list("event_id", "start")[: THIS_WEEK_LIMIT + 1], events
        )
    return {
        "request": request,
        "calendar_page": calendar_page,
        "occurrences": occurrences[:THIS_WEEK_LIMIT],
        "more": len(occurrences) > THIS_WEEK_LIMIT,
    }


def _joined(items: list[str]) -> str:
    # Translators: separator between items of a short list, e.g. days of the week.
    return _(", ").join(items)


@register.filter
def repeat_text(event: EventPage) -> str:
    """How a repeating event repeats, in words: 毎月第2火曜日（全6回）."""
    if not event.is_recurring:
        return ""
    codes = [code for code in event.weekdays.split(",") if code]
    days = _joined([str(WEEKDAYS[RRULE_DAYS.index(code)]) for code in codes])
    n = event.interval
    if event.frequency == EventPage.Frequency.WEEKLY:
        if n == 1:
            rule = _("Every week on %(days)s") % {"days": days}
        else:
            rule = _("Every %(n)d weeks on %(days)s") % {"n": n, "days": days}
    elif event.weeks_of_month:
        weeks = _joined(
            [_("last") if week < 0 else _("week %(n)d") % {"n": week}
             for week in parse_weeks(event.weeks_of_month)]
        )  # fmt: skip
        if n == 1:
            rule = _("Every month on the %(weeks)s %(days)s") % {"weeks": weeks, "days": days}
        else:
            rule = _("Every %(n)d months on the %(weeks)s %(days)s") % {
                "n": n,
                "weeks": weeks,
                "days": days,
            }
    else:
        day = event.local_start.day
        if n == 1:
            rule = _("Every month on day %(day)d") % {"day": day}
        else:
            rule = _("Every %(n)d months on day %(day)d") % {"n": n, "day": day}
    if event.repeat_count:
        return _("%(rule)s, %(count)d times") % {"rule": rule, "count": event.repeat_count}
    if event.repeat_until:
        return _("%(rule)s, until %(date)s") % {"rule": rule, "date": _day(event.repeat_until)}
    return rule
