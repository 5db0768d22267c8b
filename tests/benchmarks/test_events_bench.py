"""Calendar speed with 2,000 events, 500 of them repeating (far more than one town holds).

Run alone: .venv/bin/python -m pytest tests/benchmarks/test_events_bench.py -q -s -p no:logging
(and with DATABASE_URL for PostgreSQL).
Budgets: the month view (a whole request through the test client, rendered) ≤ 50 ms p95; the
full iCal feed ≤ 200 ms. All 500 series run through the measured month (about 1,400 dates).
The week view reads the same events plus 600 weekly activities (1,000 schedule rules) and has
the month's budget.

Anonymous visitors mostly get these pages from the page cache (tsunagu/page_cache.py, measured
by tests/benchmarks/test_http_bench.py); here they are rendered, without it, as for a visitor the
cache passes by. The month grid is cached until the next publish (events/fragments.py), so most
renders are "warm"; the first request after a publish is "cold" (grid read and laid out afresh).
Both are measured and printed; the budget is checked on the warm case, and the cold case is
reported beside it so a regression there is still visible. /events/ (the upcoming list) has the
same budget and at most 12 queries.

Both wall-clock and CPU time of this process are printed; the budgets are checked on CPU time,
because on a shared machine the wall clock mostly measures the other processes.
"""

import datetime as dt
import random
import time

import pytest
import time_machine
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from events.models import EventExdate, EventPage
from resources import caching
from resources.models import ActivityPage, Area, ScheduleException, ScheduleRule
from tests.events.factories import at, calendar_page
from tests.resources.factories import directory_page

from .timing import line, p95, report, timings

N_EVENTS = 2_000
N_RECURRING = 500
N_ACTIVITIES = 600
RUNS = 40
MONTH_P95_BUDGET_MS = 50.0
MAX_QUERIES = 12
FEED_BUDGET_MS = 200.0
NOW = at("2026-12-01", "09:00")
DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
# Pages are created without search indexing: the benchmark measures reading, not writing.
NO_SEARCH_INDEXING = {
    "default": {"BACKEND": "wagtail.search.backends.database", "AUTO_UPDATE": False}
}


