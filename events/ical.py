"""iCalendar (RFC 5545) output: one VEVENT per event, repeating ones as RRULE + EXDATE.

Each event's VEVENT is rendered with icalendar when the event is saved and stored with it, so a
feed of thousands of events is a join of stored text. Everything in it comes from the published
row (stable UID, DTSTAMP = last publication): calendar apps see a change only when SEQUENCE rises.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.utils import timezone
from icalendar import Calendar, Event, Timezone, vRecur

if TYPE_CHECKING:
    from .models import EventPage

PRODID = "-//Tsunagu//events//JA"
_END = b"END:VCALENDAR\r\n"


@functools.cache
def _vtimezone(tzid: str) -> Timezone:
    """The VTIMEZONE for ``tzid``, built once per process (it is the same for every feed)."""
    return Timezone.from_tzid(tzid)


def _description(event: EventPage) -> str | None:
    notice = event.cancellation_notice if event.cancelled else ""
    return "\n\n".join(part for part in (notice, event.summary) if part) or None


def vevent_text(event: EventPage, *, host: str, url: str) -> str:
    """The event as a VEVENT; ``host`` makes the UID (hsds_id@host), ``url`` is its page."""
    start, end = event.local_start, event.local_end
    stamp = (event.last_published_at or timezone.now()).astimezone(dt.UTC)
    vevent = Event.new(
        uid=f"{event.hsds_id}@{host}",
        summary=event.title,
        description=_description(event),
        location=event.location_text or None,
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
    calendar = Calendar.new(prodid=PRODID, name=name, uid=uid)
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("METHOD", "PUBLISH")
    tzid = timezone.get_default_timezone_name()
    calendar.add("X-WR-TIMEZONE", tzid)
    calendar.add_component(_vtimezone(tzid))
    head = calendar.to_ical().removesuffix(_END)
    return head + "".join(vevents).encode("utf-8") + _END
