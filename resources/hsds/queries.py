"""Reads for the HSDS API and the export: what the public may see, fetched in a fixed number of
queries whatever the page size (every relation a serializer touches is prefetched here)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest
from wagtail.models import PageViewRestriction, Site

from resources import caching
from resources.models import (
    ActivityPage,
    ListingTag,
    Organization,
    PlacePage,
    ScheduleException,
    ScheduleRule,
    Term,
)
from resources.selectors import listing_search_query, search_hits
from tsunagu import island
from tsunagu.text import query_terms


@dataclass(frozen=True)
class Visibility:
    """Live pages outside any private section: only those are open data. On an install of
    several towns, only the pages the request's site shows (its town's and, where it shares,
    the island's: ``tsunagu.island``); ``towns`` None means every page (one town)."""

    private_paths: tuple[str, ...]
    towns: tuple[island.Town, ...] | None = None

    @classmethod
    def load(cls, request: HttpRequest | None = None, *, site: Site | None = None) -> Visibility:
        """The request's site's pages (its island's), or ``site``'s own town's pages only (an
        export of one town, which that town imports back); every page on a one-town install."""
        paths = PageViewRestriction.objects.values_list("page__path", flat=True)
        towns = None
        if len(island.towns()) > 1:
            if site is not None:
                towns = tuple(island.island_of(site)[:1])  # the town itself, not the island
            elif request is not None:
                towns = tuple(island.island_for_request(request))  # none: no site, no page
        return cls(tuple(sorted(set(paths))), towns)

    def q(self, prefix: str = "") -> Q:
        q = Q(**{f"{prefix}live": True})
        for path in self.private_paths:
            q &= ~Q(**{f"{prefix}path__startswith": path})
        if self.towns is not None:
            q &= island.in_towns(list(self.towns), field=f"{prefix}path")
        return q

    def shows(self, page: PlacePage | ActivityPage | None) -> bool:
        return bool(
            page is not None
            and page.live
            and not any(page.path.startswith(p) for p in self.private_paths)
            and (self.towns is None or island.town_of_path(page.path, list(self.towns)))
        )


def _listing_prefetches(prefix: str = "") -> list[Prefetch]:
    return [
        Prefetch(
            f"{prefix}tagged_items",
            queryset=ListingTag.objects.select_related("tag__parent").order_by(
                "tag__kind", "tag__kana", "tag__name"
            ),
        ),
        Prefetch(
            f"{prefix}schedule_rules", queryset=ScheduleRule.objects.order_by("sort_order", "pk")
        ),
        Prefetch(
            f"{prefix}schedule_exceptions",
            queryset=ScheduleException.objects.order_by("date", "opens_at"),
        ),
    ]


def services(visibility: Visibility) -> QuerySet[ActivityPage]:
    """Public activities with what a one-to-one (list) document needs: their operator."""
    return (
        ActivityPage.objects.filter(visibility.q())
        .select_related("organization")
        .order_by("title", "hsds_id")
    )


def with_service_details(queryset: QuerySet[ActivityPage]) -> QuerySet[ActivityPage]:
    """Add everything a fully nested service document touches, its place's included."""
    return queryset.select_related(
        "area", "place", "place__area", "place__organization"
    ).prefetch_related(*_listing_prefetches(), *_listing_prefetches("place__"))


def places(visibility: Visibility) -> QuerySet[PlacePage]:
    return (
        PlacePage.objects.filter(visibility.q())
        .select_related("area", "organization")
        .prefetch_related(*_listing_prefetches())
        .order_by("title", "hsds_id")
    )


def with_location(queryset: QuerySet[ActivityPage], visibility: Visibility) -> QuerySet:
    """Activities that have a location: a public place, or an address or point of their own."""
    own = ~Q(address="") | Q(area__isnull=False) | Q(latitude__isnull=False)
    return queryset.filter(visibility.q("place__") | (Q(place__isnull=True) & own)).select_related(
        "place", "place__organization"
    )


def ordered_keys(queryset: QuerySet) -> list[Any]:
    """The primary keys of a list in its order, sorted once per generation of the content.

    Sorting 30,000 activities by name costs more than serving a page of them, and a harvester
    pages through all of them. The generation (``resources.caching``) changes on every publish,
    unpublish, move or delete and on edits of operators and terms; the key also holds the query
    itself, so the visibility (private sections), every filter and the order are part of it.
    """
    keys = queryset.values_list("pk", flat=True)
    try:
        sql, params = keys.query.sql_with_params()
    except EmptyResultSet:  # a filter that can match nothing (``none()``, ``pk__in=[]``)
        return []
    digest = hashlib.sha256(f"{sql}\n{params!r}".encode()).hexdigest()
    key = f"resources:hsds:keys:{caching.generation()}:{digest}"
    found = cache.get(key)
    if found is None:
        found = list(keys)
        cache.set(key, found, caching.SERVER_SECONDS)
    return found


def organizations() -> QuerySet[Organization]:
    return Organization.objects.order_by("kana", "name", "uuid")


def terms() -> QuerySet[Term]:
    # Not by kana: HSDS has no field for it, and an export must list terms in the same order
    # after it has been imported elsewhere.
    return Term.objects.select_related("parent").order_by("kind", "name", "uuid")


class Search:
    """A resident's query, matched the way the directory matches: every content word of the
    query (in any of its written forms or readings) among the text's Sudachi index terms."""

    def __init__(self, query: str) -> None:
        self.groups = query_terms(query)

    def __bool__(self) -> bool:
        """False when the query has no content words, so it constrains nothing."""
        return bool(self.groups)

    def matches(self, index_text: str) -> bool:
        terms_ = set(index_text.split())
        return all(any(alt in terms_ for alt in alternatives) for alternatives in self.groups)


def search_services(queryset: QuerySet[ActivityPage], query: str) -> QuerySet[ActivityPage]:
    """Filter by the listing's own search text (title, kana, summary, body, district, operator,
    tags and their synonyms) through the directory's search: the same index and query, so
    the API and the directory find the same listings (and 30,000 texts are not rebuilt)."""
    backend_query = listing_search_query(query)
    if backend_query is None:
        return queryset
    return queryset.filter(pk__in=search_hits(backend_query, queryset).matching)
