"""Every public GET with hostile input: no server error, and no request slower than a limit.

The URLs come from the URL conf itself (``get_resolver()``), Wagtail's page routes from the live
pages of a small demo-like town and each routable page's own patterns; path parameters are
filled with real ids and with absurd ones. The query parameters are the directory's FilterSet
fields plus the names views read from ``request.GET``; a recording ``QueryDict`` proves that list
complete, so a view that starts reading a new parameter fails this test until it is added.

Each URL filled with real values gets every hostile value in every known parameter at once,
and each parameter it reads gets each of the main hostile values alone and as an array.
A request over the time limit is timed once more before it counts as slow, so a busy machine's
pause does not fail the run. Counts and the slowest request are printed (``-s``).
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Iterator
from types import SimpleNamespace
from urllib.parse import quote

import pytest
from django.db import transaction
from django.http import QueryDict
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from wagtail.contrib.routable_page.models import RoutablePageMixin
from wagtail.models import Page

from events.models import EventIndexPage, EventSignup
from resources.filters import DirectoryFilterSet
from resources.models import DirectoryIndexPage
from tests.events.factories import EventPageFactory, at, calendar_page
from tests.resources.conftest import build_town
from tests.resources.factories import OrganizationFactory, directory_page
from tests.volunteers.factories import make_opportunity, volunteer_index
from tsunagu.text import dictionary

pytestmark = pytest.mark.django_db

SECONDS_PER_REQUEST = 2.0
NOT_PUBLIC = ("admin/",)
HUGE = "9" * 40
# Parameters views read from request.GET by name (the FilterSets' fields are added below);
# "next" is read by Wagtail's and the invitation's password forms; "p" by the sitemap's pages.
VIEW_PARAMETERS = {
    "page", "search", "format", "full", "full_service", "per_page", "taxonomy_term_id",
    "taxonomy_id", "organization_id", "modified_after", "parent_id", "top_only", "next",
    "minimal", "p",
}  # fmt: skip
FILTER_PARAMETERS = set(DirectoryFilterSet.base_filters)
KNOWN_PARAMETERS = VIEW_PARAMETERS | FILTER_PARAMETERS
# Already percent-encoded: invalid UTF-8 and raw bytes must reach the server as they are.
HOSTILE = [
    quote("x" * 5000),
    quote(" ".join(["食堂"] * 1000)),
    quote("子ども" * 60),
    "%00",
    quote("\x01\x1b\x7f\r\n\t"),
    "-1",
    "0",
    HUGE,
    "-" + HUGE,
    "1e309",
    "NaN",
    "%25",
    "%25%25_",
    quote("' OR 1=1 --"),
    quote('"><script>'),
    quote("\\"),
    "%ff%fe",
    "%c3%28",
    "9999-99-99",
    "9999-12-31T23:59:59-12:00",
    "0001-01-01T00:00:00%2B09:00",
    "true",
    quote("[]"),
]
# The values each parameter also gets on its own (the full list goes to all parameters at once).
HOSTILE_ALONE = [
    quote("x" * 5000),
    quote(" ".join(["食堂"] * 1000)),
    "%00%ff%fe",
    "-" + HUGE,
    quote("'%_ OR 1=1 --"),
    "9999-12-31T23:59:59-12:00",
]


# --- recording what views read from request.GET ---------------------------------------------

_reads: set[str] = set()


class RecordingQueryDict(QueryDict):
    """request.GET that notes every parameter a view asks for by name."""

    def get(self, key, default=None):
        _reads.add(key)
        return super().get(key, default)

    def getlist(self, key, default=None):
        _reads.add(key)
        return super().getlist(key, default)

    def __getitem__(self, key):
        _reads.add(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        _reads.add(key)
        return super().__contains__(key)

    def pop(self, key, *args):
        _reads.add(key)
        return super().pop(key, *args)


# --- the town --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def town(django_db_setup, django_db_blocker) -> Iterator[SimpleNamespace]:
    """Directory, calendar (a repeating event taking sign-ups) and a volunteer opportunity."""
    with django_db_blocker.unblock(), transaction.atomic():
        directory_page()
        listings = build_town()
        organization = OrganizationFactory(name="ひまわりの会")
        calendar_page()
        start = at((timezone.localdate() + dt.timedelta(days=3)).isoformat())
        event = EventPageFactory(
            title="親子料理教室", start=start, end=start + dt.timedelta(hours=2),
            how_to_apply="form", capacity=20, phone="0997-84-0000", organization=organization,
            place=listings.shokudo, tags=[listings.cooking],
        )  # fmt: skip
        EventPageFactory(title="子ども食堂の日", start=start, frequency="weekly", repeat_count=4)
        signup = EventSignup.objects.create(event=event, name="参加者", phone="0997-84-0001")
        volunteer_index()
        opportunity = make_opportunity(title="ゆり畑の手伝い")
        yield SimpleNamespace(
            listings=listings,
            organization=organization,
            event=event,
            signup=signup,
            opportunity=opportunity,
        )
        transaction.set_rollback(True)


# --- URLs ------------------------------------------------------------------------------------

_CONVERTER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")


def _patterns(resolvers, prefix: str = "") -> Iterator[str]:
    """Every route of the URL conf as text, includes flattened (``path()`` syntax or regex)."""
    for entry in resolvers:
        route = str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _patterns(entry.url_patterns, prefix + route)
        elif isinstance(entry, URLPattern):
            yield prefix + route


def _regex_to_path(route: str) -> str | None:
    """The API's and Wagtail's few regex routes as path() text; None for the page catch-all."""
    if "(?:[\\w\\-]+/)*" in route:
        return None
    route = route.replace("^", "").replace("$", "").replace("/?", "/")
    return re.sub(r"\(\?P<(\w+)>[^)]*\)", r"<str:\1>", route)


def _fills(route: str, real: dict[str, str]) -> list[str]:
    """``route`` with real values first, then with each parameter absurd in turn."""
    names = [(m["converter"] or "str", m["name"]) for m in _CONVERTER.finditer(route)]

    def fill(values: dict[str, str]) -> str:
        return _CONVERTER.sub(lambda m: values[m["name"]], route)

    base = {name: real.get(name, "1" if conv == "int" else "x") for conv, name in names}
    urls = [fill(base)]
    for conv, name in names:
        absurd = ["0", HUGE] if conv in ("int",) else [quote("x" * 300), "%00", "%ff%fe", "..%2F"]
        if conv == "uuid":
            absurd = ["00000000-0000-0000-0000-000000000000"]
        urls += [fill({**base, name: value}) for value in absurd]
    return urls


def public_urls(town: SimpleNamespace) -> tuple[list[str], list[str], set[str]]:
    """Every public URL to try; those filled with real values (the ones that get hostile query
    strings); and those whose views read the directory's facet parameters."""
    real = {
        "hsds_id": str(town.event.hsds_id),
        "key": str(town.listings.cooking.uuid),
        "id": str(town.listings.taiso.hsds_id),
        "shift_id": str(town.opportunity.shifts.first().pk),
        "token": town.signup.token,
        "year": "2026",
        "month": "12",
        "day": "5",
    }
    by_route = {"organizations": {"key": str(town.organization.uuid)}}
    urls, with_real, faceted = [], [], set()
    for route in _patterns(get_resolver().url_patterns):
        if route.startswith(NOT_PUBLIC):
            continue
        path = _regex_to_path(route) if "^" in route or "(?P" in route else route
        if path is not None:
            own = next((v for part, v in by_route.items() if f"/{part}/" in f"/{path}"), {})
            filled = ["/" + url for url in _fills(path, {**real, **own})]
            urls += filled
            with_real.append(filled[0])
    # Wagtail's catch-all: every live page, and every route of the routable ones.
    for page in Page.objects.live().specific():
        if page.url is None:  # the tree's root, outside every site
            continue
        urls.append(page.url)
        with_real.append(page.url)
        if isinstance(page, RoutablePageMixin):
            for pattern in page.get_subpage_urls():
                filled = [page.url + sub for sub in _fills(str(pattern.pattern), real)]
                urls += filled
                with_real.append(filled[0])
                if isinstance(page, DirectoryIndexPage | EventIndexPage):
                    faceted.add(filled[0])
    return list(dict.fromkeys(urls)), list(dict.fromkeys(with_real)), faceted


