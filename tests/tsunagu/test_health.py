"""/healthz reports each dependency as JSON and fails only when the node cannot serve."""

import time

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings

pytestmark = pytest.mark.django_db

DEAD_REDIS = "redis://127.0.0.1:9/0"  # the discard port: nothing listens there


def test_reports_database_and_eager_celery(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["celery"] == {"ok": True, "mode": "eager"}
    assert ("redis" in body["checks"]) == bool(settings.REDIS_URL)


def test_database_failure_is_503(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise OSError("database is gone")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == {
        "ok": False,
        "error": "OSError",
        "ms": response.json()["checks"]["database"]["ms"],
    }


@override_settings(
    REDIS_URL=DEAD_REDIS,
    CACHES={
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": DEAD_REDIS,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    },
)
def test_dead_redis_is_503_quickly(client):
    started = time.monotonic()
    response = client.get("/healthz")
    assert time.monotonic() - started < 5
    assert response.status_code == 503
    assert response.json()["checks"]["redis"]["ok"] is False


def test_outgoing_messages_stuck_past_the_sweep_degrade_the_status(client):
    import datetime as dt

    from django.utils import timezone

    from outbox.models import Message

    body = client.get("/healthz").json()
    assert body["checks"]["outbox"]["ok"] is True and body["checks"]["outbox"]["overdue"] == 0
    late = timezone.now() - dt.timedelta(hours=2)
    Message.objects.create(kind="outbox.stored", due_at=late, next_attempt_at=late)
    response = client.get("/healthz")
    assert response.status_code == 200  # pages still work: degraded, not failed
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["outbox"]["overdue"] == 1
    assert body["checks"]["outbox"]["oldest_seconds"] >= 7000


def test_an_outside_caller_gets_the_status_word_only(client):
    response = client.get("/healthz", REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_an_outside_caller_still_sees_a_failing_node_as_503(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise OSError("database is gone")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/healthz", REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 503
    assert response.json() == {"status": "fail"}


def test_a_request_through_an_undeclared_proxy_is_outside(client, settings):
    # The proxy connects from a private address; the one asking may be anyone.
    settings.TRUSTED_PROXY_COUNT = 0
    response = client.get("/healthz", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert response.json() == {"status": "ok"}


def test_a_declared_proxy_passes_on_an_internal_callers_address(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    inside = client.get("/healthz", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="192.168.1.20")
    outside = client.get("/healthz", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert "checks" in inside.json()
    assert outside.json() == {"status": "ok"}


def test_the_token_opens_the_details_from_anywhere_and_a_wrong_one_does_not(client, settings):
    settings.HEALTHZ_TOKEN = "monitoring-token"
    right = client.get(
        "/healthz", REMOTE_ADDR="203.0.113.9", HTTP_X_HEALTHZ_TOKEN="monitoring-token"
    )
    wrong = client.get("/healthz", REMOTE_ADDR="203.0.113.9", HTTP_X_HEALTHZ_TOKEN="guess")
    assert right.json()["checks"]["database"]["vendor"] == connection.vendor
    assert wrong.json() == {"status": "ok"}


def test_the_internal_networks_come_from_the_setting(client, settings):
    settings.HEALTHZ_INTERNAL_NETWORKS = ["203.0.113.0/24"]
    assert "checks" in client.get("/healthz", REMOTE_ADDR="203.0.113.9").json()
    assert client.get("/healthz", REMOTE_ADDR="127.0.0.1").json() == {"status": "ok"}
