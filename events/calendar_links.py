"""Add-to-calendar links for an event or a regular activity: Google Calendar, .ics, webcal://.

A phone's own calendar is where residents look. Google Calendar takes an event through its
template URL (``action=TEMPLATE``; ``dates`` in local time with ``ctz``, ``recur`` for the RRULE);
Apple's Calendar and most others open the .ics feed, and subscribe to it by ``webcal://`` so an
activity's changed or cancelled days follow by themselves. The recurrences are the ones the iCal
feeds carry (``EventPage.rrule_text``, ``ical.rule_recurrence``), so all three links agree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from resources.models import ActivityPage, ScheduleRule
from resources.schedule_text import current_rules, rule_text

from .ical import FIRST_SESSION_WITHIN, rule_recurrence
from .models import EventPage

GOOGLE_TEMPLATE = "https://calendar.google.com/calendar/render"
# Google Calendar subscribes to a feed given as ``cid`` (a webcal:// or https:// address).
GOOGLE_SUBSCRIBE = "https://calendar.google.com/calendar/render?cid="
# What Google shows under the title: the summary, cut short (the link stays a sane length).
DETAILS_LIMIT = 300


@dataclass(frozen=True, slots=True)
class GoogleLink:
    url: str
    label: str = ""  # the rule in words, when an activity has several


@dataclass(frozen=True, slots=True)
class CalendarLinks:
    ics_url: str
    google: list[GoogleLink] = field(default_factory=list)
    webcal_url: str = ""


@dataclass(frozen=True, slots=True)
class FeedLinks:
    """One feed three ways: the .ics address, webcal:// (Apple Calendar, Outlook, most phone
    apps subscribe when they open it) and Google Calendar's subscribe page."""

    ics_url: str
    webcal_url: str
    google_url: str


def feed_links(request: HttpRequest, path: str) -> FeedLinks:
    """Subscribe links for the feed at ``path`` (a site path, with its query if any)."""
    absolute = request.build_absolute_uri(path)
    webcal = f"webcal://{absolute.split('://', 1)[1]}"
    return FeedLinks(
        ics_url=absolute, webcal_url=webcal, google_url=GOOGLE_SUBSCRIBE + quote(webcal, safe="")
    )


def _wall_time(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y%m%dT%H%M%S")


def google_url(
    *,
    title: str,
    start: dt.datetime,
    end: dt.datetime | None,
    all_day: bool = False,
    details: str = "",
    location: str = "",
    recurrence: str = "",
) -> str:
    """Google Calendar's "add event" URL. An event without an end gets a zero-length slot;
    all-day dates end, as in iCalendar, on the day after."""
    if all_day:
        last = (end or start).date()
        dates = f"{start:%Y%m%d}/{last + dt.timedelta(days=1):%Y%m%d}"
    else:
        dates = f"{_wall_time(start)}/{_wall_time(end or start)}"
    params = {
        "action": "TEMPLATE",
        "text": title,
        "dates": dates,
        "ctz": timezone.get_default_timezone_name(),
    }
    if details:
        params["details"] = details[:DETAILS_LIMIT]
    if location:
        params["location"] = location
    if recurrence:
        params["recur"] = f"RRULE:{recurrence}"
    return f"{GOOGLE_TEMPLATE}?{urlencode(params, quote_via=quote)}"


def _details(summary: str, url: str) -> str:
    return "\n\n".join(part for part in (summary[:DETAILS_LIMIT], url) if part)


def event_links(event: EventPage, request: HttpRequest) -> CalendarLinks:
    """The whole event (a repeating one as its series, from its first date)."""
    start, end = event.local_start, event.local_end
    google = google_url(
        title=event.title,
        start=start,
        end=end,
        all_day=event.all_day,
        details=_details(event.summary, event.get_full_url(request) or ""),
        location=event.location_text,
        recurrence=event.rrule_text() if event.is_recurring else "",
    )
    return CalendarLinks(ics_url=event.ical_url(), google=[GoogleLink(google)])


def _next_session(rule: ScheduleRule, today: dt.date) -> dt.date | None:
    start = max(today, rule.valid_from or today)
    found = rule.occurrences(start, start + FIRST_SESSION_WITHIN)
    return found[0] if found else None


def activity_links(
    activity: ActivityPage, rules: list[ScheduleRule], request: HttpRequest, *, today: dt.date
) -> CalendarLinks | None:
    """One Google series per current rule, from its next session; the feed to open or subscribe
    to. None when nothing is scheduled."""
    tz = timezone.get_default_timezone()
    place = activity.place.title if activity.place_id and activity.place.live else ""
    location = " ".join(part for part in (place, activity.address) if part)
    details = _details(activity.summary, activity.get_full_url(request) or "")
    google = []
    for rule in current_rules(rules, today):
        day = _next_session(rule, today)
        if day is None:
            continue
        url = google_url(
            title=activity.title,
            start=dt.datetime.combine(day, rule.opens_at, tzinfo=tz),
            end=dt.datetime.combine(day, rule.closes_at, tzinfo=tz),
            details=details,
            location=location,
            recurrence=rule_recurrence(rule).to_ical().decode(),
        )
        google.append(GoogleLink(url, label=rule_text(rule)))
    if not google:
        return None
    ics_url = reverse("events:ical-activity", kwargs={"hsds_id": activity.hsds_id})
    webcal = request.build_absolute_uri(ics_url).split("://", 1)[1]
    return CalendarLinks(ics_url=ics_url, google=google, webcal_url=f"webcal://{webcal}")
