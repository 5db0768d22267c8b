"""Nothing lost, nothing silently doubled: the outbox under an operator's bad day.

Real PostgreSQL, a Redis server of the test's own, real ``celery worker`` processes, sweepers
(``manage.py outbox_sweep --loop``) and an SMTP server that records every message it accepts.
Every scenario puts hundreds of due messages of every kind in the outbox, breaks something
while they are being sent, and counts at the SMTP server: sent once, sent twice (with one
Message-ID), lost, and how long after the fault everything had gone out.

Required everywhere: 0 lost, 0 cancelled-but-sent, and duplicates only from a ``kill -9``
inside the SMTP exchange, each carrying its row's one Message-ID. The table is printed in the
run's closing summary.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from dataclasses import dataclass

import pytest
from django.db import connection

from outbox import services
from outbox.models import Message
from tests.support.worker import wait_for

from . import mix
from .conftest import SWEEP_SECONDS, Stack
from .stack import Processes

pytestmark = [
    pytest.mark.fullstack,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
]

DUE = 360  # per scenario; every kind mixed
SETTLE_TIMEOUT = 150  # seconds for a scenario's messages to reach a final state
SMTP_DOWN_SECONDS = 65
TERMINAL = {
    Message.Status.SENT, Message.Status.FAILED, Message.Status.EXPIRED,
    Message.Status.CANCELLED, Message.Status.TO_CALL,
}  # fmt: skip
REPORT: list[Result] = []


@dataclass
class Result:
    scenario: str
    due: int
    once: int
    twice: int
    lost: int
    cancelled: int
    cancelled_but_sent: int
    recover_seconds: float
    interrupted: int
    notes: str = ""

    def line(self) -> str:
        return (
            f"| {self.scenario} | {self.due} | {self.once} | {self.twice} | {self.lost} | "
            f"{self.cancelled} | {self.cancelled_but_sent} | {self.recover_seconds:.1f} | "
            f"{self.notes} |"
        )


def table() -> str:
    """The scenarios run so far, as a Markdown table (tests/reliability/conftest.py prints it)."""
    header = (
        "| scenario | due | sent once | sent twice (one Message-ID) | lost | cancelled | "
        "cancelled but sent | recovered after fault (s) | notes |\n" + "|---" * 9 + "|"
    )
    return "\n".join([header, *(r.line() for r in REPORT)])


def _open_rows() -> int:
    return Message.objects.exclude(status__in=TERMINAL).count()


def _fresh(stack: Stack) -> None:
    Message.objects.all().delete()
    stack.smtp.clear()
    stack.redis.flushdb()


def _settle(stack: Stack, procs: Processes, fault_end: float) -> float:
    """Wait for every row to reach a final state; the seconds it took after the fault."""
    settled = wait_for(lambda: _open_rows() == 0, SETTLE_TIMEOUT)
    took = time.monotonic() - fault_end
    time.sleep(0.5)  # a straggling copy would arrive now
    assert settled, f"{_open_rows()} rows still open\n{procs.tail()}"
    return took


def _tally(stack: Stack, ids: list[int], scenario: str, recover: float, notes: str = "") -> Result:
    rows = {m.pk: m for m in Message.objects.filter(pk__in=ids)}
    copies = stack.smtp.copies()
    message_ids = stack.smtp.message_ids()
    once = sum(1 for pk in ids if copies[pk] == 1)
    twice = sum(1 for pk in ids if copies[pk] > 1)
    cancelled = sum(1 for pk in ids if rows[pk].status == Message.Status.CANCELLED)
    cancelled_but_sent = sum(
        1 for pk in ids if rows[pk].status == Message.Status.CANCELLED and copies[pk]
    )
    # Lost: meant to go (not cancelled, not refused for good) and never arrived, or marked
    # sent without arriving.
    lost = sum(
        1
        for pk in ids
        if not copies[pk]
        and rows[pk].status
        not in (Message.Status.CANCELLED, Message.Status.FAILED, Message.Status.TO_CALL)
    )
    for pk in ids:
        if copies[pk]:
            assert message_ids[pk] == {rows[pk].message_id}, (pk, message_ids[pk])
            assert rows[pk].status == Message.Status.SENT or rows[pk].status in (
                Message.Status.CANCELLED,
            )
    others = Counter(rows[pk].status for pk in ids if rows[pk].status not in (Message.Status.SENT,))
    if others:
        notes = "; ".join(filter(None, [notes, ", ".join(f"{k} {v}" for k, v in others.items())]))
    result = Result(
        scenario=scenario, due=len(ids), once=once, twice=twice, lost=lost,
        cancelled=cancelled, cancelled_but_sent=cancelled_but_sent, recover_seconds=recover,
        interrupted=sum(1 for pk in ids if rows[pk].interrupted), notes=notes,
    )  # fmt: skip
    REPORT.append(result)
    return result


def _assert_safe(result: Result, stack: Stack, ids: list[int], *, kills: int = 0) -> None:
    assert stack.smtp.leaked() == 0, "a client's name went out in an email"
    # Nothing in the mix is refused for good: a failed row would be a message given up on.
    assert not Message.objects.filter(pk__in=ids, status=Message.Status.FAILED).exists(), list(
        Message.objects.filter(pk__in=ids, status=Message.Status.FAILED).values_list(
            "kind", "reason"
        )
    )
    assert result.lost == 0, result
    assert result.cancelled_but_sent == 0, result
    if kills == 0:
        assert result.twice == 0, result
        return
    # Duplicates only from a kill inside the SMTP exchange: at most one per kill (solo pool),
    # and only rows whose send was interrupted.
    copies = stack.smtp.copies()
    doubled = [pk for pk in ids if copies[pk] > 1]
    assert len(doubled) <= kills, result
    interrupted = set(
        Message.objects.filter(pk__in=doubled, interrupted__gt=0).values_list("pk", flat=True)
    )
    assert interrupted == set(doubled), result


def _scenario(stack: Stack, name: str, *, workers: int = 1, sweepers: int = 1) -> tuple:
    _fresh(stack)
    ids = mix.insert(DUE, name)
    procs = stack.processes()
    started = [procs.worker() for _ in range(workers)]
    sweeps = [procs.sweeper(SWEEP_SECONDS) for _ in range(sweepers)]
    return ids, procs, started, sweeps


def _sent() -> int:
    return Message.objects.filter(status=Message.Status.SENT).count()


def test_worker_killed_mid_batch(stack: Stack):
    stack.smtp.handler.delay = 0.03  # inside DATA: a kill lands in the SMTP exchange
    ids, procs, workers, _ = _scenario(stack, "worker kill -9 ×8")
    kills = 0
    try:
        worker = workers[0]
        for _ in range(8):
            before = stack.smtp.count()
            wait_for(lambda before=before: stack.smtp.count() > before + 10, 30)
            time.sleep(random.uniform(0.1, 0.6))
            procs.kill(worker)
            kills += 1
            worker = procs.worker()
        fault_end = time.monotonic()
        recover = _settle(stack, procs, fault_end)
    finally:
        stack.smtp.handler.delay = 0.0
        procs.stop_all()
    result = _tally(stack, ids, "worker kill -9 ×8", recover, f"{kills} kills")
    _assert_safe(result, stack, ids, kills=kills)


def test_redis_flushed_with_messages_queued(stack: Stack):
    _fresh(stack)
    ids = mix.insert(DUE, "flush")
    procs = stack.processes()
    try:
        procs.sweeper(SWEEP_SECONDS)
        # Claimed and published, nobody consuming yet.
        assert wait_for(lambda: stack.redis_queue_length() >= 1, 30), procs.tail()
        time.sleep(1)
        stack.redis.flushdb()
        fault_end = time.monotonic()
        procs.worker()
        recover = _settle(stack, procs, fault_end)
    finally:
        procs.stop_all()
    result = _tally(stack, ids, "Redis FLUSHDB with messages queued", recover, "≈ lease")
    _assert_safe(result, stack, ids)


def test_redis_stopped_for_30_seconds(stack: Stack):
    ids, procs, *_ = _scenario(stack, "redis down 30 s")
    try:
        wait_for(lambda: _sent() > 20, 30)
        stack.redis.stop()
        time.sleep(30)
        stack.redis.start()
        fault_end = time.monotonic()
        recover = _settle(stack, procs, fault_end)
    finally:
        procs.stop_all()
    result = _tally(stack, ids, "Redis stopped 30 s", recover)
    _assert_safe(result, stack, ids)


def test_postgres_backends_terminated_mid_batch(stack: Stack):
    stack.smtp.handler.delay = 0.01
    ids, procs, *_ = _scenario(stack, "pg terminate")
    terminated = 0
    try:
        wait_for(lambda: _sent() > 20, 30)
        with connection.cursor() as cursor:
            for _ in range(10):
                cursor.execute(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
                terminated += cursor.fetchone()[0]
                time.sleep(0.4)
        fault_end = time.monotonic()
        recover = _settle(stack, procs, fault_end)
    finally:
        stack.smtp.handler.delay = 0.0
        procs.stop_all()
    result = _tally(
        stack, ids, "PostgreSQL backends terminated ×10", recover, f"{terminated} backends"
    )
    _assert_safe(result, stack, ids)
    assert terminated > 0


def test_smtp_down_longer_than_the_old_retry_budget(stack: Stack):
    stack.smtp.stop()
    ids, procs, *_ = _scenario(stack, "smtp down")
    try:
        # Longer than the old count-based budgets: 5 Celery retries, about a minute at most.
        time.sleep(SMTP_DOWN_SECONDS)
        attempts = max(Message.objects.filter(pk__in=ids).values_list("attempts", flat=True))
        failed = Message.objects.filter(pk__in=ids, status=Message.Status.FAILED).count()
        stack.smtp.start()
        fault_end = time.monotonic()
        recover = _settle(stack, procs, fault_end)
    finally:
        stack.smtp.stop()
        stack.smtp.start()
        procs.stop_all()
    result = _tally(
        stack, ids, f"SMTP down {SMTP_DOWN_SECONDS} s", recover,
        f"up to {attempts} attempts while down",
    )  # fmt: skip
    _assert_safe(result, stack, ids)
    assert failed == 0 and attempts > 5


def test_two_sweeps_and_two_workers(stack: Stack):
    ids, procs, *_ = _scenario(stack, "2 sweeps 2 workers", workers=2, sweepers=2)
    try:
        recover = _settle(stack, procs, time.monotonic())
    finally:
        procs.stop_all()
    result = _tally(stack, ids, "two sweeps and two workers", recover, "time to send all")
    _assert_safe(result, stack, ids)
    assert result.once == len(ids)


def test_cancels_racing_sends(stack: Stack):
    stack.smtp.handler.delay = 0.02
    ids, procs, *_ = _scenario(stack, "cancel race")
    topics = list(Message.objects.filter(pk__in=ids).values_list("topic", flat=True))
    random.Random(7).shuffle(topics)
    cancelled = 0
    try:
        wait_for(lambda: _sent() > 10, 30)
        for topic in topics[: len(topics) // 2]:
            cancelled += services.cancel(topic=topic, reason="race")
        fault_end = time.monotonic()
        recover = _settle(stack, procs, fault_end)
    finally:
        stack.smtp.handler.delay = 0.0
        procs.stop_all()
    result = _tally(stack, ids, "cancels racing sends", recover, f"{cancelled} cancelled")
    _assert_safe(result, stack, ids)
    # The race's own cancels, plus any message its kind found no longer needed when composing.
    assert result.cancelled >= cancelled > 0
