"""iCalendar (RFC 5545) output: one VEVENT per event, repeating ones as RRULE + EXDATE; and the
weekly schedule of an activity, one repeating VEVENT per schedule rule.

Each event's VEVENT is rendered with icalendar when the event is saved and stored with it, so a
feed of thousands of events is a join of stored text. Everything in it comes from the published
row (stable UID, DTSTAMP = last publication): calendar apps see a change only when SEQUENCE rises.
An activity's few VEVENTs are rendered when its feed is asked for, under the same UID scheme.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, Timezone, vRecur

from resources.models.schedules import RRULE_DAYS
from tsunagu.ical import add_feed_properties
from tsunagu.text import single_line, without_controls

if TYPE_CHECKING:
    from resources.models import ActivityPage, ScheduleException, ScheduleRule

    from .models import EventPage

PRODID = "-//Tsunagu//events//JA"
# How far from the series' start to look for a rule's first session (a 5th-weekday rule may
# skip months).
FIRST_SESSION_WITHIN = dt.timedelta(days=400)
_END = b"END:VCALENDAR\r\n"
# Controls other than the CR LF (and folding TAB) of content lines: never valid in a feed.
_STRAY_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@functools.cache
def _vtimezone(tzid: str) -> Timezone:
    """The VTIMEZONE for ``tzid``, built once per process (it is the same for every feed)."""
    return Timezone.from_tzid(tzid)


def skipped_days_text(days: Iterable[tuple[dt.date, str]]) -> str:
    """The dates a series is not held on, each with its reason, as lines for DESCRIPTION.

    EXDATE alone tells a calendar app only *that* a date is skipped; every app honours it but
    none shows why. The reasons go into the series' own description, which every app shows;
    an extra cancelled RECURRENCE-ID instance for a date EXDATE already removed is not read the
    same way by every app, so it is not added.
    """
    with translation.override(settings.LANGUAGE_CODE):
        return "\n".join(
            _("Not held on %(date)s: %(reason)s") % {"date": date_format(day), "reason": reason}
            if reason
            else _("Not held on %(date)s") % {"date": date_format(day)}
            for day, reason in sorted(days, key=lambda pair: pair[0])
        )


def _description(event: EventPage) -> str | None:
    notice = event.cancellation_notice if event.cancelled else ""
    skipped = (
        skipped_days_text((ex.date, ex.note) for ex in event.exdates.all() if ex.date)
        if event.is_recurring
        else ""
    )
    text = "\n\n".join(part for part in (notice, event.summary, skipped) if part)
    return without_controls(text) or None


def vevent_text(event: EventPage, *, domain: str, url: str) -> str:
    """The event as a VEVENT; ``domain`` (the install's id) makes the UID hsds_id@domain,
    ``url`` is its page."""
    start, end = event.local_start, event.local_end
    stamp = (event.last_published_at or timezone.now()).astimezone(dt.UTC)
    vevent = Event.new(
        uid=f"{event.hsds_id}@{domain}",
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


def until_utc(day: dt.date) -> dt.datetime:
    """RRULE UNTIL for a rule that ends on ``day`` (local): its last second, in UTC, as RFC 5545
    asks when DTSTART has a TZID."""
    tz = timezone.get_default_timezone()
    after = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=tz)
    return after.astimezone(dt.UTC) - dt.timedelta(seconds=1)


def rule_recurrence(rule: ScheduleRule) -> vRecur:
    """A listing's schedule rule as an RRULE: weekly, or on weeks of the month."""
    day = RRULE_DAYS[rule.weekday]
    parts: dict[str, object] = (
        {"FREQ": "MONTHLY", "BYDAY": [f"{week}{day}" for week in rule.weeks]}
        if rule.weeks
        else {"FREQ": "WEEKLY", "BYDAY": [day]}
    )
    if rule.valid_until:
        parts["UNTIL"] = until_utc(rule.valid_until)
    return vRecur(parts)


def _session(day: dt.date, at: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, at, tzinfo=timezone.get_default_timezone())


def activity_vevents(
    activity: ActivityPage,
    rules: Iterable[ScheduleRule],
    exceptions: Iterable[ScheduleException],
    *,
    domain: str,
    url: str,
) -> list[str]:
    """An activity's weekly schedule as VEVENTs: one repeating event per rule (UID
    ``hsds_id-rule@domain``, the install's id), its closed and moved days as EXDATEs with their
    reasons in the description, and each moved day as an event of its own. Series start from
    the last publication (or the rule's first day, if later)."""
    published = activity.last_published_at or timezone.now()
    anchor = timezone.localtime(published).date()
    stamp = published.astimezone(dt.UTC)
    place = activity.place.title if activity.place_id and activity.place.live else ""
    common = {
        "summary": single_line(activity.title),
        "location": single_line(" ".join(p for p in (place, activity.address) if p)) or None,
        "url": url,
        "stamp": stamp,
        "last_modified": stamp,
    }
    changes = [exc for exc in exceptions if exc.date >= anchor]
    vevents = []
    for rule in rules:
        start = max(anchor, rule.valid_from or anchor)
        first = rule.occurrences(start, start + FIRST_SESSION_WITHIN)[:1]
        if not first:
            continue
        skipped_days = [
            (exc.date, exc.note)
            for exc in changes
            if exc.date >= first[0] and rule.occurrences(exc.date, exc.date)
        ]
        closed = {exc.date for exc in changes if exc.closed}
        reasons = skipped_days_text(pair for pair in skipped_days if pair[0] in closed)
        vevent = Event.new(
            uid=f"{activity.hsds_id}-{rule.pk}@{domain}",
            description=without_controls(
                "\n\n".join(p for p in (rule.note, activity.summary, reasons) if p)
            )
            or None,
            start=_session(first[0], rule.opens_at),
            end=_session(first[0], rule.closes_at),
            **common,
        )
        vevent.add("RRULE", rule_recurrence(rule))
        skipped = [_session(day, rule.opens_at) for day, _reason in skipped_days]
        if skipped:
            vevent.add("EXDATE", skipped)
        vevents.append(vevent)
    for exc in changes:
        if exc.closed or not (exc.opens_at and exc.closes_at):
            continue
        vevents.append(
            Event.new(
                uid=f"{activity.hsds_id}-x{exc.pk}@{domain}",
                description=without_controls(exc.note) or None,
                start=_session(exc.date, exc.opens_at),
                end=_session(exc.date, exc.closes_at),
                **common,
            )
        )
    for vevent in vevents:
        if activity.latitude is not None and activity.longitude is not None:
            vevent.add("GEO", (float(activity.latitude), float(activity.longitude)))
    return [vevent.to_ical().decode("utf-8") for vevent in vevents]


def build_calendar(vevents: Iterable[str], *, name: str, uid: str) -> bytes:
    """A complete VCALENDAR around stored VEVENTs, named ``name`` (X-WR-CALNAME); ``uid`` names
    the feed itself and must be the same on every render."""
    calendar = Calendar.new(prodid=PRODID, name=single_line(name))
    add_feed_properties(calendar, uid=uid)
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("METHOD", "PUBLISH")
    tzid = timezone.get_default_timezone_name()
    calendar.add("X-WR-TIMEZONE", tzid)
    calendar.add_component(_vtimezone(tzid))
    head = calendar.to_ical().removesuffix(_END)
    # Stored VEVENTs written before titles were cleaned on save may still carry controls.
    body = _STRAY_CONTROLS.sub("", "".join(vevents))
    return head + body.encode("utf-8") + _END
