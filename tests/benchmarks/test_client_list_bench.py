"""The cost of encryption at rest on the client list: 1,000 clients with name, kana and notes.

Run alone: .venv/bin/python -m pytest tests/benchmarks/test_client_list_bench.py -q -s -p no:logging
Reported, not budgeted (the lead compares before/after): the admin client list (50 a page, as
a team's coordinator), the CSV export of all 1,000, and loading all 1,000 through the ORM (every
encrypted column decrypted).
"""

import statistics
import sys
import time
from collections.abc import Callable

import pytest

from matching.models import Client, Team
from tests.matching.factories import make_user

N_CLIENTS = 1_000
RUNS = 15
NOTE = "週に一度、地域のサロンに通いたいとの希望。家族は島外に住んでおり、" * 4

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
def coordinator():
    team = Team.objects.create(name="ベンチ", email="bench@example.jp")
    Client.objects.bulk_create(
        Client(
            name=f"ベンチ 花子{n}", kana=f"べんち はなこ{n}", notes=NOTE,
            reference_code=f"B-{n:06d}", team=team,
        )
        for n in range(N_CLIENTS)
    )  # fmt: skip
    return make_user("bench_coord", team=team)


def test_client_list_cost(client, coordinator):
    client.force_login(coordinator)

    def page() -> None:
        assert client.get("/admin/clients/").status_code == 200

    def export() -> None:
        response = client.get("/admin/clients/?export=csv")
        assert response.status_code == 200
        assert b"".join(response.streaming_content).count(b"B-") == N_CLIENTS

    def orm() -> None:
        assert len([c.name for c in Client.objects.all()]) == N_CLIENTS

    report(f"admin list page (50 of {N_CLIENTS}): {median_ms(page):.1f} ms median")
    report(f"admin CSV export ({N_CLIENTS}): {median_ms(export):.1f} ms median")
    report(f"ORM load of {N_CLIENTS} clients: {median_ms(orm):.1f} ms median")
