"""/healthz: what a load balancer and an operator need to know, as JSON, quickly.

Anyone may ask whether the node is up; only internal callers learn how it is built (database
vendor, worker count, timings, outbox backlog), which would otherwise help an attacker.
"""

import hmac
import time
from collections.abc import Callable
from functools import lru_cache
from ipaddress import ip_address, ip_network

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

from tsunagu.net import client_ip

from .tasks import HEARTBEAT_CACHE_KEY

CELERY_PING_TIMEOUT_SECONDS = 1.0


def _timed(check: Callable[[], dict]) -> dict:
    started = time.perf_counter()
    try:
        result = {"ok": True, **check()}
    except Exception as exc:  # noqa: BLE001 — a health check reports every failure, whatever it is
        result = {"ok": False, "error": exc.__class__.__name__}
    result["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


def _database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"vendor": connection.vendor}


def _redis() -> dict:
    cache.set("tsunagu:healthz", "1", timeout=10)
    if cache.get("tsunagu:healthz") != "1":
        raise RuntimeError("cache round trip failed")
    return {}


def _celery() -> dict:
    from .celery import app

    replies = app.control.ping(timeout=CELERY_PING_TIMEOUT_SECONDS) or []
    if not replies:
        raise RuntimeError("no worker answered")
    return {"workers": len(replies), "last_heartbeat": cache.get(HEARTBEAT_CACHE_KEY)}


def _outbox() -> dict:
    from outbox.selectors import overdue

    found = overdue()
    return {**found, "ok": found["overdue"] == 0}


@lru_cache(maxsize=4)
def _networks(cidrs: tuple[str, ...]) -> tuple:
    return tuple(ip_network(cidr) for cidr in cidrs)


def is_internal_caller(request: HttpRequest) -> bool:
    """A caller that may see the details: from an internal network, or holding the token.

    Behind proxies that were not declared (``TRUSTED_PROXY_COUNT`` 0), the connection comes from
    the proxy, an internal address, whoever is really asking; such a request is external.
    """
    token = settings.HEALTHZ_TOKEN
    presented = request.headers.get("X-Healthz-Token", "")
    if token and hmac.compare_digest(presented.encode(), token.encode()):
        return True
    if not settings.TRUSTED_PROXY_COUNT and (
        "X-Forwarded-For" in request.headers or "Forwarded" in request.headers
    ):
        return False
    try:
        address = ip_address(client_ip(request) or "")
    except ValueError:
        return False
    return any(
        address in network for network in _networks(tuple(settings.HEALTHZ_INTERNAL_NETWORKS))
    )


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the web node can serve; 503 when its database or cache is down.

    A missing Celery worker, or outgoing messages waiting longer than the sweep allows (no
    sweep or no worker running), degrades but does not fail the node: pages still work, and the
    outbox catches up once they are back. Callers outside ``is_internal_caller`` get the status
    word only, with the same HTTP status.
    """
    checks = {"database": _timed(_database)}
    if settings.REDIS_URL:
        checks["redis"] = _timed(_redis)
    if settings.CELERY_TASK_ALWAYS_EAGER:
        checks["celery"] = {"ok": True, "mode": "eager"}
    else:
        checks["celery"] = _timed(_celery)
    checks["outbox"] = _timed(_outbox)
    essential_ok = all(checks[name]["ok"] for name in ("database", "redis") if name in checks)
    status = "ok" if all(c["ok"] for c in checks.values()) else "degraded"
    if not essential_ok:
        status = "fail"
    body = (
        {"status": status, "checks": checks} if is_internal_caller(request) else {"status": status}
    )
    return JsonResponse(body, status=200 if essential_ok else 503)
