"""The outbox's states and order on one database connection: enqueue, send, retry, expire,
cancel, the stale lease, and the Message-ID that every copy of a row carries."""

from __future__ import annotations

import datetime as dt
import smtplib
from unittest import mock

import pytest
from django.core import mail
from django.core.mail import send_mail
from django.utils import timezone

from outbox import registry, services
from outbox.models import Message
from outbox.services import Spec

from .conftest import KIND

pytestmark = pytest.mark.django_db


def _due(**kwargs) -> Message:
    past = timezone.now() - dt.timedelta(minutes=1)
    return services.enqueue(Spec(kind=KIND, due_at=past, **kwargs))


def test_due_message_is_sent_after_commit_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        row = services.enqueue(Spec(kind=KIND, object_id="1", key="probe:1"))
        assert services.enqueue(Spec(kind=KIND, object_id="1", key="probe:1")) is None
    row.refresh_from_db()
    assert row.status == Message.Status.SENT and row.attempts == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].extra_headers["Message-ID"] == row.message_id
    assert Message.objects.count() == 1


def test_message_id_is_derived_from_the_row_and_stable():
    row = _due(object_id="2")
    first = row.message_id
    row.refresh_from_db()
    assert row.message_id == first and first.startswith(f"<{row.pk}.")


def test_future_message_waits_for_the_sweep():
    row = services.enqueue(
        Spec(kind=KIND, object_id="3", due_at=timezone.now() + dt.timedelta(days=1))
    )
    assert services.sweep()["claimed"] == 0
    Message.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    done = services.sweep()
    assert done["claimed"] == 1
    row.refresh_from_db()
    assert row.status == Message.Status.SENT


@pytest.mark.parametrize(
    "error",
    [
        smtplib.SMTPServerDisconnected("gone"),
        ConnectionRefusedError(),
        TimeoutError(),
        smtplib.SMTPResponseException(451, b"try later"),
    ],
)
def test_temporary_errors_retry_by_time(error, settings):
    settings.OUTBOX_RETRY_BASE_SECONDS = 60
    row = _due(object_id="4")
    with mock.patch("outbox.delivery.send", side_effect=error):
        assert services.deliver_one(row.pk) == "retry"
    row.refresh_from_db()
    assert row.status == Message.Status.PENDING and row.attempts == 1
    wait = (row.next_attempt_at - timezone.now()).total_seconds()
    assert 40 < wait < 80
    assert "再試行" in row.reason or "try again" in row.reason
    # Not before its time: the sweep leaves it alone until the backoff has passed.
    assert services.sweep()["claimed"] == 0


def test_backoff_doubles_and_is_capped(settings):
    settings.OUTBOX_RETRY_BASE_SECONDS, settings.OUTBOX_RETRY_MAX_SECONDS = 10, 50
    delays = [services._backoff(n).total_seconds() for n in (1, 2, 3, 10)]
    assert 8 <= delays[0] <= 12 and 16 <= delays[1] <= 24 and 32 <= delays[2] <= 48
    assert delays[3] <= 60


@pytest.mark.parametrize(
    "error",
    [
        smtplib.SMTPRecipientsRefused({"x@example.jp": (550, b"no such user")}),
        smtplib.SMTPDataError(554, b"rejected"),
    ],
)
def test_permanent_errors_stop_at_once_and_say_why(error):
    row = _due(object_id="5")
    with mock.patch("outbox.delivery.send", side_effect=error):
        assert services.deliver_one(row.pk) == "failed"
    row.refresh_from_db()
    assert row.status == Message.Status.FAILED and "5" in row.reason
    assert "example.jp" not in row.reason


