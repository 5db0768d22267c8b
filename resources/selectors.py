"""Reads of the directory: Japanese full-text search, the listing querysets pages show.

Search goes through Wagtail's search backend over each listing's analyser terms and character
pairs (``resources.search``): AND across a query's words, OR across what each word may mean.
It runs on the index entries, so it is the same on SQLite (FTS5) and PostgreSQL (tsvector),
and moves unchanged to Elasticsearch.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from functools import reduce
from operator import and_
from typing import Any

from django.db.models import F, Func, IntegerField, Q, QuerySet, Value
from django.db.models.functions import Cast, Coalesce, NullIf
from modelsearch.utils import get_descendants_content_types_pks
from wagtail.models import Page
from wagtail.search.query import And, SearchQuery

from tsunagu.island import Town, is_shared, island_scope, town_annotation
from tsunagu.sites import staff_sites

from .caching import ProcessMemo
from .models import (
    ActivityPage,
    Area,
    ListingPage,
    Organization,
    PlacePage,
    ScheduleException,
    ScheduleRule,
    Term,
)
from .models.pages import ACCESSIBILITY_FLAGS, AUDIENCE_FLAGS
from .search.query import search_query
from .search.synonyms import synonym_map


def organizations_for_staff(user: Any) -> QuerySet[Organization]:
    """The groups a town's staff manage (edit, invite editors for): their own towns' (every
    town's for a superuser)."""
    return Organization.objects.filter(site__in=staff_sites(user))


def listing_search_query(q: str, *, expanded: bool = True) -> SearchQuery | None:
    """The backend query for what a resident typed; None when it has no content words.
    Unexpanded, without the vocabulary's other words: what results are scored by.

    Kept per query until the directory changes: analysing a word in both kana scripts and
    each of the vocabulary's words for it costs a few milliseconds, and residents repeat
    the same few words.
    """

    def build() -> SearchQuery | None:
        synonyms = _synonyms.get("synonyms", lambda: synonym_map(vocabulary()))
        return search_query(q, synonyms if expanded else {})

    return _queries.get(repr((q, expanded)), build)


# Past this many keys, one IN list costs more than scoring every hit.
SCORE_WITHIN = 1000


def _keep(order: Iterable[int], among: Collection[int]) -> list[int]:
    wanted = set(among)
    return [pk for pk in dict.fromkeys(order) if pk in wanted]


class SearchHits:
    """What matched a search: its keys, the same set for ``pk__in``, and relevance order.

    ``matching`` is a subquery where the backend allows it, so filters never carry thousands
    of keys as parameters. Both may include listings outside the queryset searched (drafts,
    other directories): callers only ever intersect them with their own. Here ``keys`` are
    already in relevance order.
    """

    def __init__(self, keys: list[int], matching: QuerySet | list[int]) -> None:
        self.keys = keys
        self.matching = matching

    def ranked(self, among: Collection[int]) -> list[int]:
        """``among`` (the hits that passed every other filter) in relevance order."""
        return _keep(self.keys, among)


class ScoredLaterHits(SearchHits):
    """Hits whose keys are read unscored; only those that pass the facets are scored, with the
    backend's own rank function.

    Scoring is the expensive part of a search (a rank per word form per hit): a common word's
    3,000 hits cost tens of milliseconds to score, the few dozen left after the facets under
    one. ``scored`` are the entries matching what was typed, without the vocabulary's words:
    the backends weigh every word of a query (SQLite reads the whole index list of each to
    score one hit), and a word's synonyms tripled the time; listings found only through them
    come after the others. Subclasses say how to narrow the index entries to given keys.
    """

    def __init__(
        self,
        keys: list[int],
        entries: QuerySet,
        score: Any,
        *,
        listing: Any,
        best_first: Any,
        scored: QuerySet | None = None,
    ) -> None:
        super().__init__(keys, entries.values(listing=listing))
        self.entries = entries
        self.scored = entries if scored is None else scored
        self.score = score
        self.listing = listing
        self.best_first = best_first

    def entries_of(self, among: Collection[int]) -> QuerySet:
        raise NotImplementedError

    def ranked(self, among: Collection[int]) -> list[int]:
        entries = self.entries_of(among) if len(among) <= SCORE_WITHIN else self.scored
        order = entries.annotate(score=self.score).order_by(self.best_first, self.listing.desc())
        first = _keep(order.values_list(self.listing, flat=True), among)
        scored = set(first)
        return first + [pk for pk in among if pk not in scored]


class PostgresHits(ScoredLaterHits):
    """Hits from the index table; scored entries are looked up by key, not by the match."""

    def __init__(self, entries: QuerySet, score: Any, *, by_key: QuerySet) -> None:
        listing = Cast("object_id", IntegerField())
        keys = list(
            dict.fromkeys(entries.annotate(listing=listing).values_list("listing", flat=True))
        )
        super().__init__(keys, entries, score, listing=listing, best_first=F("score").desc())
        self.by_key = by_key

    def entries_of(self, among: Collection[int]) -> QuerySet:
        return self.by_key.filter(object_id__in=[str(pk) for pk in among])


def search_hits(
    query: SearchQuery, listings: QuerySet[ListingPage], *, scored_by: SearchQuery | None = None
) -> SearchHits:
    """Listings matching ``query``, ranked by ``scored_by`` (default: the same query);
    combined by the caller with facet filters that the search backend cannot express
    (schedules, tags) in one ordinary queryset."""
    plain = listings.select_related(None).prefetch_related(None).only("pk")
    results = plain.search(query, order_by_relevance=True)
    compiler = type(results.query_compiler).__name__
    if compiler == "SQLiteSearchQueryCompiler":
        return _sqlite_hits(results, scored_by or query)
    if compiler == "PostgresSearchQueryCompiler":
        return _postgres_hits(results, scored_by or query)
    ranked = [page.pk for page in results]
    return SearchHits(ranked, ranked)


def _listing_types() -> list[int]:
    return get_descendants_content_types_pks(ListingPage)


def _postgres_hits(results: Any, scored_by: SearchQuery) -> SearchHits:
    """The PostgreSQL backend's ranking, read from its index table alone.

    The backend matches on the concatenation of each page's title and body vectors, which no
    index can serve: every listing's vectors were read for every search (over a second among
    40,000 listings). Here each of the query's words (an OR of its forms) must be in the title
    or the body, the same meaning, which PostgreSQL answers from their GIN indexes. The score
    is one ``ts_rank`` of the body (where the analyser's terms and pairs are) for
    ``scored_by``: the backend's own expression ranks each alternative separately, hundreds
    of ranks per hit once a word brings its vocabulary's words along.
    """
    from django.contrib.postgres.search import SearchRank
    from modelsearch.backends.database.postgres.postgres import IndexEntry

    compiler = results.query_compiler
    config = compiler.get_config(results.backend)
    query = compiler.query
    words = query.subqueries if isinstance(query, And) else [query]
    found = (compiler.build_tsquery(word, config=config) for word in words)
    types = _listing_types()
    entries = IndexEntry.objects.filter(content_type__in=types).filter(
        reduce(and_, (Q(title=tsquery) | Q(body=tsquery) for tsquery in found))
    )
    score = SearchRank(F("body"), compiler.build_tsquery(scored_by, config=config))
    return PostgresHits(entries, score, by_key=IndexEntry.objects.filter(content_type__in=types))


class SQLiteHits(ScoredLaterHits):
    """Hits read from the full-text table alone.

    Matching "体操" among 40,000 listings takes under a millisecond in the FTS table; joining
    each hit to its index entry for the listing's key took three more, and the backend's
    bm25 score (lower is better) four more again. The entry → listing map is read once per
    publish instead.
    """

    def __init__(
        self, entries: QuerySet, score: Any, listings: EntryListings, *, scored: QuerySet
    ) -> None:
        found = listings.by_entry
        keys = [
            key
            for entry in entries.values_list("index_entry_id", flat=True)
            if (key := found.get(entry)) is not None  # not a listing
        ]
        listing = Cast("index_entry__object_id", IntegerField())
        super().__init__(
            keys, entries, score, listing=listing, best_first=F("score").asc(), scored=scored
        )
        self.listings = listings

    def entries_of(self, among: Collection[int]) -> QuerySet:
        entry_of = self.listings.by_listing
        # Unary + keeps SQLite from handing the key list to FTS5, which answers a rowid list
        # beside MATCH by re-running the match per key (20 ms for 80 keys).
        return self.scored.annotate(
            entry=Func(F("index_entry_id"), template="+%(expressions)s")
        ).filter(entry__in=[entry_of[pk] for pk in among])


@dataclass(frozen=True)
class EntryListings:
    """Index entry ids to listing keys and back, for every listing in the search index."""

    by_entry: dict[int, int]
    by_listing: dict[int, int]


_entry_listings: ProcessMemo[EntryListings] = ProcessMemo(kept=2)


def _read_entry_listings(entry_model: Any) -> EntryListings:
    rows = entry_model.objects.filter(content_type__in=_listing_types()).values_list(
        "id", "object_id"
    )
    by_entry = {entry: int(listing) for entry, listing in rows}
    return EntryListings(by_entry, {listing: entry for entry, listing in by_entry.items()})


def _sqlite_hits(results: Any, scored_by: SearchQuery) -> SearchHits:
    """The SQLite backend's query and bm25 score, without its per-hit score subquery.

    The backend orders by a subquery that repeats the MATCH once per hit, which is
    quadratic: 15 s for a common word among 40,000 listings. Its score also calls ``bm25``
    twice per alternative of the query, and each call weighs every phrase of the match: one
    call ranks the same. Written against modelsearch's compiler, pinned in requirements.lock.
    """
    # Only importable where the SQLite backend is in use.
    from modelsearch.backends.database.sqlite.query import BM25
    from modelsearch.backends.database.sqlite.sqlite import (
        IndexEntry,
        MatchExpression,
        SQLiteFTSIndexEntry,
        normalize,
    )

    compiler = results.query_compiler
    config = compiler.get_config(results.backend)

    def matching(query: SearchQuery) -> QuerySet:
        built = compiler.build_search_query(normalize(query), config=config)
        fields = compiler.fields or compiler.FTS_TABLE_FIELDS
        return SQLiteFTSIndexEntry.objects.filter(MatchExpression(fields, built))

    listings = _entry_listings.get("sqlite", lambda: _read_entry_listings(IndexEntry))
    entries = matching(compiler.query)
    scored = entries if scored_by is compiler.query else matching(scored_by)
    return SQLiteHits(entries, BM25(), listings, scored=scored)


_lists: ProcessMemo[list] = ProcessMemo(kept=4)
_synonyms: ProcessMemo[dict[str, list[str]]] = ProcessMemo(kept=2)
_queries: ProcessMemo[SearchQuery | None] = ProcessMemo(kept=512)


def areas() -> list[Area]:
    """All districts, kept until the directory next changes (they label every facet)."""
    return _lists.get("areas", lambda: list(Area.objects.all()))


def vocabulary() -> list[Term]:
    """All terms, kept like the districts: tag filters are validated against them."""
    return _lists.get("terms", lambda: list(Term.objects.all()))


# What a result card and its printed form show: loading a listing's other columns (its body,
# the page tree's) for twenty cards took longer than finding them.
CARD_FIELDS = (
    "title",
    "path",
    "url_path",
    "content_type_id",
    "summary",
    "area",
    "address",
    "phone",
    "cost",
    "cost_note",
    *AUDIENCE_FLAGS,
    *ACCESSIBILITY_FLAGS,
    "near_bus_stop",
)


def listing_rows() -> QuerySet[ListingPage]:
    """Listings with what a result card shows (district, schedule rules), with no filters:
    a page of results is fetched by the keys the facet index chose."""
    return (
        ListingPage.objects.select_related("area")
        .prefetch_related("schedule_rules")
        .only(*CARD_FIELDS)
    )


def directory_listings(
    directory: Page, *, island: list[Town] | None = None
) -> QuerySet[ListingPage]:
    """Live places and activities of one directory, ready for a result list (no N+1).

    Descendants, not children: a community group's listings sit in its section page. On a
    town's site that shares with the island (``island``: its own town first, then the others,
    ``tsunagu.island``), the other towns' listings too, each row annotated with its town's site
    id as ``town`` (the facet index counts it).
    """
    listings = listing_rows().live()
    if island and is_shared(island):
        listings = listings.filter(island_scope(directory.path, island)).annotate(
            town=town_annotation(island)
        )
    else:
        listings = listings.descendant_of(directory)
    return listings.order_by(Coalesce(NullIf("kana", Value("")), "title"), "title")


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
