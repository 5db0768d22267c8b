"""Directory speed on 10,000 places and 30,000 activities (issue 3's budgets).

Run alone: .venv/bin/python -m pytest tests/benchmarks/test_directory_bench.py -q -s -p no:logging
(with DATABASE_URL for PostgreSQL). Budgets, server time through Django's test client, every
request rendered afresh (a query string the page cache has not seen), process caches warm:
the directory list with two facets and a search term p95 ≤ 50 ms; a detail page p95 ≤ 30 ms;
HSDS ``/services?per_page=50`` p95 ≤ 80 ms. The facet index's rebuild after a publish and the
first search for a word (its full-text match, kept until the next publish) are the first
request's cost, reported separately.

Times are checked as ``timing.budgeted`` says: CPU time on SQLite, wall clock on PostgreSQL.
After the build, the objects it left are frozen out of the garbage collector's reach
(``gc.freeze``), as a server process never holds 40,000 freshly built pages.
"""

from __future__ import annotations

import gc
import itertools
import statistics
import time
from collections.abc import Callable, Iterator
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from resources import caching
from resources.models import ActivityPage, Area, ListingPage, PlacePage, Term

from . import directory_data
from .timing import budgeted, line, p95, report, timings

RUNS = 60
LIST_P95_MS = 50.0
DETAIL_P95_MS = 30.0
HSDS_P95_MS = 80.0
MATCH_P50_MS = 100.0


@pytest.fixture(scope="module")
def big_directory(django_db_setup, django_db_blocker) -> Iterator[None]:
    """The demo town plus the generated listings, built once and rolled back after."""
    from tests.conftest import restore_migration_data

    with django_db_blocker.unblock(), transaction.atomic():
        restore_migration_data()
        started = time.perf_counter()
        call_command("load_demo", stdout=StringIO())
        directory_data.build()
        report(
            f"\nbuilt {ListingPage.objects.live().count():,} live listings "
            f"({PlacePage.objects.count():,} places, {ActivityPage.objects.count():,} activities) "
            f"in {time.perf_counter() - started:.1f} s"
        )
        gc.collect()
        gc.freeze()
        yield
        gc.unfreeze()
        transaction.set_rollback(True)


def timed(get: Callable[[int], int], label: str, budget: float) -> float:
    """Times ``get(i)`` (a new ``i`` each call, so the page cache never answers), prints both
    clocks, and returns the p95 the budget is checked on."""
    calls = itertools.count()

    def call() -> None:
        assert get(next(calls)) == 200

    wall, cpu = timings(call, RUNS)
    report(line(label, wall, cpu, budget))
    return p95(budgeted(wall, cpu))


def first_ms(get: Callable[[], object]) -> tuple[object, float]:
    started = time.perf_counter()
    value = get()
    return value, (time.perf_counter() - started) * 1000


@pytest.mark.django_db
def test_directory_list_with_facets_and_search(big_directory, client):
    directory = ListingPage.objects.first().get_parent()
    area = Area.objects.get(name="和泊")
    generated = directory_data.N_PLACES + directory_data.N_ACTIVITIES
    assert ListingPage.objects.live().descendant_of(directory).count() >= generated
    url = f"{directory.url}?q=体操&area={area.pk}&audience=elderly"
    caching.invalidate()  # as a publish does: the next request rebuilds the facet index
    hits, ms = first_ms(lambda: client.get(url).context["total"])
    report(f"first list request after a publish: {ms:.0f} ms")
    label = f"directory list (q=体操, area, audience; {hits} hits)"
    checked = timed(lambda i: client.get(f"{url}&b={i}").status_code, label, LIST_P95_MS)
    assert hits > 20, "the query must match a realistic number of listings"
    assert checked <= LIST_P95_MS


@pytest.mark.django_db
@pytest.mark.parametrize("q", ["ゆんたく", "ふれあいさろん", "きびる 公民館"])
def test_directory_list_with_kana_keywords(big_directory, client, q):
    """Kana typed as residents type it: a vocabulary synonym (ゆんたく brings 話し相手), a
    name found by its character pairs, two words; each with a district facet."""
    directory = ListingPage.objects.first().get_parent()
    area = Area.objects.get(name="和泊")
    url = f"{directory.url}?q={q}&area={area.pk}"
    hits, ms = first_ms(lambda: client.get(url).context["total"])
    report(f"first request for {q} since the last publish: {ms:.0f} ms")
    label = f"directory list (q={q}, area; {hits} hits)"
    checked = timed(lambda i: client.get(f"{url}&b={i}").status_code, label, LIST_P95_MS)
    assert checked <= LIST_P95_MS


@pytest.mark.django_db
def test_directory_list_with_facets_only_is_reported(big_directory, client):
    directory = ListingPage.objects.first().get_parent()
    tag = Term.objects.order_by("pk").first()
    url = f"{directory.url}?tag={tag.slug}&weekday=2"
    hits = client.get(url).context["total"]
    # No budget in the issue for facets without keywords: every listing is counted.
    label = f"directory list (tag, weekday; {hits} hits), reported"
    timed(lambda i: client.get(f"{url}&b={i}").status_code, label, LIST_P95_MS)


@pytest.mark.django_db
def test_detail_pages(big_directory, client):
    urls = [page.url for page in ActivityPage.objects.live().order_by("?")[: RUNS + 1]]
    checked = timed(lambda i: client.get(urls[i]).status_code, "detail page", DETAIL_P95_MS)
    assert checked <= DETAIL_P95_MS


@pytest.mark.django_db
def test_hsds_services_page(big_directory, client):
    def get(i: int) -> int:
        return client.get(f"/api/hsds/services?per_page=50&page={i % 500 + 2}").status_code

    services = client.get("/api/hsds/services?per_page=50").json()
    assert services["total_items"] >= directory_data.N_ACTIVITIES
    checked = timed(get, "HSDS /services?per_page=50", HSDS_P95_MS)
    assert checked <= HSDS_P95_MS


@pytest.mark.django_db
def test_matching_rank_end_to_end(big_directory):
    """Issue 6: rank every live activity that takes placements for one client, ≤ 100 ms p50.

    End to end: the client's profile and the occupied places from the database, the cached
    candidate pool (its one-off build, after the directory changes, is reported separately).
    """
    from matching.models import Client
    from matching.selectors import candidate_pool, client_rank

    client = Client.objects.filter(is_sample=True).order_by("reference_code").first()
    candidates = ActivityPage.objects.live().filter(accepts_placements=True).count()
    started = time.perf_counter()
    pool = candidate_pool()
    build_ms = (time.perf_counter() - started) * 1000
    samples = []
    for _ in range(RUNS):
        started = time.perf_counter()
        ranked = client_rank(client=client, top=10)
        samples.append((time.perf_counter() - started) * 1000)
    p50 = statistics.median(samples)
    report(
        f"matching rank, {candidates:,} candidate activities: p50 {p50:.1f} ms end to end "
        f"(pool build once {build_ms:.0f} ms, {len(pool.index.candidates):,} in the pool)"
    )
    assert candidates >= 10_000 or directory_data.N_ACTIVITIES < 30_000
    assert ranked, "the sample client must get proposals from the generated directory"
    assert p50 <= MATCH_P50_MS
