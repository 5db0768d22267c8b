"""The reliability claims for follow-up messages on the real stack: PostgreSQL, Redis and real
``celery worker`` processes running the outbox.

Deliveries are counted in a file mailbox the workers write (tests/followups/mailbox.py), by the
outbox row id each email carries in its ``X-Tsunagu-Outbox`` header. "Time passing" is
simulated by moving messages' due times into the past (``outbox.services.reschedule``): the
workers run on the real clock. The sweep is ``outbox.services.sweep``, run here by the test
where beat would run it.
"""

import datetime as dt
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from kombu import pools as kombu_pools

from followups import emails, services
from followups.models import CheckIn
from matching import services as matching_services
from matching.models import Placement
from outbox import services as outbox
from outbox.models import Message
from tests.matching.factories import ClientFactory, consent, host_activity
from tests.support.worker import celery_worker, wait_for, worker_database_url
from tsunagu.celery import app

from .mailbox import deliveries, message_ids

pytestmark = [
    pytest.mark.fullstack,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
]

DEAD_REDIS = "redis://127.0.0.1:1/0"
LEASE = 3


def _reset_pools() -> None:
    # Connection and producer pools are cached per URL (and globally in kombu): drop them all.
    kombu_pools.reset()
    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None


@contextmanager
def broker(url: str) -> Iterator[None]:
    """Point this process's publishing at another broker URL (a dead one, then the real one)."""
    previous = app.conf.broker_url
    app.conf.broker_url = url
    _reset_pools()
    try:
        yield
    finally:
        app.conf.broker_url = previous
        _reset_pools()


@pytest.fixture
def mailbox(tmp_path: Path) -> Path:
    path = tmp_path / "mail"
    path.mkdir()
    return path


@pytest.fixture
def publishing(settings) -> Iterator[None]:
    settings.OUTBOX_LEASE_SECONDS = LEASE
    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = True


@contextmanager
def worker(redis_url: str, mailbox: Path, delay: float = 0, name: str = "followups"):
    env = {
        "DJANGO_SETTINGS_MODULE": "tests.followups.worker_settings",
        "FOLLOWUP_TEST_MAIL_DIR": str(mailbox),
        "FOLLOWUP_TEST_SEND_DELAY": str(delay),
        "OUTBOX_LEASE_SECONDS": str(LEASE),
    }
    with celery_worker(
        redis_url=redis_url, database_url=worker_database_url(), hostname=name, extra_env=env
    ) as process:
        yield process


def _active_placement(coordinator, activity) -> Placement:
    person = ClientFactory(team=coordinator.team_memberships.get().team, name="CANARY 太郎")
    person.coordinators.add(coordinator)
    consent(person, coordinator)
    placement = matching_services.placement_create(client=person, activity=activity, by=coordinator)
    matching_services.placement_accept(placement=placement, by=coordinator)
    return matching_services.placement_activate(placement=placement, by=coordinator)


def _past() -> dt.datetime:
    return timezone.now() - dt.timedelta(minutes=1)


def _many_due(placement: Placement, n: int) -> list[int]:
    """``n`` extra follow-ups of the placement whose coordinator reminders are due now."""
    later = timezone.localdate() + dt.timedelta(days=30)  # enqueued for later: no bell rung
    checkins = CheckIn.objects.bulk_create(
        CheckIn(placement=placement, kind="follow_up", offset_days=1000 + i, due_on=later)
        for i in range(n)
    )
    specs = [s for c in checkins for s in services.reminders_for(c) if s.kind == emails.COORDINATOR]
    assert outbox.enqueue_many(specs) == n
    keys = [s.key for s in specs]
    outbox.reschedule(keys=keys, due_at=_past())
    return list(Message.objects.filter(key__in=keys).values_list("pk", flat=True))


def _due_now(placement: Placement, offset: int) -> list[int]:
    """Let time pass for one check-in: its messages still waiting are due now."""
    checkin = placement.checkins.get(offset_days=offset)
    keys = [spec.key for spec in services.reminders_for(checkin)]
    outbox.reschedule(keys=keys, due_at=_past())
    rows = Message.objects.filter(key__in=keys, status="pending")
    return list(rows.values_list("pk", flat=True))