def _event(rng: random.Random, n: int, areas: list[Area]) -> EventPage:
    """Single events spread over a year either side of now; repeating ones start in the last
    half-year and run weekly or monthly for a year."""
    fields = {
        "title": f"催し{n}",
        "slug": f"bench-{n}",
        "area": rng.choice(areas),
        "venue_name": f"公民館{n % 40}",
        "summary": "ベンチマーク用の催しです。",
        "for_elderly": rng.random() < 0.4,
        "cancelled": rng.random() < 0.03,
    }
    if n < N_RECURRING:
        day = NOW.date() - dt.timedelta(days=rng.randrange(0, 180))
        start = at(day.isoformat(), f"{rng.randrange(8, 19):02d}:00")
        weekday = DAYS[day.weekday()]
        if n % 2:
            fields.update(frequency="weekly", weekdays=weekday)
        else:
            week = min((day.day - 1) // 7 + 1, 4)
            start = start.replace(day=1)
            while start.weekday() != day.weekday():
                start += dt.timedelta(days=1)
            start += dt.timedelta(weeks=week - 1)
            fields.update(frequency="monthly", weekdays=weekday, weeks_of_month=str(week))
        fields["repeat_until"] = start.date() + dt.timedelta(days=365)
    else:
        day = NOW.date() + dt.timedelta(days=rng.randrange(-365, 365))
        start = at(day.isoformat(), f"{rng.randrange(8, 19):02d}:00")
    return EventPage(start=start, end=start + dt.timedelta(hours=2), **fields)


@pytest.fixture(scope="module")
def calendar(django_db_setup, django_db_blocker):
    rng = random.Random(2026)
    with (
        django_db_blocker.unblock(),
        time_machine.travel(NOW, tick=False),
        override_settings(WAGTAILSEARCH_BACKENDS=NO_SEARCH_INDEXING),
    ):
        calendar = calendar_page()
        areas = [
            Area.objects.create(name=f"地区{i}", latitude=27.4, longitude=128.6) for i in range(20)
        ]
        started = time.perf_counter()
        for n in range(N_EVENTS):
            event = _event(rng, n, areas)
            if event.frequency == "weekly" and n % 5 == 1:
                event.exdates = [EventExdate(date=event.start.date() + dt.timedelta(weeks=3))]
            calendar.add_child(instance=event)
        report(f"\ncreated {N_EVENTS} events in {time.perf_counter() - started:.1f} s")
        yield calendar


@pytest.fixture
def client(rendering_client):
    """Rendered requests: the page cache passes them by (tests/conftest.py)."""
    return rendering_client


@pytest.mark.django_db
def test_upcoming_list(calendar, client):
    url = "/events/"
    with time_machine.travel(NOW, tick=True):
        response = client.get(url)
        cold_wall, cold_cpu = timings(lambda: client.get(url), RUNS, before=caching.invalidate)
        wall, cpu = timings(lambda: client.get(url), RUNS)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
    rows = response.content.decode().count("<li")
    label = f"/events/ ({rows} list items; {connection.vendor})"
    report(line(f"{label}, cold", cold_wall, cold_cpu, MONTH_P95_BUDGET_MS))
    report(line(f"{label}, warm, {len(queries)} queries", wall, cpu, MONTH_P95_BUDGET_MS))
    assert response.status_code == 200
    assert len(queries) <= MAX_QUERIES
    assert p95(cpu) <= MONTH_P95_BUDGET_MS


@pytest.mark.django_db
def test_month_view(calendar, client):
    url = "/events/month/2026/12/"
    with time_machine.travel(NOW, tick=True):
        response = client.get(url)
        html = response.content.decode()
        cold_wall, cold_cpu = timings(lambda: client.get(url), RUNS, before=caching.invalidate)
        wall, cpu = timings(lambda: client.get(url), RUNS)
        with CaptureQueriesContext(connection) as warm_queries:
            client.get(url)
        caching.invalidate()  # what every publish does
        with CaptureQueriesContext(connection) as cold_queries:
            assert client.get(url).content.decode() == html  # the cache changes nothing shown
    links = html.count('href="/events/')
    label = f"month view (2026-12, {links} links; {connection.vendor})"
    report(
        line(
            f"{label}, cold, {len(cold_queries)} queries", cold_wall, cold_cpu, MONTH_P95_BUDGET_MS
        )
    )
    report(line(f"{label}, warm, {len(warm_queries)} queries", wall, cpu, MONTH_P95_BUDGET_MS))
    assert response.status_code == 200
    assert p95(cpu) <= MONTH_P95_BUDGET_MS


@pytest.mark.django_db
def test_full_ical_feed(calendar, client):
    with time_machine.travel(NOW, tick=True):
        response = client.get("/ical/events.ics")
        wall, cpu = timings(lambda: client.get("/ical/events.ics"), RUNS // 2)
    vevents = response.content.count(b"BEGIN:VEVENT")
    size = len(response.content) // 1024
    label = f"iCal feed ({vevents} VEVENTs, {size} KiB; {connection.vendor})"
    report(line(label, wall, cpu, FEED_BUDGET_MS))
    assert vevents >= N_EVENTS // 2
    assert cpu[-1] <= FEED_BUDGET_MS


@pytest.fixture(scope="module")
def activities(calendar, django_db_blocker):
    """Weekly activities beside the events: one or two rules each, some days closed."""
    rng = random.Random(15)
    with (
        django_db_blocker.unblock(),
        time_machine.travel(NOW, tick=False),
        override_settings(WAGTAILSEARCH_BACKENDS=NO_SEARCH_INDEXING),
    ):
        directory = directory_page()
        areas = list(Area.objects.all())
        started = time.perf_counter()
        for n in range(N_ACTIVITIES):
            activity = ActivityPage(
                title=f"活動{n}", slug=f"bench-activity-{n}", area=rng.choice(areas)
            )
            opens = dt.time(rng.randrange(8, 20))
            closes = dt.time(opens.hour + 1, 30)
            activity.schedule_rules = [
                ScheduleRule(weekday=rng.randrange(7), opens_at=opens, closes_at=closes),
                *(
                    [ScheduleRule(weekday=rng.randrange(7), weeks_of_month="1,3",
                                  opens_at=opens, closes_at=closes)]
                    if n % 3 else []
                ),
            ]  # fmt: skip
            if n % 10 == 0:
                activity.schedule_exceptions = [
                    ScheduleException(date=NOW.date() + dt.timedelta(days=n % 5), closed=True)
                ]
            directory.add_child(instance=activity)
        report(f"created {N_ACTIVITIES} activities in {time.perf_counter() - started:.1f} s")
        yield


@pytest.mark.django_db
def test_week_view(calendar, activities, client):
    url = "/events/week/2026/12/1/"
    with time_machine.travel(NOW, tick=True):
        response = client.get(url)
        html = response.content.decode()
        cold_wall, cold_cpu = timings(lambda: client.get(url), RUNS, before=caching.invalidate)
        wall, cpu = timings(lambda: client.get(url), RUNS)
        with CaptureQueriesContext(connection) as warm_queries:
            client.get(url)
        caching.invalidate()
        with CaptureQueriesContext(connection) as cold_queries:
            assert client.get(url).content.decode() == html
    entries = html.count('class="week-entry ')
    label = f"week view (2026-11-29, {entries} entries; {connection.vendor})"
    report(
        line(
            f"{label}, cold, {len(cold_queries)} queries", cold_wall, cold_cpu, MONTH_P95_BUDGET_MS
        )
    )
    report(line(f"{label}, warm, {len(warm_queries)} queries", wall, cpu, MONTH_P95_BUDGET_MS))
    assert response.status_code == 200
    assert entries > N_ACTIVITIES
    assert p95(cpu) <= MONTH_P95_BUDGET_MS
