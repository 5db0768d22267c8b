"""Writes of the outbox: enqueue, cancel, claim and publish (the sweep), send, retry, call.

The delivery guarantee. A row is taken under its row lock only while it is ``pending`` (or
``sending`` with a lease that ran out: its sender died), committed as ``sending`` with the
attempt counted, and only then handed to the mail server, outside any transaction. Success
commits ``sent``; that commit is retried on a fresh connection if the database dropped us. So
the one way to send a row twice is a death between the mail server's acceptance and that
commit: the lease then runs out, the sweep puts the row back (``interrupted`` counts it) and it
is sent again with the same Message-ID. Everything else is at most once, and nothing is lost:
Redis only carries ids, and a row whose message never arrived is claimed again when its lease
ends.

Cancelling is a single-table ``UPDATE … WHERE status = 'pending'`` (no subquery), which
PostgreSQL re-checks after waiting for a row lock: a row already ``sending`` is never
overwritten, it finishes and is recorded as sent.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection, transaction
from django.db.models import BooleanField, F
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as BrokerError

from . import delivery, registry
from .models import Message

logger = logging.getLogger(__name__)


# The partial index's own condition, written as a literal: SQLite uses a partial index only when
# the query repeats its condition, and a bound parameter (status IN (?, ?)) does not.
OPEN_ROWS = RawSQL(
    "\"outbox_message\".\"status\" IN ('pending', 'sending')", (), output_field=BooleanField()
)


def _lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)


def default_expiry(now: dt.datetime | None = None) -> dt.datetime:
    return (now or timezone.now()) + dt.timedelta(hours=settings.OUTBOX_DEFAULT_TTL_HOURS)


# --- enqueueing ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    """One message to enqueue; ``key`` makes it at-most-once, ``topic`` makes it cancellable."""

    kind: str
    object_id: Any = ""
    key: str | None = None
    topic: str = ""
    due_at: dt.datetime | None = None
    expires_at: dt.datetime | None = None
    payload: dict | None = None

    def row(self, now: dt.datetime) -> Message:
        if registry.get(self.kind) is None:
            raise ValueError(f"unknown outbox kind {self.kind!r}")
        due = self.due_at or now
        return Message(
            kind=self.kind,
            object_id=str(self.object_id),
            key=self.key,
            topic=self.topic,
            due_at=due,
            next_attempt_at=due,
            expires_at=self.expires_at or default_expiry(max(due, now)),
            payload=self.payload,
            created_at=now,
        )


def enqueue(spec: Spec) -> Message | None:
    """Write one message; send it after commit if it is due now.

    Returns None when a message with the same key exists already. A due message holds a lease
    while its "send this" is published after commit; if publishing fails the lease is dropped
    and the next sweep sends it.
    """
    now = timezone.now()
    row = spec.row(now)
    due_now = row.next_attempt_at <= now
    if due_now:
        row.next_attempt_at = now + _lease()
    with transaction.atomic():
        if spec.key and Message.objects.filter(key=spec.key).exists():
            return None
        try:
            with transaction.atomic():
                row.save(force_insert=True)
        except DatabaseError:
            if spec.key and Message.objects.filter(key=spec.key).exists():
                return None  # inserted meanwhile by a concurrent request
            raise
    if due_now:
        transaction.on_commit(lambda: ring([row.pk]))
    return row


def enqueue_many(specs: Iterable[Spec]) -> int:
    """Write many messages at once (duplicates by key are skipped); one sweep after commit."""
    now = timezone.now()
    rows = [spec.row(now) for spec in specs]
    if not rows:
        return 0
    keys = [row.key for row in rows if row.key]
    taken = set(Message.objects.filter(key__in=keys).values_list("key", flat=True))
    rows = [row for row in rows if not row.key or row.key not in taken]
    Message.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    if any(row.next_attempt_at <= now for row in rows):
        transaction.on_commit(ring_sweep)
    return len(rows)


def ring(ids: Sequence[int]) -> None:
    """Publish "send these" for rows that hold a lease; on a broker error drop the lease."""
    from .tasks import deliver

    try:
        deliver.apply_async(
            (list(ids),), retry=True, retry_policy=settings.CELERY_TASK_PUBLISH_RETRY_POLICY
        )
    except BrokerError:
        logger.warning("outbox: broker unavailable, %d message(s) left to the sweep", len(ids))
        Message.objects.filter(pk__in=list(ids), status=Message.Status.PENDING).update(
            next_attempt_at=timezone.now()
        )
    except Exception:
        # In-process (eager) runs: a send's own errors are on its row; never fail the caller.
        logger.error("outbox: in-process delivery of %s failed", list(ids), exc_info=True)


def ring_sweep() -> None:
    """Ask for a sweep now (rows written in bulk); a lost bell waits for the next beat."""
    from .tasks import sweep as sweep_task

    try:
        sweep_task.apply_async(retry=True, retry_policy=settings.CELERY_TASK_PUBLISH_RETRY_POLICY)
    except BrokerError:
        logger.warning("outbox: broker unavailable; the next sweep will send")
    except Exception:
        logger.error("outbox: in-process sweep failed", exc_info=True)


# --- changing what is queued -----------------------------------------------------------------


def cancel(*, topic: str = "", keys: Sequence[str] = (), reason: str = "") -> int:
    """Cancel pending messages by topic or by key; a row being sent is left to finish."""
    if not topic and not keys:
        return 0
    rows = Message.objects.filter(status=Message.Status.PENDING)
    rows = rows.filter(topic=topic) if topic else rows.filter(key__in=list(keys))
    return rows.update(
        status=Message.Status.CANCELLED, reason=(reason or _("No longer needed."))[:300]
    )


def requeue(specs: Iterable[Spec]) -> int:
    """Queue again messages that were cancelled before they went out (a paused placement
    resumed): a cancelled row was never sent, so taking it back to ``pending`` at the new time
    keeps its key's at-most-once; a key never used is enqueued."""
    now = timezone.now()
    specs = list(specs)
    revived = 0
    for spec in specs:
        row = spec.row(now)
        revived += Message.objects.filter(key=spec.key, status=Message.Status.CANCELLED).update(
            status=Message.Status.PENDING,
            due_at=row.due_at,
            next_attempt_at=row.next_attempt_at,
            expires_at=row.expires_at,
            attempts=0,
            reason="",
        )
    if revived:
        transaction.on_commit(ring_sweep)
    return revived + enqueue_many(specs)