def _sent_once(mailbox: Path, ids: list[int], timeout: float = 60) -> bool:
    return wait_for(lambda: set(deliveries(mailbox)) >= set(ids), timeout)


def _followup_deliveries(mailbox: Path) -> dict[int, int]:
    """Row id → copies delivered, for follow-up messages only (other apps may send too)."""
    counts = deliveries(mailbox)
    ours = set(
        Message.objects.filter(pk__in=list(counts), kind__in=list(emails.KINDS)).values_list(
            "pk", flat=True
        )
    )
    return {pk: n for pk, n in counts.items() if pk in ours}


def _same_message_id_per_row(mailbox: Path) -> None:
    """Every copy of a row carries the one Message-ID derived from that row."""
    found = message_ids(mailbox)
    rows = Message.objects.in_bulk(list(found))
    assert found == {pk: {rows[pk].message_id} for pk in found}


def test_a_placement_made_while_redis_is_down_gets_its_reminders_later(
    client, coordinator, consented, activity, redis_url, mailbox, publishing
):
    placement = matching_services.placement_create(
        client=consented, activity=activity, by=coordinator
    )
    matching_services.placement_accept(placement=placement, by=coordinator)
    client.force_login(coordinator)
    url = reverse("matching_client:placement", args=[placement.pk])

    with broker(DEAD_REDIS):
        started = time.monotonic()
        response = client.post(url, {"status": "active", "reason": ""})
        request_seconds = time.monotonic() - started
        assert response.status_code == 302
        placement.refresh_from_db()
        assert placement.status == "active"
        assert placement.checkins.count() == 5  # the whole schedule, with Redis down
        assert Message.objects.filter(topic=f"placement:{placement.pk}").count() == 12
        due = _due_now(placement, 14)
        started = time.monotonic()
        done = outbox.sweep()  # beat's sweep while Redis is still down
        sweep_seconds = time.monotonic() - started
    assert request_seconds < 5
    assert len(due) == 3 and done["claimed"] >= 3 and done["published"] == 0
    assert sweep_seconds < 15  # bounded publish retries, no hang

    # "Restart": the real Redis URL, a worker, the next sweep.
    with worker(redis_url, mailbox):
        outbox.sweep()
        assert _sent_once(mailbox, due)
        outbox.sweep()  # and again: nothing more
        time.sleep(1)
    counts = _followup_deliveries(mailbox)
    assert sorted(counts) == sorted(due) and set(counts.values()) == {1}
    assert set(Message.objects.filter(pk__in=due).values_list("status", flat=True)) == {"sent"}
    _same_message_id_per_row(mailbox)
    for path in mailbox.glob("*.log"):
        assert b"CANARY" not in path.read_bytes()
        assert consented.name.encode() not in path.read_bytes()


