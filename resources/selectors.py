"""Reads of the directory: Japanese full-text search, the listing querysets pages show.

Search goes through Wagtail's search backend over the Sudachi-tokenised ``search_text`` (see
``tsunagu.text``): the query is built from the same tokenizer, AND across a query's words and
OR across each word's forms. It runs on the index entries, so it is the same on SQLite (FTS5)
and PostgreSQL (tsvector), and moves unchanged to Elasticsearch.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import QuerySet, Value
from django.db.models.functions import Coalesce, NullIf
from modelsearch.utils import get_descendants_content_types_pks
from wagtail.models import Page
from wagtail.search.query import And, Or, PlainText, SearchQuery

from tsunagu.text import query_terms

from .caching import SERVER_SECONDS, generation
from .models import (
    ActivityPage,
    Area,
    ListingPage,
    PlacePage,
    ScheduleException,
    ScheduleRule,
    Term,
)

# Index terms are words: anything else (quotes, operators, brackets) would be query syntax to
# one backend or another, so such alternatives are dropped rather than escaped.
_WORD = re.compile(r"\w+")


def listing_search_query(q: str) -> SearchQuery | None:
    """The backend query for what a resident typed; None when it has no content words."""
    groups = [[alt for alt in alts if _WORD.fullmatch(alt)] for alts in query_terms(q)]
    groups = [alts for alts in groups if alts]
    if not groups:
        return None
    return And([Or([PlainText(alt) for alt in alts]) for alts in groups])


@dataclass(frozen=True)
class SearchHits:
    """What matched a search: keys in relevance order, and the same set for ``pk__in``.

    ``matching`` is a subquery where the backend allows it, so filters never carry thousands
    of keys as parameters. Either may include listings outside the queryset searched (drafts,
    other directories): callers only ever intersect them with their own queryset.
    """

    ranked: list[int]
    matching: QuerySet | list[int]


def search_hits(query: SearchQuery, listings: QuerySet[ListingPage]) -> SearchHits:
    """Listings matching ``query``; combined by the caller with facet filters that the search
    backend cannot express (schedules, tags) in one ordinary queryset."""
    plain = listings.select_related(None).prefetch_related(None).only("pk")
    results = plain.search(query, order_by_relevance=True)
    if type(results.query_compiler).__name__ == "SQLiteSearchQueryCompiler":
        return _sqlite_hits(results)
    ranked = [page.pk for page in results]
    return SearchHits(ranked, ranked)


def _sqlite_hits(results: Any) -> SearchHits:
    """The SQLite backend's ranking in one pass over the full-text index.

    The backend orders by a score subquery that repeats the MATCH once per hit, which is
    quadratic: 15 s for a common word among 40,000 listings. This reads the same bm25 scores
    (the backend's own rank expression, lower is better) for all hits at once. Written against
    modelsearch's compiler, pinned in requirements.lock.
    """
    # Only importable where the SQLite backend is in use.
    from modelsearch.backends.database.sqlite.sqlite import (
        MatchExpression,
        SQLiteFTSIndexEntry,
        normalize,
    )

    compiler = results.query_compiler
    config = compiler.get_config(results.backend)
    match = MatchExpression(
        compiler.fields or compiler.FTS_TABLE_FIELDS,
        compiler.build_search_query(normalize(compiler.query), config=config),
    )
    entries = SQLiteFTSIndexEntry.objects.filter(match).filter(
        index_entry__content_type__in=get_descendants_content_types_pks(ListingPage)
    )
    scored = (
        entries.annotate(
            score=compiler._build_rank_expression(compiler.get_search_vectors(), config)
        )
        .order_by("score", "-index_entry__object_id")
        .values_list("index_entry__object_id", flat=True)
    )
    ranked = list(dict.fromkeys(int(pk) for pk in scored))
    return SearchHits(ranked, entries.values("index_entry__object_id"))


def areas() -> list[Area]:
    """All districts, cached until the directory next changes (they label every facet)."""
    return cache.get_or_set(f"resources:areas:{generation()}", _all(Area), SERVER_SECONDS)


def vocabulary() -> list[Term]:
    """All terms, cached like the districts: tag filters are validated against them."""
    return cache.get_or_set(f"resources:terms:{generation()}", _all(Term), SERVER_SECONDS)


def _all(model: type[Area] | type[Term]) -> Callable[[], list]:
    return lambda: list(model.objects.all())


def directory_listings(directory: Page) -> QuerySet[ListingPage]:
    """Live places and activities of one directory, ready for a result list (no N+1).

    Descendants, not children: a community group's listings sit in its section page.
    """
    return (
        ListingPage.objects.live()
        .descendant_of(directory)
        .select_related("area")
        .prefetch_related("schedule_rules")
        .order_by(Coalesce(NullIf("kana", Value("")), "title"), "title")
    )


def place_activities(place: PlacePage) -> QuerySet[ActivityPage]:
    """The live activities held at a place, for its page."""
    return (
        ActivityPage.objects.live()
        .filter(place=place)
        .select_related("area")
        .prefetch_related("schedule_rules")
        .order_by("title")
    )


def listing_schedule(page: ListingPage) -> tuple[list[ScheduleRule], list[ScheduleException]]:
    """A listing's rules and exceptions, read once for the text and the next dates.

    Through the page's own relations, so a preview shows the editor's unsaved rows.
    """
    return list(page.schedule_rules.all()), list(page.schedule_exceptions.all())
