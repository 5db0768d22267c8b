"""The follow-up sweep over 100,000 check-ins, 1 % of them due: fast, and O(due).

Run alone: .venv/bin/python -m pytest tests/benchmarks/test_followups_bench.py -q -s -p no:logging
(with DATABASE_URL for PostgreSQL; with REDIS_URL the ids are published to Redis, otherwise to
Celery's in-memory broker). Budget: the sweep — claim every due reminder and publish its id —
≤ 2 s. Also reported: the same sweep with every reminder delivered in-process (eager).
"""

import datetime as dt
import sys
import time

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from followups import services
from followups.models import CheckIn, Reminder
from matching.models import Client, Placement, Team
from tests.matching.factories import host_activity, make_user
from tsunagu.celery import app

N_CHECKINS = 100_000
PER_PLACEMENT = 5
DUE_SHARE = 0.01
SWEEP_BUDGET_S = 2.0

pytestmark = pytest.mark.django_db


def report(line: str) -> None:
    sys.stdout.write(line + "\n")


@pytest.fixture
def schedule() -> int:
    """20,000 active placements × 5 check-ins, each with a coordinator and an escalation row."""
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
    rows = CheckIn.objects.order_by("pk").values_list("pk", flat=True)
    Reminder.objects.bulk_create(
        (
            Reminder(
                checkin_id=pk, kind=kind,
                due_at=(now - dt.timedelta(minutes=5)) if n < n_due and kind == "coordinator"
                else now + dt.timedelta(days=14 + n % 180),
            )
            for n, pk in enumerate(rows.iterator(chunk_size=10_000))
            for kind in ("coordinator", "escalation")
        ),
        batch_size=5_000,
    )  # fmt: skip
    # A history of reminders already sent: the sweep must not read them either.
    Reminder.objects.filter(kind="escalation", checkin__offset_days=14).update(status="sent")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE followups_reminder; ANALYZE followups_checkin")
    return n_due


def test_the_sweep_over_100000_check_ins(schedule):
    n_due = schedule
    app.conf.task_always_eager = False
    try:
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            done = services.sweep()
            seconds = time.perf_counter() - started
    finally:
        app.conf.task_always_eager = True
    report(
        f"\n[{connection.vendor}] sweep over {N_CHECKINS:,} check-ins "
        f"({Reminder.objects.count():,} reminder rows), {n_due} due: claimed "
        f"{done['claimed']}, published {done['published']} in {seconds:.3f} s, "
        f"{len(queries.captured_queries)} queries (broker: {app.conf.broker_url.split('://')[0]})"
    )
    assert done["claimed"] == done["published"] == n_due
    # per batch of FOLLOWUP_SWEEP_BATCH: select + update (+ savepoints); the last batch is empty
    assert len(queries.captured_queries) <= 8
    assert seconds <= SWEEP_BUDGET_S

    # The same due rows again, delivered in-process this time.
    Reminder.objects.filter(pk__in=Reminder.objects.filter(leased_until__isnull=False)
                            .values("pk")).update(leased_until=None)  # fmt: skip
    mail.outbox = []
    started = time.perf_counter()
    delivered = services.sweep()
    seconds = time.perf_counter() - started
    report(
        f"[{connection.vendor}] same sweep with {delivered['claimed']} emails delivered "
        f"in-process: {seconds:.3f} s"
    )
    assert len(mail.outbox) == n_due
