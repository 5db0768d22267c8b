"""Stored occurrences: each date of an event as a row, written when the event is saved.

Calendars then read dates with one indexed query instead of expanding every rule on every
request; repeating events that never end are stored up to a horizon a daily task moves on.
"""

import datetime as dt

from django.db import models
from django.db.models import Q, QuerySet

# Dates further ahead than this are not stored for series that repeat for ever.
HORIZON = dt.timedelta(days=731)


class EventOccurrenceQuerySet(models.QuerySet):
    def overlapping(self, start: dt.datetime, end: dt.datetime) -> "EventOccurrenceQuerySet":
        """Occurrences running at any time in [start, end); a zero-length one must start in it."""
        return self.filter(start__lt=end).filter(Q(finish__gt=start) | Q(start__gte=start))

    def of(self, events: QuerySet) -> "EventOccurrenceQuerySet":
        return self.filter(event__in=events.values("pk"))


class EventOccurrence(models.Model):
    """One date of an event: when it starts, when it is over (midnight after an all-day one)
    and on how many calendar days it appears (so a month grid needs no end arithmetic)."""

    event = models.ForeignKey(
        "events.EventPage", on_delete=models.CASCADE, related_name="stored_occurrences"
    )
    start = models.DateTimeField(db_index=True)
    finish = models.DateTimeField()
    day_count = models.PositiveSmallIntegerField(default=1)

    objects = EventOccurrenceQuerySet.as_manager()

    class Meta:
        ordering = ["start", "event_id"]
        indexes = [models.Index(fields=["event", "start"])]
