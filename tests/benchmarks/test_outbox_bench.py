"""The outbox sweep over 200,000 rows of which 1,000 are due: claimed and published in ≤ 2 s,
reading only the due rows through the partial index.

Run alone: .venv/bin/python -m pytest tests/benchmarks/test_outbox_bench.py -q -s -p no:logging
(with DATABASE_URL for PostgreSQL; with REDIS_URL the ids are published to Redis, otherwise to
Celery's in-memory broker). The history is what a town accumulates: mostly sent, some
cancelled, failed and expired, and future reminders waiting for their day.
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from outbox import services
from outbox.models import Message
from outbox.stored import KIND
from tsunagu.celery import app

TOTAL = 200_000
DUE = 1_000
FUTURE = 20_000
BUDGET_S = 2.0
RUNS = 5

pytestmark = pytest.mark.django_db


def report(line: str) -> None:
    sys.stdout.write(line + "\n")


@pytest.fixture
def history() -> None:
    now = timezone.now()
    settled = ["sent"] * 90 + ["cancelled"] * 6 + ["failed"] * 2 + ["expired"] * 2

    def row(n: int) -> Message:
        if n < DUE:
            status, at = "pending", now - dt.timedelta(minutes=n % 30 + 1)
        elif n < DUE + FUTURE:
            status, at = "pending", now + dt.timedelta(hours=1 + n % 4000)
        else:
            status, at = settled[n % 100], now - dt.timedelta(hours=n % 9000)
        return Message(
            kind=KIND, object_id=str(n), topic=f"bench:{n}", status=status, due_at=at,
            next_attempt_at=at, created_at=at, payload={"to": ["x@example.jp"]},
        )  # fmt: skip

    Message.objects.bulk_create((row(n) for n in range(TOTAL)), batch_size=10_000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE outbox_message")


def _plan() -> str:
    claimable = Message.objects.filter(
        services.OPEN_ROWS, next_attempt_at__lte=timezone.now()
    ).order_by("next_attempt_at")[:1000]
    return claimable.explain()


def _release() -> None:
    Message.objects.filter(status="pending", due_at__lte=timezone.now()).update(
        next_attempt_at=timezone.now() - dt.timedelta(seconds=1)
    )


def test_sweep_over_200000_rows(history):
    plan = _plan()
    report(f"\n[{connection.vendor}] claim plan:\n{plan}")
    assert "outbox_open_due" in plan

    app.conf.task_always_eager = False
    walls: list[float] = []
    try:
        for _ in range(RUNS):
            _release()
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                done = services.sweep()
                walls.append(time.perf_counter() - started)
            assert done["claimed"] == done["published"] == DUE
    finally:
        app.conf.task_always_eager = True
    report(
        f"[{connection.vendor}] sweep over {TOTAL:,} rows, {DUE:,} due: claim + publish "
        f"median {statistics.median(walls):.3f} s, max {max(walls):.3f} s over {RUNS} runs, "
        f"{len(queries.captured_queries)} queries (broker: {app.conf.broker_url.split('://')[0]})"
    )
    assert len(queries.captured_queries) <= 8
    assert statistics.median(walls) <= BUDGET_S
