"""Community events (催し), their calendar page, and sign-ups (personal data, never a page)."""

from .occurrences import EventOccurrence
from .pages import EventExdate, EventIndexPage, EventPage, EventPageQuerySet
from .signups import EventSignup

__all__ = [
    "EventExdate",
    "EventIndexPage",
    "EventOccurrence",
    "EventPage",
    "EventPageQuerySet",
    "EventSignup",
]
