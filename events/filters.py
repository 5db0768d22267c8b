"""Calendar filters: the directory's district, audience and tag facets, applied to events.

Reusing the directory's FilterSet keeps one meaning (and one URL syntax) for "国頭, for older
people, tagged 料理" across the site: several districts or audiences widen the results, each tag
narrows them.
"""

from typing import Any

from django.db.models import QuerySet
from django.http import QueryDict

from resources.filters import DirectoryFilterSet

CALENDAR_FACETS = ("area", "audience", "tag")


class EventFilterSet(DirectoryFilterSet):
    def __init__(
        self, data: QueryDict | None = None, queryset: QuerySet | None = None, **kwargs: Any
    ) -> None:
        super().__init__(data, queryset, **kwargs)
        # Keywords, kinds, opening days and the rest describe places, not dated events.
        for name in set(self.filters) - set(CALENDAR_FACETS):
            del self.filters[name]
