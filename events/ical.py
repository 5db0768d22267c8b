"""iCalendar (RFC 5545) output: one VEVENT per event, repeating ones as RRULE + EXDATE.

Each event's VEVENT is rendered with icalendar when the event is saved and stored with it, so a
feed of thousands of events is a join of stored text. Everything in it comes from the published
row (stable UID, DTSTAMP = last publication): calendar apps see a change only when SEQUENCE rises.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.utils import timezone
from icalendar import Calendar, Event, Timezone, vRecur

from tsunagu.text import single_line, without_controls

if TYPE_CHECKING:
    from .models import EventPage

PRODID = "-//Tsunagu//events//JA"
_END = b"END:VCALENDAR\r\n"
# Controls other than the CR LF (and folding TAB) of content lines: never valid in a feed.
_STRAY_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@functools.cache
def _vtimezone(tzid: str) -> Timezone:
    """The VTIMEZONE for ``tzid``, built once per process (it is the same for every feed)."""
    return Timezone.from_tzid(tzid)


def _description(event: EventPage) -> str | None:
    notice = event.cancellation_notice if event.cancelled else ""
    text = "\n\n".join(part for part in (notice, event.summary) if part)
    return without_controls(text) or None


def vevent_text(event: EventPage, *, host: str, url: str) -> str:
    """The event as a VEVENT; ``host`` makes the UID (hsds_id@host), ``url`` is its page."""
    start, end = event.local_start, event.local_end
    stamp = (event.last_published_at or timezone.now()).astimezone(dt.UTC)
    vevent = Event.new(
        uid=f"{event.hsds_id}@{host}",
        summary=single_line(event.title),
        description=_description(event),
        location=single_line(event.location_text) or None,
        url=url,
        sequence=event.sequence,
        stamp=stamp,
        last_modified=stamp,
        status="CANCELLED" if event.cancelled else "CONFIRMED",
    )
    if event.all_day:
        vevent.add("DTSTART", start.date())
        vevent.add("DTEND", (end or start).date() + dt.timedelta(days=1))
    else:
        vevent.add("DTSTART", start)
        if end is not None:
            vevent.add("DTEND", end)
    if event.is_recurring:
        vevent.add("RRULE", vRecur(event.rrule_parts(date_until=event.all_day)))
        excluded = event.exdate_starts()
        if excluded:
            vevent.add("EXDATE", [e.date() for e in excluded] if event.all_day else excluded)
    if event.latitude is not None and event.longitude is not None:
        vevent.add("GEO", (float(event.latitude), float(event.longitude)))
    return vevent.to_ical().decode("utf-8")


def build_calendar(vevents: Iterable[str], *, name: str, uid: str) -> bytes:
    """A complete VCALENDAR around stored VEVENTs, named ``name`` (X-WR-CALNAME); ``uid`` names
    the feed itself and must be the same on every render."""
    calendar = Calendar.new(prodid=PRODID, name=single_line(name), uid=uid)
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("METHOD", "PUBLISH")
    tzid = timezone.get_default_timezone_name()
    calendar.add("X-WR-TIMEZONE", tzid)
    calendar.add_component(_vtimezone(tzid))
    head = calendar.to_ical().removesuffix(_END)
    # Stored VEVENTs written before titles were cleaned on save may still carry controls.
    body = _STRAY_CONTROLS.sub("", "".join(vevents))
    return head + body.encode("utf-8") + _END
