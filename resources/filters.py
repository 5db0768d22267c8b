"""The directory's facets: parsed from the GET query, so every combination is a shareable URL.

Each facet is also available as a ``Q`` (``facet_q``), so the result list and the counts next to
each checkbox apply exactly the same rules. Groups where one of several options is enough
(district, day, time of day, audience, kind) are OR within the group and counted as "what
ticking this would add"; needs (cost, accessibility, transport, tags) must all be met and are
counted within the current results.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import reduce
from operator import and_, or_
from typing import Any

import django_filters
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
)
from django.http import QueryDict
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from tsunagu.text import normalize

from .models import ActivityPage, ListingPage, ListingTag, PlacePage, ScheduleRule
from .models.schedules import TIME_BANDS, WEEKDAY_CHOICES
from .selectors import SearchHits, areas, listing_search_query, search_hits, vocabulary


def _label(field: str) -> str:
    return ListingPage._meta.get_field(field).verbose_name


KIND_MODELS = {"place": PlacePage, "activity": ActivityPage}
KIND_CHOICES = [("place", _("Places")), ("activity", _("Activities"))]
AUDIENCE_FIELDS = {
    "elderly": "for_elderly",
    "disabled": "for_disabled",
    "children": "for_children",
    "poverty": "for_poverty",
    "everyone": "for_everyone",
}
ACCESS_FIELDS = ("barrier_free", "accessible_toilet", "hearing_support", "vision_support")
TRANSPORT_FIELDS = ("pickup", "near_bus_stop", "parking")
TIME_CHOICES = [
    ("morning", _("Morning (5:00–12:00)")),
    ("afternoon", _("Afternoon (12:00–17:00)")),
    ("evening", _("Evening (from 17:00)")),
]
COST_CHOICES = [("free", _("Free only"))]

# Facets where options widen the results (OR) and those where each ticked option narrows them.
ANY_OF_GROUPS = ("kind", "area", "audience", "weekday", "time")
ALL_OF_GROUPS = ("cost", "access", "transport", "tag")
FACET_GROUPS = (*ANY_OF_GROUPS, *ALL_OF_GROUPS)
# Day and time of day are matched on the same schedule rule (Saturday *morning*).
COUPLED = {"weekday": "time", "time": "weekday"}
TAG_FACET_LIMIT = 30


def _normalized(data: QueryDict | Mapping[str, Any] | None) -> QueryDict | None:
    """Full-width digits, half-width kana and stray spaces folded before validation."""
    if data is None:
        return None
    if isinstance(data, QueryDict):
        items = data.lists()
    else:
        items = (
            (key, value if isinstance(value, list) else [value]) for key, value in data.items()
        )
    clean = QueryDict(mutable=True)
    for key, values in items:
        if key == "q":
            clean.setlist(key, [normalize(value) for value in values])
        else:
            clean.setlist(key, [unicodedata.normalize("NFKC", value).strip() for value in values])
    return clean


@dataclass(frozen=True)
class FacetOption:
    value: str
    label: str
    count: int
    checked: bool


@dataclass(frozen=True)
class Facet:
    name: str
    legend: str
    options: list[FacetOption]


@dataclass(frozen=True)
class ActiveFilter:
    """One condition in force, and the query string without it."""

    legend: str
    label: str
    remove_query: str


class DirectoryFilterSet(django_filters.FilterSet):
    """Filters over the directory's live listings; the form doubles as the facet validator."""

    q = django_filters.CharFilter(label=_("Keywords"), method="filter_keywords", max_length=100)
    kind = django_filters.MultipleChoiceFilter(
        label=_("Kind"), choices=KIND_CHOICES, method="filter_facet"
    )
    area = django_filters.MultipleChoiceFilter(label=_("District"), method="filter_facet")
    audience = django_filters.MultipleChoiceFilter(
        label=_("Who it is for"),
        choices=[(key, _label(field)) for key, field in AUDIENCE_FIELDS.items()],
        method="filter_facet",
    )
    weekday = django_filters.MultipleChoiceFilter(
        label=_("Day of the week"),
        choices=[(str(day), name) for day, name in WEEKDAY_CHOICES],
        method="filter_facet",
    )
    time = django_filters.MultipleChoiceFilter(
        label=_("Time of day"), choices=TIME_CHOICES, method="filter_facet"
    )
    cost = django_filters.MultipleChoiceFilter(
        label=_("Cost"), choices=COST_CHOICES, method="filter_facet"
    )
    access = django_filters.MultipleChoiceFilter(
        label=_("Accessibility"),
        choices=[(field, _label(field)) for field in ACCESS_FIELDS],
        method="filter_facet",
    )
    transport = django_filters.MultipleChoiceFilter(
        label=_("Getting there"),
        choices=[(field, _label(field)) for field in TRANSPORT_FIELDS],
        method="filter_facet",
    )
    tag = django_filters.MultipleChoiceFilter(label=_("Tags"), method="filter_facet")

    class Meta:
        model = ListingPage
        fields: list[str] = []

    def __init__(
        self,
        data: QueryDict | Mapping[str, Any] | None = None,
        queryset: QuerySet | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(_normalized(data), queryset, **kwargs)
        # Districts and terms change rarely: cached lists validate and label the choices.
        self.filters["area"].extra["choices"] = [(str(area.pk), area.name) for area in areas()]
        self.filters["tag"].extra["choices"] = [(term.slug, term.name) for term in vocabulary()]
        self.today = timezone.localdate()
        self._hits: SearchHits | None = None
        self._searched = False

    # --- filtering

    def filter_keywords(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        hits = self.hits()
        return queryset if hits is None else queryset.filter(pk__in=hits.matching)

    def results(self) -> QuerySet | RankedResults:
        """The filtered listings in display order: by relevance with keywords, else by kana."""
        hits = self.hits()
        return self.qs if hits is None else RankedResults(self.qs, hits.ranked)

    def filter_facet(self, queryset: QuerySet, name: str, value: Sequence[str]) -> QuerySet:
        return queryset.filter(self.facet_q(name, value))

    def hits(self) -> SearchHits | None:
        """Search hits for ``q`` (None without keywords); searched once per request."""
        if not self._searched:
            query = listing_search_query(self.selected().get("q", ""))
            self._hits = None if query is None else search_hits(query, self.queryset)
            self._searched = True
        return self._hits

    def selected(self) -> dict[str, Any]:
        """Valid, non-empty values; invalid fields are reported in ``errors`` and ignored."""
        self.is_valid()
        return {name: value for name, value in self.form.cleaned_data.items() if value}

    def facet_q(self, name: str, values: Iterable[Any]) -> Q:
        """The condition one facet group (or one option of it) puts on listings."""
        values = list(values)
        if name == "kind":
            types = ContentType.objects.get_for_models(*(KIND_MODELS[v] for v in values))
            return Q(content_type__in=list(types.values()))
        if name == "area":
            return Q(area_id__in=[int(value) for value in values])
        if name == "audience":
            return reduce(or_, (Q(**{AUDIENCE_FIELDS[value]: True}) for value in values))
        if name == "weekday":
            return self._rule_q(days=values, bands=self.selected().get("time", []))
        if name == "time":
            return self._rule_q(days=self.selected().get("weekday", []), bands=values)
        if name == "cost":
            return Q(cost=ListingPage.Cost.FREE)
        if name in {"access", "transport"}:
            return reduce(and_, (Q(**{field: True}) for field in values))
        if name == "tag":
            return reduce(
                and_,
                (
                    Q(
                        Exists(
                            ListingTag.objects.filter(content_object=OuterRef("pk"), tag__slug=slug)
                        )
                    )
                    for slug in values
                ),
            )
        raise ValueError(name)

    def _rule_q(self, *, days: Iterable[str], bands: Iterable[str]) -> Q:
        """Held on one of ``days`` in one of ``bands``, by one rule (not a day and a time apart)."""
        rules = ScheduleRule.objects.filter(listing=OuterRef("pk")).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=self.today)
        )
        if days := [int(day) for day in days]:
            rules = rules.filter(weekday__in=days)
        if bands := list(bands):
            rules = rules.filter(
                reduce(
                    or_,
                    (
                        Q(opens_at__lt=TIME_BANDS[band][1], closes_at__gt=TIME_BANDS[band][0])
                        for band in bands
                    ),
                )
            )
        return Q(Exists(rules))

    def searched(self) -> QuerySet:
        """The listings matching the keywords alone: what facet counts are counted within."""
        hits = self.hits()
        return self.queryset if hits is None else self.queryset.filter(pk__in=hits.matching)

    # --- what the page shows about the filters

    def facets(self) -> tuple[int, list[Facet]]:
        """The number of results and every facet with its counts, in one query.

        Each condition (a selected group, or one option) is evaluated once per listing in an
        inner select; the counts are sums over those columns. Counting with one filtered
        aggregate per option instead re-evaluates every schedule and tag subquery once per
        option and listing, which a directory of 40,000 listings cannot afford.
        """
        selected = self.selected()
        groups = {name: self.facet_q(name, selected[name]) for name in self._facet_names()}
        options = self._options()
        columns = {f"g_{name}": condition for name, condition in groups.items()}
        columns |= {
            f"o_{i}": self.facet_q(name, [value]) for i, (name, value, _) in enumerate(options)
        }
        sums = {"total": [f"g_{name}" for name in groups]}
        for index, (name, _value, _text) in enumerate(options):
            # An any-of option is counted as if its own group (and, for day and time, which
            # share one rule, the partner group folded into the option) were not ticked.
            ignored = {name, COUPLED.get(name)} if name in ANY_OF_GROUPS else set()
            others = [f"g_{group}" for group in groups if group not in ignored]
            sums[f"n{index}"] = [*others, f"o_{index}"]
        counts = _column_sums(self.searched(), columns, sums)
        ticked = {name: set(selected.get(name, [])) for name in FACET_GROUPS}
        by_group: dict[str, list[FacetOption]] = {}
        for index, (name, value, text) in enumerate(options):
            by_group.setdefault(name, []).append(
                FacetOption(value, text, counts[f"n{index}"], value in ticked[name])
            )
        facets = [
            Facet(name, str(self.filters[name].label), by_group.get(name, []))
            for name in FACET_GROUPS
            if name != "tag"
        ]
        tags = self._tag_options(total=counts["total"])
        facets.append(Facet("tag", str(self.filters["tag"].label), tags))
        return counts["total"], facets

    def _facet_names(self) -> list[str]:
        return [name for name in FACET_GROUPS if name in self.selected()]

    def _options(self) -> list[tuple[str, str, str]]:
        """(group, value, label) of every fixed option; tags are counted separately."""
        return [
            (name, str(value), str(label))
            for name in FACET_GROUPS
            if name != "tag"
            for value, label in self.filters[name].field.choices
        ]

    def _tag_options(self, *, total: int) -> list[FacetOption]:
        """The most used tags among the results, plus any ticked ones, with their counts."""
        names = dict(self.filters["tag"].field.choices)
        ticked = set(self.selected().get("tag", []))
        rows = (
            ListingTag.objects.filter(content_object__in=self.qs.order_by().values("pk"))
            .values("tag__slug", "tag__name")
            .annotate(count=Count("content_object", distinct=True))
            .order_by("-count", "tag__name")[:TAG_FACET_LIMIT]
        )
        options = [
            FacetOption(slug, row["tag__name"], row["count"], slug in ticked)
            for row in rows
            if (slug := row["tag__slug"])
        ]
        shown = {option.value for option in options}
        # Every result carries every ticked tag, so a ticked tag's count is the total.
        return options + [
            FacetOption(slug, names[slug], total, True) for slug in sorted(ticked - shown)
        ]

    def active_filters(self) -> list[ActiveFilter]:
        """Each condition in force, labelled, with a link that removes just that one."""
        selected = self.selected()
        active = []
        if "q" in selected:
            active.append(
                ActiveFilter(str(self.filters["q"].label), selected["q"], self._without("q"))
            )
        for name in FACET_GROUPS:
            legend = str(self.filters[name].label)
            labels = dict(self.filters[name].field.choices)
            active += [
                ActiveFilter(legend, str(labels[value]), self._without(name, value))
                for value in selected.get(name, [])
            ]
        return active

    def _without(self, name: str, value: str | None = None) -> str:
        """The query string without one value (or one field), the page and invalid fields."""
        data = self.data.copy()
        for dropped in ("page", *self.errors):
            data.pop(dropped, None)
        if value is None:
            data.pop(name, None)
        else:
            data.setlist(name, [v for v in data.getlist(name) if v != value])
        return data.urlencode()

    def query_string(self) -> str:
        """The current conditions as a query string (normalised), for paging, print and map."""
        return self._without("page")