def test_a_message_past_its_use_expires_visibly():
    row = _due(object_id="6", expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert services.deliver_one(row.pk) == "expired"
    row.refresh_from_db()
    assert row.status == Message.Status.EXPIRED and row.reason
    assert not mail.outbox


def test_retrying_would_outlive_the_message_so_it_expires():
    row = _due(object_id="7", expires_at=timezone.now() + dt.timedelta(seconds=5))
    with mock.patch("outbox.delivery.send", side_effect=TimeoutError()):
        assert services.deliver_one(row.pk) == "expired"
    row.refresh_from_db()
    assert row.status == Message.Status.EXPIRED and "TimeoutError" in row.reason


def test_compose_outcomes(outcomes):
    outcomes["8"] = registry.Drop("取り消されました")
    outcomes["9"] = registry.Call(name="山田", phone="0997-00-0000", summary="明日の活動")
    outcomes["10"] = RuntimeError("bug")
    rows = {pk: _due(object_id=pk) for pk in ("8", "9", "10")}
    assert [services.deliver_one(rows[pk].pk) for pk in ("8", "9", "10")] == [
        "cancelled", "to_call", "failed",
    ]  # fmt: skip
    for row in rows.values():
        row.refresh_from_db()
    assert rows["8"].reason == "取り消されました"
    assert rows["9"].status == Message.Status.TO_CALL
    assert "RuntimeError" in rows["10"].reason
    assert not mail.outbox


def test_cancel_never_touches_a_row_being_sent():
    sending = _due(object_id="11", topic="signup:1")
    waiting = _due(object_id="12", topic="signup:1")
    Message.objects.filter(pk=sending.pk).update(status=Message.Status.SENDING)
    assert services.cancel(topic="signup:1") == 1
    sending.refresh_from_db()
    waiting.refresh_from_db()
    assert sending.status == Message.Status.SENDING
    assert waiting.status == Message.Status.CANCELLED


def test_a_row_whose_sender_died_goes_back_and_keeps_its_message_id():
    row = _due(object_id="13")
    Message.objects.filter(pk=row.pk).update(
        status=Message.Status.SENDING, next_attempt_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert services.claim() == [row.pk]
    row.refresh_from_db()
    assert row.status == Message.Status.PENDING and row.interrupted == 1
    assert services.deliver_one(row.pk) == "sent"
    assert mail.outbox[0].extra_headers["Message-ID"] == row.message_id


def test_a_row_another_worker_is_sending_is_skipped():
    row = _due(object_id="14")
    Message.objects.filter(pk=row.pk).update(
        status=Message.Status.SENDING, next_attempt_at=timezone.now() + dt.timedelta(minutes=5)
    )
    assert services.deliver_one(row.pk) == "skipped"
    assert services.claim() == []


def test_retry_from_failed_or_expired(django_capture_on_commit_callbacks):
    failed = _due(object_id="15")
    Message.objects.filter(pk=failed.pk).update(status=Message.Status.FAILED, attempts=3)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.retry(ids=[failed.pk]) == 1
    failed.refresh_from_db()
    assert failed.status == Message.Status.SENT and failed.attempts == 1


def test_django_send_mail_goes_through_the_outbox(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send_mail("お知らせ", "本文です", None, ["editor@example.jp"])
    row = Message.objects.get(kind="outbox.stored")
    assert row.status == Message.Status.SENT
    assert row.payload is None  # content not kept once sent
    assert mail.outbox[0].subject == "お知らせ"
    assert mail.outbox[0].extra_headers["Message-ID"] == row.message_id


def test_broker_down_leaves_the_row_to_the_sweep():
    from kombu.exceptions import OperationalError

    row = services.enqueue(Spec(kind=KIND, object_id="16"))
    with mock.patch("outbox.tasks.deliver.apply_async", side_effect=OperationalError("down")):
        services.ring([row.pk])
    row.refresh_from_db()
    assert row.status == Message.Status.PENDING
    assert row.next_attempt_at <= timezone.now()
    assert services.sweep()["claimed"] == 1


def test_a_cache_outage_while_composing_is_retried_not_failed(outcomes):
    from redis.exceptions import ConnectionError as RedisConnectionError

    outcomes["17"] = RedisConnectionError("Redis is down")
    row = _due(object_id="17")
    assert services.deliver_one(row.pk) == "retry"
    row.refresh_from_db()
    assert row.status == Message.Status.PENDING and row.attempts == 1
    assert row.next_attempt_at > timezone.now()
    del outcomes["17"]
    Message.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    assert services.deliver_one(row.pk) == "sent"
