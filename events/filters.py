"""Calendar filters: the directory's facets, applied to events (and, in the week, to activities).

Reusing the directory's FilterSet keeps one meaning (and one URL syntax) for "国頭, for older
people, tagged 料理, free" across the site: several districts or audiences widen the results,
each tag, cost or accessibility need narrows them. The week adds what to show (events,
activities) and the time of day, both read from the entries it lays out.
"""

from functools import reduce
from operator import and_
from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from resources.filters import TIME_CHOICES, DirectoryFilterSet

CALENDAR_FACETS = ("area", "audience", "tag", "cost", "access", "transport")
# Not listing fields: the week applies these to the entries it has laid out.
WEEK_ONLY = ("kind", "time")
KIND_CHOICES = [
    ("event", pgettext_lazy("calendar entry kind", "Events")),
    ("activity", pgettext_lazy("calendar entry kind", "Regular activities")),
]


class EventFilterSet(DirectoryFilterSet):
    facets: tuple[str, ...] = CALENDAR_FACETS

    def __init__(
        self, data: QueryDict | None = None, queryset: QuerySet | None = None, **kwargs: Any
    ) -> None:
        super().__init__(data, queryset, **kwargs)
        # Keywords, kinds of place and opening days describe places, not dated events.
        for name in set(self.filters) - set(self.facets):
            del self.filters[name]


class WeekFilterSet(EventFilterSet):
    """The calendar's facets plus what to show and the time of day, for the week view."""

    facets = (*CALENDAR_FACETS, *WEEK_ONLY)

    kind = django_filters.MultipleChoiceFilter(
        label=_("What to show"), choices=KIND_CHOICES, method="on_entries"
    )
    time = django_filters.MultipleChoiceFilter(
        label=_("Time of day"), choices=TIME_CHOICES, method="on_entries"
    )

    def on_entries(self, queryset: QuerySet, name: str, value: Any) -> QuerySet:
        # Applied to the laid-out entries (``shows``, ``bands``), not to the listings.
        return queryset

    def listing_q(self) -> Q:
        """The valid listing facets in force, as one condition for events and activities alike
        (invalid values are ignored, as the directory ignores them)."""
        selected = self.selected()
        conditions = [
            self.facet_q(name, selected[name]) for name in CALENDAR_FACETS if name in selected
        ]
        return reduce(and_, conditions, Q())

    def shows(self, kind: str) -> bool:
        kinds = self.selected().get("kind")
        return not kinds or kind in kinds

    def bands(self) -> set[str]:
        """The ticked times of day; empty for all of them."""
        return set(self.selected().get("time", []))