class RankedResults(Sequence):
    """Filtered listings in the search's order, for a paginator or a print-out.

    Ordering in SQL would take a CASE with one branch per hit; thousands of hits made that
    slower to compile than to run. Instead the filtered keys are read once, ordered here by
    the ranking, and only the rows of the slice asked for are fetched.
    """

    def __init__(self, queryset: QuerySet, ranking: list[int]) -> None:
        self.queryset = queryset
        self.ranking = ranking

    @cached_property
    def keys(self) -> list[int]:
        wanted = set(self.queryset.order_by().values_list("pk", flat=True))
        return [pk for pk in self.ranking if pk in wanted]

    def __len__(self) -> int:
        return len(self.keys)

    def __getitem__(self, index: Any) -> Any:
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        keys = self.keys[index]
        rows = {page.pk: page for page in self.queryset.filter(pk__in=keys)}
        return [rows[pk] for pk in keys if pk in rows]


def _column_sums(
    queryset: QuerySet, columns: dict[str, Q], sums: dict[str, list[str]]
) -> dict[str, int]:
    """For each name in ``sums``, how many rows of ``queryset`` meet all its columns' conditions.

    Django's aggregate() would inline each condition into every count that uses it, so the
    inner select is compiled by Django and only the outer sum is written here.
    """
    inner = (
        queryset.order_by()
        .annotate(
            **{
                name: ExpressionWrapper(condition, output_field=BooleanField())
                for name, condition in columns.items()
            }
        )
        .values(*columns)
    )
    try:
        sql, params = inner.query.sql_with_params()
    except EmptyResultSet:  # no search hits: Django knows without asking the database
        return dict.fromkeys(sums, 0)
    outer = ", ".join(
        f"COALESCE(SUM(CASE WHEN {' AND '.join(names) or '1 = 1'} THEN 1 ELSE 0 END), 0)"
        for names in sums.values()
    )
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(
            f"WITH facet_rows AS MATERIALIZED ({sql}) SELECT {outer} FROM facet_rows", params
        )
        row = cursor.fetchone()
    return dict(zip(sums, row, strict=True))
