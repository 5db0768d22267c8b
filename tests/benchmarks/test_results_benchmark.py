"""The 実績 report page for a fiscal year of 2,000 clients and 20,000 check-ins.

Run alone: .venv/bin/python -m pytest tests/benchmarks/test_results_benchmark.py -q -s -p no:logging
(with DATABASE_URL for PostgreSQL). Budget: the report page as it opens (a supervisor's: every
client, all charts and tables, no breakdown) renders in ≤ 1 s, median of several runs. Also
reported: the page broken down by district (21 groups, the widest), the XLSX export, the CPU
time of this process (with SQLite, the database's work too) and the number of queries, which
does not depend on the data size.
"""

import datetime as dt
import random
import statistics
import sys
import time
from collections.abc import Callable
from decimal import Decimal

import pytest
import time_machine
from django.db import connection

from followups.models import CheckIn
from matching.models import Client, Consent, Placement, Proposal, SupportPlan, Team, TeamMembership
from resources.models import Area
from tests.matching.factories import host_activity, make_user
from tests.reports.results_town import executed_queries
from volunteers.models import HoursEntry, Volunteer

N_CLIENTS = 2_000
PLACEMENTS_PER_CLIENT = 2
CHECKINS_PER_PLACEMENT = 5  # baseline and 14/42/91/182 days → 2,000 × 2 × 5 = 20,000
N_AREAS = 20
RUNS = 7
BUDGET_S = 1.0
NOW = dt.datetime(2027, 4, 10, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=9)))
YEAR_START = dt.date(2026, 4, 1)

pytestmark = pytest.mark.django_db


def report(line: str) -> None:
    sys.stdout.write(line + "\n")


def medians(run: Callable[[], object]) -> tuple[float, float]:
    """Median wall-clock and CPU seconds (CPU: what the page costs on a machine of its own;
    SQLite runs in the process, so the database's work is in it)."""
    run()  # warm caches (templates, content types, the user's teams)
    walls, cpus = [], []
    for _ in range(RUNS):
        wall, cpu = time.perf_counter(), time.process_time()
        run()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


@pytest.fixture
def fiscal_year_of_work():
    """A year of a town's work: every client referred, most consented, planned, proposed and
    placed twice, each placement with its baseline and four follow-ups recorded."""
    rng = random.Random(14)
    with time_machine.travel(NOW, tick=False):
        team = Team.objects.create(name="ベンチ", email="bench@example.jp")
        supervisor = make_user("bench_sup", team=team, role=TeamMembership.Role.SUPERVISOR)
        areas = Area.objects.bulk_create(
            Area(name=f"地区{n}", latitude=Decimal("27.35") + Decimal(n) / 200,
                 longitude=Decimal("128.60") + Decimal(n % 5) / 50, order=n)
            for n in range(N_AREAS)
        )  # fmt: skip
        activities = [host_activity(title=f"畑{n}", placement_capacity=5_000) for n in range(2)]

        def day(spread: int = 300) -> dt.date:
            return YEAR_START + dt.timedelta(days=rng.randrange(spread))

        Client.objects.bulk_create(
            (Client(name=f"ベンチ{n}", reference_code=f"B-{n:06d}", team=team,
                    referred_on=day(), area=areas[n % N_AREAS], birth_year=1940 + n % 70,
                    field_elderly=n % 2 == 0, field_poverty=n % 7 == 0)
             for n in range(N_CLIENTS)),
            batch_size=1_000,
        )  # fmt: skip
        clients = list(Client.objects.filter(team=team).values_list("pk", "referred_on"))
        Consent.objects.bulk_create(
            Consent(client_id=pk, stage="consented", obtained_on=referred + dt.timedelta(days=3))
            for pk, referred in clients[: N_CLIENTS * 9 // 10]
        )
        SupportPlan.objects.bulk_create(
            SupportPlan(client_id=pk, goals="目標", meeting_date=referred + dt.timedelta(days=10))
            for pk, referred in clients[: N_CLIENTS * 3 // 4]
        )
        sent = dt.datetime.combine(YEAR_START, dt.time(10), NOW.tzinfo)
        Proposal.objects.bulk_create(
            (Proposal(client_id=pk, activity=activity, status=rng.choice(["accepted", "declined"]),
                      sent_at=sent + dt.timedelta(days=n % 300),
                      responded_at=sent + dt.timedelta(days=n % 300, hours=rng.randrange(200)))
             for n, (pk, _referred) in enumerate(clients) for activity in activities),
            batch_size=1_000,
        )  # fmt: skip
        Placement.objects.bulk_create(
            (Placement(client_id=pk, activity=activity, status="active",
                       started_on=referred + dt.timedelta(days=20 + 10 * k))
             for pk, referred in clients for k, activity in enumerate(activities)),
            batch_size=1_000,
        )  # fmt: skip
        placements = Placement.objects.values_list("pk", "started_on")
        offsets = [0, 14, 42, 91, 182][:CHECKINS_PER_PLACEMENT]
        CheckIn.objects.bulk_create(
            (CheckIn(placement_id=pk, kind="baseline" if offset == 0 else "follow_up",
                     offset_days=offset, due_on=started + dt.timedelta(days=offset),
                     status="done", ucla_no_company=rng.randint(1, 4),
                     ucla_left_out=rng.randint(1, 4), ucla_isolated=rng.randint(1, 4),
                     life_satisfaction=rng.randint(0, 10))
             for pk, started in placements for offset in offsets),
            batch_size=2_000,
        )  # fmt: skip
        volunteers = Volunteer.objects.bulk_create(
            Volunteer(name=f"ボランティア{n}", kana="ぼらんてぃあ", email=f"v{n}@example.jp",
                      status="active")
            for n in range(200)
        )  # fmt: skip
        HoursEntry.objects.bulk_create(
            HoursEntry(volunteer=volunteers[n % 200], date=day(365), hours=Decimal("2.00"),
                       status="approved")
            for n in range(2_000)
        )  # fmt: skip
    assert CheckIn.objects.count() == N_CLIENTS * PLACEMENTS_PER_CLIENT * CHECKINS_PER_PLACEMENT
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return supervisor


def test_the_report_page_for_a_year_of_2000_clients(client, fiscal_year_of_work):
    with time_machine.travel(NOW, tick=False):
        client.force_login(fiscal_year_of_work)  # at the pinned time, or the session expires
        pages = {}
        for breakdown in ("", "area"):
            query = {"year": "2026", "breakdown": breakdown}

            def page(query=query) -> None:
                assert client.get("/admin/reports/results/", query).status_code == 200

            seconds, cpu = medians(page)
            with executed_queries() as queries:
                page()
            export, _cpu = medians(
                lambda query=query: client.get(
                    "/admin/reports/results/", {**query, "export": "xlsx"}
                )
            )
            report(
                f"\n[{connection.vendor}] 実績 FY2026, {N_CLIENTS:,} clients, "
                f"{CheckIn.objects.count():,} check-ins, breakdown {breakdown or 'none'}: "
                f"page {seconds:.3f} s (CPU {cpu:.3f} s; median of {RUNS}), "
                f"{len(queries)} queries; XLSX export {export:.3f} s"
            )
            pages[breakdown or "none"] = seconds
    assert pages["none"] <= BUDGET_S, pages
