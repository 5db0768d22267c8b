"""The address a request came from, behind as many proxies as the deployment trusts."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The connection's address, or the one the trusted proxies say they received it from.

    Only the last ``TRUSTED_PROXY_COUNT`` entries of X-Forwarded-For were written by our own
    proxies; anything left of them came from the client and could be made up.
    """
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if count > 0 and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= count:
            return hops[-count]
    return request.META.get("REMOTE_ADDR")
