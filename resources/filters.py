"""The directory's facets: parsed from the GET query, so every combination is a shareable URL.

Each facet has two forms with one meaning: a ``Q`` (``facet_q``) for querysets (the map, the
calendar's events) and a bitset (``option_bits``) over the facet index, which the result list
and the counts next to each checkbox use. A test compares the two on every facet. Groups where
one of several options is enough (district, day, time of day, audience, kind) are OR within the
group and counted as "what ticking this would add"; needs (cost, accessibility, transport)
must all be met and are counted within the current results. Tags are one group per kind of
term (interests, support needs, audiences, accommodations): サロン or 体操, and a ticked
accommodation as well; each kind is counted like the any-of groups."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import reduce
from operator import and_, or_
from typing import Any, TypeVar

import django_filters
from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    Exists,
    OuterRef,
    Q,
    QuerySet,
)
from django.http import QueryDict
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from tsunagu.island import Town, in_towns, is_shared
from tsunagu.text import normalize

from .caching import ProcessMemo
from .facet_index import FacetIndex, facet_index
from .models import ActivityPage, ListingPage, ListingTag, PlacePage, ScheduleRule, Term
from .models.schedules import TIME_BANDS, WEEKDAY_CHOICES
from .search.query import search_words
from .search.ranking import names_first
from .search_input import SearchQueryField
from .selectors import (
    SearchHits,
    areas,
    listing_rows,
    listing_search_query,
    search_hits,
    vocabulary,
)

T = TypeVar("T")

# What a word matched in a directory, until the next publish: residents search a word, then
# narrow it by district or page through it, and the full-text match of a common word among
# 40,000 listings (8,000 hits: 13 ms) was the largest part of each of those requests, and
# scoring the few hundred the facets left the next (433 keys sent to ts_rank: 14 ms). The hits,
# their bitset and their order are kept (three entries per word).
_keyword_hits: ProcessMemo[Any] = ProcessMemo(kept=96)


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

# Facets where options widen the results (OR) and those where each ticked option narrows them;
# tags widen within one kind of term and narrow across kinds.
ANY_OF_GROUPS = ("town", "kind", "area", "audience", "weekday", "time")
ALL_OF_GROUPS = ("cost", "access", "transport")
FACET_GROUPS = (*ANY_OF_GROUPS, *ALL_OF_GROUPS, "tag")
# Day and time of day are matched on the same schedule rule (Saturday *morning*).
COUPLED = {"weekday": "time", "time": "weekday"}
# Tags shown, over all kinds' groups: the most used among the results (and any ticked).
TAG_FACET_LIMIT = 30
# What the facet index reads from each listing: values, and flags it keeps the true ones of
# (schedules and tags come with it).
INDEXED_FIELDS = ("content_type_id", "area_id", "cost")
INDEXED_FLAGS = (*AUDIENCE_FIELDS.values(), *ACCESS_FIELDS, *TRANSPORT_FIELDS)
# On a site sharing with the island, also each listing's town (``selectors.directory_listings``).
ISLAND_FIELDS = ("town", *INDEXED_FIELDS)


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


class SearchFilter(django_filters.CharFilter):
    """Keywords, capped in length and words (``search_input``)."""

    field_class = SearchQueryField


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
    # Options of the same name in earlier groups (tags come in one group per kind of term),
    # so every checkbox gets its own id.
    offset: int = 0


@dataclass(frozen=True)
class ActiveFilter:
    """One condition in force, and the query string without it."""

    legend: str
    label: str
    remove_query: str


class DirectoryFilterSet(django_filters.FilterSet):
    """Filters over the directory's live listings; the form doubles as the facet validator."""

    q = SearchFilter(label=_("Keywords"), method="filter_keywords")
    # Offered only where the site shares with the island; no town ticked means all of them.
    town = django_filters.MultipleChoiceFilter(label=_("Town"), method="filter_facet")
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
        *,
        scope: str | None = None,
        island: list[Town] | None = None,
        **kwargs: Any,
    ) -> None:
        """``scope`` names the queryset for the facet index (see ``facet_index``); ``island``
        is the towns the queryset covers (``tsunagu.island.island_of``), the site's own first."""
        super().__init__(_normalized(data), queryset, **kwargs)
        self.scope = scope
        self.island = island or []
        self.filters["town"].extra["choices"] = (
            [(str(town.site_id), town.name) for town in self.island]
            if is_shared(self.island)
            else []
        )
        # Districts and terms change rarely: cached lists validate and label the choices.
        self.filters["area"].extra["choices"] = [(str(area.pk), area.name) for area in areas()]
        self.filters["tag"].extra["choices"] = [(term.slug, term.name) for term in vocabulary()]
        self.today = timezone.localdate()
        self._hits: SearchHits | None = None
        self._index: FacetIndex | None = None
        self._searched = False

    # --- filtering

    def filter_keywords(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        hits = self.hits()
        return queryset if hits is None else queryset.filter(pk__in=hits.matching)

    def results(self) -> IndexedResults:
        """The filtered listings in display order: with keywords, listings named for them
        first, then by relevance (``resources.search.ranking``); else by kana."""
        index, bits = self.index(), self._result_bits()
        if self.hits() is None:
            return IndexedResults(listing_rows(), index.ordered(bits))
        among = index.keys_of(bits)
        if self.scope is None:
            return IndexedResults(listing_rows(), self._ranked(among))
        # A hit's place in the order does not depend on the facets: rank every hit of the
        # words once, and each district, tag or page after that is a sort of what is left.
        q = self.selected().get("q", "")
        place = self._kept(
            f"order:{q}",
            lambda: {
                key: n for n, key in enumerate(self._ranked(index.keys_of(self._searched_bits)))
            },
        )
        return IndexedResults(listing_rows(), sorted(among, key=place.__getitem__))

    def _ranked(self, keys: Sequence[int]) -> list[int]:
        """``keys`` in display order: listings named for the words first, then by relevance."""
        words = search_words(self.selected().get("q", ""))
        return names_first(self.hits().ranked(keys), self.index().folded_name, words)

    def filter_facet(self, queryset: QuerySet, name: str, value: Sequence[str]) -> QuerySet:
        return queryset.filter(self.facet_q(name, value))

    def hits(self) -> SearchHits | None:
        """Search hits for ``q`` (None without keywords); searched once per request, and kept
        per directory until the next publish (``_keyword_hits``)."""
        if not self._searched:
            q = self.selected().get("q", "")
            self._hits = self._kept(f"hits:{q}", lambda: self._search(q))
            self._searched = True
        return self._hits

    def _search(self, q: str) -> SearchHits | None:
        query = listing_search_query(q)
        typed = listing_search_query(q, expanded=False)
        return None if query is None else search_hits(query, self.queryset, scored_by=typed)

    def _kept(self, key: str, build: Callable[[], T]) -> T:
        """``build()``, kept in ``_keyword_hits`` when the queryset is a named directory."""
        if self.scope is None:
            return build()
        return _keyword_hits.get(f"{self.scope}:{self.today}:{key}", build)

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
        if name == "town":
            return in_towns([town for town in self.island if str(town.site_id) in values])
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
                            ListingTag.objects.filter(
                                content_object=OuterRef("pk"), tag__slug__in=slugs
                            )
                        )
                    )
                    for slugs in self._tags_by_kind(values).values()
                ),
            )
        raise ValueError(name)

    @cached_property
    def _tag_kinds(self) -> dict[str, str]:
        return {term.slug: term.kind for term in vocabulary()}

    def _tags_by_kind(self, slugs: Iterable[str]) -> dict[str, list[str]]:
        """Ticked tags grouped by their term's kind: any of one group, every group."""
        found: dict[str, list[str]] = {}
        for slug in slugs:
            found.setdefault(self._tag_kinds[slug], []).append(slug)
        return found

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

    def index(self) -> FacetIndex:
        """Bitsets of the facet options over the unfiltered listings (built once per publish)."""
        if self._index is None:
            fields = ISLAND_FIELDS if is_shared(self.island) else INDEXED_FIELDS
            self._index = facet_index(
                self.queryset, fields, INDEXED_FLAGS, today=self.today, scope=self.scope
            )
        return self._index

    def option_bits(self, name: str, values: Iterable[Any]) -> int:
        """``facet_q`` over the index: the listings one facet group (or option) lets through."""
        index, values = self.index(), list(values)
        if name in ("weekday", "time"):
            selected = self.selected()
            days = values if name == "weekday" else selected.get("weekday", [])
            bands = values if name == "time" else selected.get("time", [])
            return index.scheduled([int(day) for day in days], list(bands))
        if name == "tag":
            return reduce(
                and_,
                (
                    reduce(or_, (index.tagged(slug) for slug in slugs))
                    for slugs in self._tags_by_kind(values).values()
                ),
            )
        if name == "kind":
            types = ContentType.objects.get_for_models(*(KIND_MODELS[v] for v in values))
            found = [index.where("content_type_id", ct.pk) for ct in types.values()]
        elif name == "area":
            found = [index.where("area_id", int(value)) for value in values]
        elif name == "town":
            found = [index.where("town", value) for value in values]
        elif name == "audience":
            found = [index.where(AUDIENCE_FIELDS[value], True) for value in values]
        elif name == "cost":
            found = [index.where("cost", ListingPage.Cost.FREE)]
        elif name in {"access", "transport"}:
            found = [index.where(field, True) for field in values]
        else:
            raise ValueError(name)
        return reduce(or_ if name in ANY_OF_GROUPS else and_, found)

    @cached_property
    def _group_bits(self) -> dict[str, int]:
        """Each selected group's listings; tags as one group per kind ("tag:interest")."""
        selected = self.selected()
        bits = {}
        for name in self._facet_names():
            if name == "tag":
                for kind, slugs in self._tags_by_kind(selected[name]).items():
                    bits[f"tag:{kind}"] = self.option_bits(name, slugs)
            else:
                bits[name] = self.option_bits(name, selected[name])
        return bits

    @cached_property
    def _searched_bits(self) -> int:
        """The listings matching the keywords alone: what facet counts are counted within."""
        hits = self.hits()
        index = self.index()
        if hits is None:
            return index.everything
        q = self.selected().get("q", "")
        return self._kept(f"bits:{q}", lambda: index.among(hits.keys))

    def _result_bits(self, ignored: frozenset[str] = frozenset()) -> int:
        """Keyword matches that pass every selected group except ``ignored``."""
        return reduce(
            and_,
            (bits for name, bits in self._group_bits.items() if name not in ignored),
            self._searched_bits,
        )

    # --- what the page shows about the filters

    def facets(self) -> tuple[int, list[Facet]]:
        """The number of results and every facet with its counts, from the index's bitsets.

        An any-of option (and a tag, within its kind) is counted as if its own group (and, for
        day and time, which share one rule, the partner group folded into the option) were not
        ticked; the others are counted within the current results.
        """
        selected = self.selected()
        within: dict[frozenset[str], int] = {}
        by_group: dict[str, list[FacetOption]] = {}
        for name, value, text in self._options():
            ignored = frozenset({name, COUPLED.get(name)} if name in ANY_OF_GROUPS else ())
            if ignored not in within:
                within[ignored] = self._result_bits(ignored)
            count = (within[ignored] & self.option_bits(name, [value])).bit_count()
            checked = value in selected.get(name, [])
            by_group.setdefault(name, []).append(FacetOption(value, text, count, checked))
        facets = [
            Facet(name, str(self.filters[name].label), by_group.get(name, []))
            for name in FACET_GROUPS
            if name != "tag"
        ]
        return self._result_bits().bit_count(), facets + self._tag_facets()

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

    def _tag_counts(self, kind: str) -> dict[str, int]:
        """Each tag of one kind: the results it would add, as if none of that kind were ticked."""
        within = self._result_bits(frozenset({f"tag:{kind}"}))
        tags = self.index().tags
        return {
            slug: (within & tags.get(slug, 0)).bit_count()
            for slug, of_kind in self._tag_kinds.items()
            if of_kind == kind
        }

    def _tag_facets(self) -> list[Facet]:
        """One group per kind of term, together showing the most used tags among the results
        (as many as one list showed before kinds were groups) and every ticked one."""
        names = dict(self.filters["tag"].field.choices)
        ticked = set(self.selected().get("tag", []))
        counts = {kind: self._tag_counts(kind) for kind in Term.Kind}
        used = [
            (-count, names[slug], slug)
            for by_slug in counts.values()
            for slug, count in by_slug.items()
            if count
        ]
        shown = {slug for *_order, slug in sorted(used)[:TAG_FACET_LIMIT]} | ticked
        facets, offset = [], 0
        for kind, by_slug in counts.items():
            slugs = sorted(shown.intersection(by_slug), key=lambda s: (-by_slug[s], names[s]))
            options = [FacetOption(s, names[s], by_slug[s], s in ticked) for s in slugs]
            legend = _("Tags (%(kind)s)") % {"kind": kind.label}
            facets.append(Facet("tag", str(legend), options, offset))
            offset += len(options)
        return facets

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

    def search_error(self) -> str | None:
        """Why the keywords were refused (over the caps), for a 400 beside the usable page."""
        self.is_valid()
        messages = self.errors.get("q")
        return str(messages[0]) if messages else None

    def query_string(self) -> str:
        """The current conditions as a query string (normalised), for paging, print and map."""
        return self._without("page")


class IndexedResults(Sequence):
    """Listings fetched a page at a time by key, in the order the index gave the keys."""

    def __init__(self, queryset: QuerySet, keys: Sequence[int]) -> None:
        self.queryset = queryset
        self.keys = keys

    def __len__(self) -> int:
        return len(self.keys)

    def __getitem__(self, index: Any) -> Any:
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        return self.fetch(self.keys[index])

    def fetch(self, keys: Sequence[int]) -> list[Any]:
        """The listings of ``keys``, in that order (one query)."""
        # No ORDER BY: the keys give the order (and compiling the tree order costs more here).
        rows = {page.pk: page for page in self.queryset.filter(pk__in=keys).order_by()}
        return [rows[pk] for pk in keys if pk in rows]