def forget(*, topics: Sequence[str], keys: Sequence[str] = (), reason: str = "") -> int:
    """A person is being erased: cancel what still waits about them and drop any content a
    row of theirs holds (a stored email's). Returns the rows cancelled."""
    cancelled = sum(cancel(topic=topic, reason=reason) for topic in topics)
    cancelled += cancel(keys=keys, reason=reason)
    about = Message.objects.filter(topic__in=list(topics)) | Message.objects.filter(
        key__in=list(keys)
    )
    about.filter(payload__isnull=False).update(payload=None)
    return cancelled


def reschedule(*, keys: Sequence[str], due_at: dt.datetime) -> int:
    """Move pending messages to a new due time (a check-in moved to another day)."""
    return Message.objects.filter(key__in=list(keys), status=Message.Status.PENDING).update(
        due_at=due_at,
        next_attempt_at=due_at,
        expires_at=default_expiry(max(due_at, timezone.now())),
    )


def retry(*, ids: Sequence[int] = (), since: dt.datetime | None = None) -> int:
    """Staff: send failed or expired messages again (one, or all since a time)."""
    rows = Message.objects.filter(status__in=Message.RETRYABLE)
    if ids:
        rows = rows.filter(pk__in=list(ids))
    elif since is not None:
        rows = rows.filter(due_at__gte=since)
    else:
        return 0
    now = timezone.now()
    count = rows.update(
        status=Message.Status.PENDING,
        next_attempt_at=now,
        expires_at=default_expiry(now),
        attempts=0,
        reason="",
    )
    if count:
        transaction.on_commit(ring_sweep)
    return count


def mark_called(*, ids: Sequence[int], kinds: Sequence[str], by: Any) -> int:
    """The person on the call list was telephoned (only rows of kinds the caller may see)."""
    rows = Message.objects.filter(pk__in=list(ids), kind__in=list(kinds))
    return rows.filter(status=Message.Status.TO_CALL).update(
        status=Message.Status.CALLED, called_by=by, called_at=timezone.now()
    )


