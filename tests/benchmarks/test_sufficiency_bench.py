"""社会資源の充足状況 for a town's whole waiting list: 300 waiting clients × 120 activities.

Run alone: .venv/bin/python -m pytest tests/benchmarks/test_sufficiency_bench.py -q -s -p no:logging
Reported, not budgeted: ``town_gaps`` (one candidate index for the batch) with its query count,
the aggregate page as a supervisor sees it, and the per-person page (50 people).
"""

import random
import statistics
import sys
import time
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from matching import gaps
from matching.models import Client, Consent, TeamMembership
from reports.sufficiency.selectors import waiting_for
from resources.models import ActivityPage, ScheduleRule, Term
from tests.matching.factories import TeamFactory, make_user
from tests.resources.factories import AreaFactory, TermFactory, directory_page

N_CLIENTS = 300
N_ACTIVITIES = 120
RUNS = 7

pytestmark = pytest.mark.django_db


def report(line: str) -> None:
    sys.stdout.write(line + "\n")


def median_ms(run: Callable[[], object]) -> float:
    run()  # warm caches (templates, URL resolving)
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


@pytest.fixture
def supervisor():
    """20 districts on a 20 km island, 35 interest and need terms, 120 activities (a fifth not
    accepting placements), 300 consented waiting clients; seeded, so every run is the same."""
    rng = random.Random(14)
    areas = [
        AreaFactory(
            name=f"地区{n}",
            latitude=Decimal(f"{27.33 + 0.11 * rng.random():.6f}"),
            longitude=Decimal(f"{128.53 + 0.19 * rng.random():.6f}"),
        )
        for n in range(20)
    ]
    interests = [TermFactory(name=f"関心{n}", kind=Term.Kind.INTEREST) for n in range(30)]
    needs = [TermFactory(name=f"支援{n}", kind=Term.Kind.NEED) for n in range(5)]
    hearing = TermFactory(name="筆談", kind=Term.Kind.ACCOMMODATION)
    directory = directory_page()
    for n in range(N_ACTIVITIES):
        page = ActivityPage(
            title=f"活動{n}",
            slug=f"bench-activity-{n}",
            area=rng.choice(areas),
            accepts_placements=rng.random() > 0.2,
            placement_capacity=rng.randint(1, 3),
            for_everyone=rng.random() > 0.1,
            for_disabled=True,
            hearing_support=rng.random() > 0.7,
            pickup=rng.random() > 0.8,
        )
        page.tags.add(*rng.sample(interests, rng.randint(1, 3)), *rng.sample(needs, 1))
        directory.add_child(instance=page)
        ScheduleRule.objects.create(
            listing=page,
            weekday=rng.randrange(7),
            opens_at=rng.choice(["09:00", "13:30", "18:00"]),
            closes_at=rng.choice(["11:00", "15:30", "20:00"]),
        )
    team = TeamFactory(name="ベンチ")
    slots = [f"{d}-{b}" for d in range(7) for b in ("morning", "afternoon", "evening")]
    clients = Client.objects.bulk_create(
        Client(
            name=f"ベンチ{n}",
            reference_code=f"B-{n:06d}",
            team=team,
            area=rng.choice(areas),
            birth_year=rng.randint(1940, 2005),
            field_elderly=True,
            availability=rng.sample(slots, rng.randint(2, 5)),
            max_distance_km=Decimal("3.0") if rng.random() > 0.5 else None,
        )
        for n in range(N_CLIENTS)
    )
    for person in clients:
        person.interests.add(*rng.sample(interests, rng.randint(1, 3)))
        if rng.random() > 0.6:
            person.needs.add(rng.choice(needs))
        if rng.random() > 0.9:
            person.accommodations.add(hearing)
    Consent.objects.bulk_create(
        Consent(
            client=person,
            stage=Consent.Stage.CONSENTED,
            obtained_on="2026-11-01",
            method=Consent.Method.INTERVIEW,
        )
        for person in clients
    )
    return make_user("bench_supervisor", team=team, role=TeamMembership.Role.SUPERVISOR)


def test_sufficiency_cost(client, supervisor):
    with CaptureQueriesContext(connection) as queries:
        result = gaps.town_gaps(waiting_for(supervisor))
    assert result.clients == N_CLIENTS
    report(
        f"town_gaps, {N_CLIENTS} clients × {N_ACTIVITIES} activities (clients loaded too): "
        f"{median_ms(lambda: gaps.town_gaps(waiting_for(supervisor))):.0f} ms median, "
        f"{len(queries.captured_queries)} queries; {len(result.unmet)} unmet terms, "
        f"{len(result.openings)} places to ask"
    )

    client.force_login(supervisor)

    def page() -> None:
        assert client.get("/admin/reports/sufficiency/").status_code == 200

    def people() -> None:
        assert client.get("/admin/reports/sufficiency/clients/").status_code == 200

    report(f"aggregate page: {median_ms(page):.0f} ms median")
    report(f"per-person page (50 of {N_CLIENTS}): {median_ms(people):.0f} ms median")
