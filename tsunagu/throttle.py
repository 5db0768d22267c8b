"""A per-address throttle for anonymous forms (event sign-ups, volunteer registration, shift
sign-up requests): at most ``PUBLIC_SIGNUP_THROTTLE_COUNT`` submissions per
``PUBLIC_SIGNUP_THROTTLE_SECONDS`` from one address to one target.

A fixed window counted in Django's cache (``add`` then ``incr``), so it works the same with the
local-memory cache of the embedded default and with Redis shared by every web node. The address
is the one ``tsunagu.net.client_ip`` trusts (``TRUSTED_PROXY_COUNT``), the same as the
login lockout's. A cache that has lost the counter lets a request through: the throttle slows
abuse, the services' own rules (capacity, party size) still hold.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import gettext as _

from tsunagu.net import client_ip

TOO_MANY_REQUESTS = 429


def _key(scope: str, request: HttpRequest, target: object) -> str:
    # Hashed: addresses are personal data and have no business in a cache key in clear.
    who = hashlib.sha256(f"{client_ip(request) or ''}|{target}".encode()).hexdigest()
    return f"throttle:{scope}:{who}"


def within_limit(key: str, *, limit: int, seconds: int) -> bool:
    """Count one use of ``key`` in a fixed window; False once ``limit`` uses are exceeded."""
    if cache.add(key, 1, timeout=seconds):
        return True
    try:
        return cache.incr(key) <= limit
    except ValueError:  # the window ended between add and incr
        return True


def allow_request(
    request: HttpRequest, *, scope: str, limit: int, seconds: int, target: object = ""
) -> bool:
    """Count one request from this address to ``target``; False past ``limit`` in the window."""
    return within_limit(_key(scope, request, target), limit=limit, seconds=seconds)


def allow_submission(request: HttpRequest, *, scope: str, target: object = "") -> bool:
    """Count one submission; False once this address has used up its allowance for ``target``."""
    return allow_request(
        request,
        scope=scope,
        target=target,
        limit=settings.PUBLIC_SIGNUP_THROTTLE_COUNT,
        seconds=settings.PUBLIC_SIGNUP_THROTTLE_SECONDS,
    )


def throttled_message() -> str:
    minutes = max(1, settings.PUBLIC_SIGNUP_THROTTLE_SECONDS // 60)
    return _(
        "Many applications have come from this connection in a short time, so we have paused "
        "taking them. Please try again in %(minutes)d minutes, or contact the organiser."
    ) % {"minutes": minutes}