# --- the sweep -------------------------------------------------------------------------------


def claim(*, now: dt.datetime | None = None, limit: int | None = None) -> list[int]:
    """Lease due rows nobody holds, skipping rows another sweep is claiming right now.

    A ``sending`` row found here outlived its lease: its sender died somewhere between
    committing ``sending`` and committing ``sent``. It goes back to ``pending`` (counted in
    ``interrupted``), because the mail server may or may not have accepted it.
    """
    now = now or timezone.now()
    limit = limit or settings.OUTBOX_BATCH
    with transaction.atomic():
        rows = list(
            Message.objects.filter(OPEN_ROWS, next_attempt_at__lte=now)
            .select_for_update(skip_locked=True)
            .order_by("next_attempt_at")
            .values_list("pk", "status")[:limit]
        )
        if not rows:
            return []
        ids = [pk for pk, _status in rows]
        lease_end = now + _lease()
        stale = [pk for pk, status in rows if status == Message.Status.SENDING]
        if stale:
            Message.objects.filter(pk__in=stale).update(
                status=Message.Status.PENDING, interrupted=F("interrupted") + 1
            )
        Message.objects.filter(pk__in=ids).update(next_attempt_at=lease_end)
    return ids


def publish(ids: Sequence[int]) -> int:
    """Hand claimed ids to the workers in chunks; at a broker error free the rest."""
    from .tasks import deliver

    size = max(settings.OUTBOX_PUBLISH_CHUNK, 1)
    published = 0
    for start in range(0, len(ids), size):
        chunk = list(ids[start : start + size])
        try:
            deliver.apply_async(
                (chunk,), retry=True, retry_policy=settings.CELERY_TASK_PUBLISH_RETRY_POLICY
            )
        except BrokerError:
            left = list(ids[start:])
            logger.warning("outbox sweep: broker unavailable, %d left for later", len(left))
            Message.objects.filter(pk__in=left, status=Message.Status.PENDING).update(
                next_attempt_at=timezone.now()
            )
            break
        except Exception:
            logger.error("outbox sweep: in-process delivery of %s failed", chunk, exc_info=True)
        published += len(chunk)
    return published


def sweep(*, now: dt.datetime | None = None) -> Counter[str]:
    """Claim due rows in batches and publish their ids, until none are left or Redis is down."""
    done: Counter[str] = Counter()
    batch = settings.OUTBOX_BATCH
    while True:
        ids = claim(now=now, limit=batch)
        if not ids:
            break
        done["claimed"] += len(ids)
        published = publish(ids)
        done["published"] += published
        if published < len(ids) or len(ids) < batch:
            break
    return done


# --- sending ---------------------------------------------------------------------------------


def _take(pk: int, now: dt.datetime) -> tuple[Message, registry.Email] | str:
    """Under the row lock: decide, and commit ``sending`` if there is an email to send."""
    with transaction.atomic():
        message = Message.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
        if message is None:
            return "busy"  # another worker holds it (or it is gone)
        if message.status != Message.Status.PENDING:
            return "skipped"
        kind = registry.get(message.kind)
        if message.expires_at and message.expires_at <= now:
            _finish(message, Message.Status.EXPIRED, _("No longer useful: its time has passed."))
            return "expired"
        try:
            if kind is None:
                raise delivery.Permanent(_("Unknown kind of message: %s") % message.kind)
            outcome = kind.compose(message)
        except delivery.UNAVAILABLE as exc:
            # The cache or another service is down for a moment (not the database: that
            # breaks this transaction and is left to the lease): try again later.
            message.attempts += 1
            message.next_attempt_at = now + _backoff(message.attempts)
            message.reason = (
                _("Temporary failure, will try again (%s).") % (delivery.describe(exc))
            )[:300]
            message.save(update_fields=["attempts", "next_attempt_at", "reason"])
            return "retry"
        except Exception as exc:  # a poison row fails visibly, not in a loop
            reason = delivery.classify(exc) or _("Could not be prepared (%(error)s).") % {
                "error": delivery.describe(exc)
            }
            logger.error("outbox message %s could not be composed", pk, exc_info=True)
            _finish(message, Message.Status.FAILED, reason)
            return "failed"
        if isinstance(outcome, registry.Drop):
            _finish(message, Message.Status.CANCELLED, outcome.reason)
            return "cancelled"
        if isinstance(outcome, registry.Call):
            _finish(message, Message.Status.TO_CALL, _("No email address: telephone instead."))
            return "to_call"
        if not outcome.to and not outcome.cc and not outcome.bcc:
            _finish(message, Message.Status.FAILED, _("Nobody to send it to."))
            return "failed"
        message.status = Message.Status.SENDING
        message.attempts += 1
        message.last_attempt_at = now
        message.next_attempt_at = now + _lease()
        message.save(update_fields=["status", "attempts", "last_attempt_at", "next_attempt_at"])
        return message, outcome


