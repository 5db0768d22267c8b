"""What every iCalendar feed of the site carries, whichever app builds it.

A stable calendar id (UID and X-WR-RELCALID, made from the install's id and the feed's own key,
never from the Host header) and how often to poll: REFRESH-INTERVAL (RFC 7986, VALUE=DURATION
is required) for current apps and X-PUBLISHED-TTL for Outlook and older Apple Calendar.
"""

from __future__ import annotations

import datetime as dt
import uuid

from icalendar import Calendar, vDuration

# Feeds change when an editor publishes; hourly polling is plenty and spares the server.
REFRESH_EVERY = dt.timedelta(hours=1)


def calendar_uid(domain: str, key: str) -> str:
    """The same id for the same feed on every render and every hostname of this install."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"tsunagu:{domain}:{key}"))


def add_feed_properties(
    calendar: Calendar, *, uid: str, refresh: dt.timedelta = REFRESH_EVERY
) -> None:
    """Name the calendar once (UID, X-WR-RELCALID) and tell subscribers how often to poll."""
    for name in ("UID", "X-WR-RELCALID", "REFRESH-INTERVAL", "X-PUBLISHED-TTL"):
        calendar.pop(name, None)
    calendar.add("UID", uid)
    calendar.add("X-WR-RELCALID", uid)
    calendar.add("REFRESH-INTERVAL", refresh, parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", vDuration(refresh))
