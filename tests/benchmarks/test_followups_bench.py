"""Follow-up messages in the outbox over 100,000 check-ins, 1 % of them due: the sweep is fast
and O(due), delivery composes each message with a fixed number of queries, and the dashboard's
"could not be sent" count stays cheap however many messages the town holds.

Run alone: .venv/bin/python -m pytest tests/benchmarks/test_followups_bench.py -q -s -p no:logging
(with DATABASE_URL for PostgreSQL; with REDIS_URL the ids are published to Redis, otherwise to
Celery's in-memory broker). Budgets: the sweep — claim every due message and publish its id —
≤ 2 s; the dashboard's count of messages that could not be sent ≤ 0.25 s. Also reported: the
whole dashboard, and the same sweep with every message delivered in-process (eager).
"""

import datetime as dt
import statistics
import sys
import time

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from followups import emails, services
from followups.models import CheckIn
from followups.selectors import dashboard, failed_sends
from matching.models import Client, Placement, Team
from outbox import services as outbox
from outbox.models import Message
from tests.matching.factories import host_activity, make_user
from tsunagu.celery import app

N_CHECKINS = 100_000
PER_PLACEMENT = 5
DUE_SHARE = 0.01
N_FAILED = 500
SWEEP_BUDGET_S = 2.0
FAILED_BUDGET_S = 0.25
RUNS = 5

pytestmark = pytest.mark.django_db


def report(line: str) -> None:
    sys.stdout.write(line + "\n")


@pytest.fixture
def schedule():
    """20,000 active placements × 5 check-ins, each with a coordinator and an escalation
    message; 1 % of the coordinator messages due, a history of sent escalations, a few failed."""
    team = Team.objects.create(name="ベンチ", email="bench@example.jp")
    coordinator = make_user("bench_coord", team=team)
    activity = host_activity(placement_capacity=30_000)
    n_placements = N_CHECKINS // PER_PLACEMENT
    Client.objects.bulk_create(
        (Client(name=f"ベンチ{n}", reference_code=f"B-{n:06d}", team=team)
         for n in range(n_placements)),
        batch_size=5_000,
    )  # fmt: skip
    clients = list(Client.objects.filter(team=team).values_list("pk", flat=True))
    through = Client.coordinators.through
    through.objects.bulk_create(
        (through(client_id=pk, user_id=coordinator.pk) for pk in clients), batch_size=5_000
    )
    today = timezone.localdate()
    Placement.objects.bulk_create(
        (Placement(client_id=pk, activity=activity, status="active", started_on=today)
         for pk in clients),
        batch_size=5_000,
    )  # fmt: skip
    placements = list(Placement.objects.values_list("pk", flat=True))
    CheckIn.objects.bulk_create(
        (
            CheckIn(placement_id=pk, kind="follow_up", offset_days=14 * (k + 1),
                    due_on=today + dt.timedelta(days=14 * (k + 1)))
            for pk in placements for k in range(PER_PLACEMENT)
        ),
        batch_size=5_000,
    )  # fmt: skip
    n_due = int(N_CHECKINS * DUE_SHARE)
    now = timezone.now()

    def rows():
        checkins = CheckIn.objects.order_by("pk").only(
            "pk", "placement_id", "kind", "offset_days", "due_on", "with_host"
        )
        history = 0
        for n, checkin in enumerate(checkins.iterator(chunk_size=10_000)):
            for spec in services.reminders_for(checkin):
                row = spec.row(now)
                if spec.kind == emails.COORDINATOR and n < n_due:
                    row.due_at = row.next_attempt_at = now - dt.timedelta(minutes=5)
                elif spec.kind == emails.ESCALATION and checkin.offset_days == 14:
                    # A history the sweep must not read: sent, and a few failed or expired.
                    failed = history < N_FAILED
                    row.status = ("expired", "failed")[history % 2] if failed else "sent"
                    history += 1
                yield row

    Message.objects.bulk_create(rows(), batch_size=5_000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE outbox_message; ANALYZE followups_checkin")
    return n_due, coordinator


def test_the_sweep_over_100000_check_ins(schedule):
    n_due, coordinator = schedule
    app.conf.task_always_eager = False
    try:
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            done = outbox.sweep()
            seconds = time.perf_counter() - started
    finally:
        app.conf.task_always_eager = True
    report(
        f"\n[{connection.vendor}] sweep over {N_CHECKINS:,} check-ins "
        f"({Message.objects.count():,} outbox rows), {n_due} due: claimed "
        f"{done['claimed']}, published {done['published']} in {seconds:.3f} s, "
        f"{len(queries.captured_queries)} queries (broker: {app.conf.broker_url.split('://')[0]})"
    )
    assert done["claimed"] == done["published"] == n_due
    # per batch of OUTBOX_BATCH: select + update (+ savepoints); the last batch is empty
    assert len(queries.captured_queries) <= 8
    assert seconds <= SWEEP_BUDGET_S

    visible = Client.objects.visible_to(coordinator).values("pk")
    walls = []
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            failed = failed_sends(visible)
            walls.append(time.perf_counter() - started)
    seconds = statistics.median(walls)
    started = time.perf_counter()
    board = dashboard(coordinator)
    board_seconds = time.perf_counter() - started
    report(
        f"[{connection.vendor}] dashboard of a coordinator of all {N_CHECKINS:,} check-ins: "
        f"{failed} could not be sent, counted in {seconds:.3f} s (median of {RUNS}, "
        f"{len(queries.captured_queries)} queries); whole dashboard {board_seconds:.3f} s"
    )
    assert failed == board.failed_sends == N_FAILED
    assert len(queries.captured_queries) == 3
    assert seconds <= FAILED_BUDGET_S

    # The same due rows again (their claims released), delivered in-process this time.
    Message.objects.filter(status="pending", due_at__lte=timezone.now()).update(
        next_attempt_at=timezone.now()
    )
    mail.outbox = []
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        delivered = outbox.sweep()
        seconds = time.perf_counter() - started
    report(
        f"[{connection.vendor}] same sweep with {delivered['claimed']} emails delivered "
        f"in-process: {seconds:.3f} s, {len(queries.captured_queries) / n_due:.1f} queries each"
    )
    assert len(mail.outbox) == n_due
    assert set(
        Message.objects.filter(kind=emails.COORDINATOR, status__in=["sent", "pending"])
        .filter(due_at__lte=timezone.now())
        .values_list("status", flat=True)
    ) == {"sent"}