def test_two_sweeps_two_workers_and_a_redelivery_send_each_reminder_once(
    coordinator, activity, redis_url, mailbox, publishing
):
    placement = _active_placement(coordinator, activity)
    due = _many_due(placement, 40)
    claims: list[object] = [None, None]
    barrier = threading.Barrier(2)

    def sweep(i: int) -> None:
        try:
            barrier.wait()
            claims[i] = outbox.sweep()
        finally:
            connection.close()

    with worker(redis_url, mailbox, name="one"), worker(redis_url, mailbox, name="two"):
        threads = [threading.Thread(target=sweep, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        # The same ids handed out again while the workers send, as a redelivery would be.
        assert outbox.publish(due) == len(due)
        assert _sent_once(mailbox, due)
        time.sleep(2)

    assert sum(c["claimed"] for c in claims) == len(due)  # disjoint claims
    counts = _followup_deliveries(mailbox)
    assert sorted(counts) == sorted(due) and set(counts.values()) == {1}


def test_a_worker_killed_mid_batch_leaves_each_reminder_sent_once(
    coordinator, activity, redis_url, mailbox, publishing
):
    placement = _active_placement(coordinator, activity)
    due = _many_due(placement, 12)

    with worker(redis_url, mailbox, delay=0.4, name="doomed") as process:
        outbox.sweep()
        assert wait_for(lambda: len(deliveries(mailbox)) >= 3, 60)
        process.kill()  # SIGKILL, mid-batch (most likely inside a send's delay)
        process.wait()
    sent_before = deliveries(mailbox)
    assert 3 <= len(sent_before) < len(due)

    with worker(redis_url, mailbox, name="restarted"):
        time.sleep(LEASE + 1)  # the killed send's lease runs out
        outbox.sweep()
        assert _sent_once(mailbox, due)
        time.sleep(1)

    counts = _followup_deliveries(mailbox)
    assert sorted(counts) == sorted(due)
    assert set(counts.values()) == {1}, {k: v for k, v in counts.items() if v > 1}
    _same_message_id_per_row(mailbox)
    assert set(Message.objects.filter(pk__in=due).values_list("status", flat=True)) == {"sent"}


def test_messages_flushed_from_redis_are_recovered_after_the_lease(
    coordinator, activity, redis_url, mailbox, publishing, settings
):
    settings.OUTBOX_LEASE_SECONDS = lease = 20  # longer than the worker takes to start
    placement = _active_placement(coordinator, activity)
    due = _many_due(placement, 10)

    claimed_at = time.monotonic()
    assert outbox.sweep()["published"] == len(due)  # queued, no worker yet
    redis.Redis.from_url(redis_url).flushdb()  # the messages are gone

    with worker(redis_url, mailbox):
        assert outbox.sweep()["claimed"] == 0  # leases still held: nothing claimed twice
        time.sleep(1)
        assert deliveries(mailbox) == {}
        time.sleep(max(0, lease + 1 - (time.monotonic() - claimed_at)))
        assert outbox.sweep()["claimed"] == len(due)
        assert _sent_once(mailbox, due)
        time.sleep(1)

    counts = _followup_deliveries(mailbox)
    assert sorted(counts) == sorted(due) and set(counts.values()) == {1}


def test_closing_while_a_reminder_is_being_sent_records_it_sent_and_cancels_the_rest(
    coordinator, activity, redis_url, mailbox, publishing
):
    placement = _active_placement(coordinator, activity)
    due = _due_now(placement, 14)
    assert len(due) == 3

    with worker(redis_url, mailbox, delay=3, name="slow"):
        outbox.sweep()
        assert wait_for(lambda: Message.objects.filter(pk__in=due, status="sending").exists())
        sending = Message.objects.get(pk__in=due, status="sending")
        matching_services.placement_close(
            placement=placement, status="ended", reason="転居", end_reason="moved", by=coordinator
        )
        assert _sent_once(mailbox, [sending.pk])
        time.sleep(1)

    assert _followup_deliveries(mailbox) == {sending.pk: 1}
    statuses = dict(Message.objects.filter(pk__in=due).values_list("pk", "status"))
    assert statuses.pop(sending.pk) == "sent"
    assert set(statuses.values()) == {"cancelled"}
    rest = Message.objects.filter(topic=f"placement:{placement.pk}").exclude(pk=sending.pk)
    assert set(rest.values_list("status", flat=True)) == {"cancelled"}


def test_a_rolled_back_placement_leaves_no_check_ins_and_no_messages(
    coordinator, consented, activity, redis_url, publishing
):
    placement = matching_services.placement_create(
        client=consented, activity=activity, by=coordinator
    )
    matching_services.placement_accept(placement=placement, by=coordinator)

    with pytest.raises(RuntimeError), transaction.atomic():
        matching_services.placement_activate(placement=placement, by=coordinator)
        raise RuntimeError("rolled back")

    assert not CheckIn.objects.exists()
    assert not Message.objects.filter(kind__in=list(emails.KINDS)).exists()
    queued = redis.Redis.from_url(redis_url)
    assert queued.llen("celery") == 0
    assert outbox.sweep()["claimed"] == 0
    assert queued.llen("celery") == 0


@pytest.fixture
def activity(db):
    """Room for every placement these tests make."""
    return host_activity(placement_capacity=50)