def _finish(message: Message, status: str, reason: str) -> None:
    message.status, message.reason = status, str(reason)[:300]
    message.save(update_fields=["status", "reason"])


def _backoff(attempts: int) -> dt.timedelta:
    base = settings.OUTBOX_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    delay = min(base, settings.OUTBOX_RETRY_MAX_SECONDS)
    return dt.timedelta(seconds=delay * random.uniform(0.8, 1.2))


def _commit_after_send(pk: int, values: dict[str, Any]) -> None:
    """Record what happened to a row we are sending; survive a dropped database connection.

    Losing this write after a successful send is what would send the email twice, so it is
    retried on a fresh connection for a while before giving up to the lease.
    """
    deadline = time.monotonic() + settings.OUTBOX_COMMIT_RETRY_SECONDS
    while True:
        try:
            Message.objects.filter(pk=pk, status=Message.Status.SENDING).update(**values)
            return
        except DatabaseError:
            if time.monotonic() >= deadline or connection.in_atomic_block:
                raise
            logger.warning("outbox message %s: database error after sending; retrying", pk)
            connection.close()
            time.sleep(0.5)
            close_old_connections()


def deliver_one(pk: int, *, via: delivery.Connection | None = None) -> str:
    """Send one row if it is still to be sent; returns what happened to it.

    ``via`` is a mail connection shared by a batch; after a failure it is closed, so the next
    row starts on a fresh one.
    """
    now = timezone.now()
    taken = _take(pk, now)
    if isinstance(taken, str):
        return taken
    message, email = taken
    try:
        delivery.send(email, message_id=message.message_id, row_id=message.pk, via=via)
    except Exception as exc:  # noqa: BLE001 — every failure is recorded on the row
        if via is not None:
            via.close()
        permanent = delivery.classify(exc)
        error = delivery.describe(exc)
        logger.warning("outbox message %s: %s (attempt %d)", pk, error, message.attempts)
        if permanent:
            _commit_after_send(pk, {"status": Message.Status.FAILED, "reason": permanent[:300]})
            return "failed"
        retry_at = timezone.now() + _backoff(message.attempts)
        if message.expires_at and retry_at >= message.expires_at:
            reason = _("Could not be sent before it stopped being useful (last error: %s).")
            _commit_after_send(
                pk, {"status": Message.Status.EXPIRED, "reason": (reason % error)[:300]}
            )
            return "expired"
        reason = _("Temporary failure, will try again (%s).") % error
        _commit_after_send(
            pk,
            {
                "status": Message.Status.PENDING,
                "next_attempt_at": retry_at,
                "reason": reason[:300],
            },
        )
        return "retry"
    done: dict[str, Any] = {"status": Message.Status.SENT, "sent_at": timezone.now(), "reason": ""}
    if message.payload is not None:
        done["payload"] = None  # a stored email's content is not kept once it went out
    _commit_after_send(pk, done)
    return "sent"


def deliver(ids: Iterable[int]) -> Counter[str]:
    """Send each row on its own, over one mail connection; one failing (even the database for a
    moment) stops none."""
    done: Counter[str] = Counter()
    via = delivery.Connection()
    try:
        for pk in ids:
            try:
                done[deliver_one(pk, via=via)] += 1
            except DatabaseError:
                if connection.in_atomic_block:
                    raise
                # Left as it was (or as ``sending``, which its lease recovers); next afresh.
                logger.warning("outbox message %s: database error; left to the sweep", pk)
                connection.close()
                done["db_error"] += 1
    finally:
        via.close()
    return done