# --- the fuzz --------------------------------------------------------------------------------


def test_every_public_get_survives_hostile_input(town, monkeypatch, capsys):
    dictionary()  # loaded once per process; not a request's cost
    monkeypatch.setattr("django.core.handlers.wsgi.QueryDict", RecordingQueryDict)
    client = Client(raise_request_exception=False)
    urls, with_real, faceted = public_urls(town)
    assert len(urls) > 60, urls  # the walk found the app routes and the page routes
    failures: list[str] = []
    timings: list[tuple[float, str]] = []

    def timed(target: str) -> tuple[int, float]:
        started = time.perf_counter()
        status = client.get(target).status_code
        return status, time.perf_counter() - started

    def get(url: str, query: str = "") -> set[str]:
        _reads.clear()
        target = f"{url}?{query}" if query else url
        status, elapsed = timed(target)
        if elapsed > SECONDS_PER_REQUEST:  # once more: a busy machine, or the input itself?
            status, elapsed = timed(target)
        timings.append((elapsed, target[:160]))
        if status >= 500 or elapsed > SECONDS_PER_REQUEST:
            failures.append(f"{status} {elapsed:.2f}s {target[:160]}")
        return set(_reads)

    reads_of = {url: get(url) for url in urls}
    unknown = set().union(*reads_of.values()) - KNOWN_PARAMETERS
    assert not unknown, f"views read parameters this test does not fuzz: {unknown}"
    for url in with_real:
        for value in HOSTILE:
            get(url, "&".join(f"{name}={value}" for name in KNOWN_PARAMETERS))
        for name in sorted(reads_of[url] | (FILTER_PARAMETERS if url in faceted else set())):
            for value in HOSTILE_ALONE:
                get(url, f"{name}={value}")
            get(url, f"{name}[]=1&{name}=1&{name}=2")

    slowest = max(timings)
    with capsys.disabled():
        print(  # noqa: T201 - the counts the issue asks for, shown with -s
            f"\npublic fuzz: {len(timings)} requests over {len(urls)} URLs, "
            f"{len(KNOWN_PARAMETERS)} parameters in {sum(t for t, _ in timings):.1f}s; "
            f"slowest {slowest[0]:.2f}s {slowest[1]}"
        )
    assert not failures, "\n".join(failures[:40])
