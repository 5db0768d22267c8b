"""Anonymous public pages served from the shared cache before sessions, auth and Wagtail's routing.

``PageCacheMiddleware`` sits right after the security headers (which it leaves to be added fresh
on every answer) and WhiteNoise. A hit costs two cache reads — the content generation, then the
page — and no database query. Only views that opt in are ever stored (``public_page`` for
views and routes, ``PublicPageMixin`` for page types), so staff, admin and client pages cannot
be, whatever they answer.

What is stored: GET answers with status 200 to a request that carries no session cookie, no
messages cookie and is no preview, that set no cookie and do not say ``private``/``no-store``.
Keys hold the generation (``resources.caching``: any publish makes every page stale), scheme,
host, path, query string and the values of the headers the answer varies on — except ``Cookie``:
every page reads ``request.user``, so ``SessionMiddleware`` adds ``Vary: Cookie``, and the cookie
that answer depends on is the session's, which no stored answer ever had (requests carrying one
pass by). A view whose own answer varies on Cookie is never stored (``public_page`` checks it
before the session's Vary is added).

A page that used the CSP nonce is stored with that nonce recorded and served with a fresh one in
its place: the recorded value is random and was made after the content was written, so no
content can guess it, and every answer's nonce matches its own ``Content-Security-Policy``.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.urls import reverse
from django.utils.cache import (
    cc_delim_re,
    get_conditional_response,
    has_vary_header,
    patch_cache_control,
)
from django.utils.http import parse_http_date_safe

from resources import caching

logger = logging.getLogger(__name__)

PUBLIC_ATTRIBUTE = "tsunagu_public_page"
# Request headers the shared-cache key never holds: see the module's docstring.
UNKEYED_VARY = {"cookie"}
KEY_PREFIX = "tsunagu:page-cache"
HIT_HEADER = "X-Page-Cache"

ResponseT = TypeVar("ResponseT", bound=HttpResponseBase)


def mark_public(response: ResponseT) -> ResponseT:
    """Opt one answer in, unless the view made it depend on cookies (then it never is)."""
    if not has_vary_header(response, "Cookie"):
        setattr(response, PUBLIC_ATTRIBUTE, True)
    return response


def public_page(view: Callable[..., ResponseT]) -> Callable[..., ResponseT]:
    """For function views and routable pages' routes whose answer is the same for every
    anonymous visitor of the URL."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> ResponseT:
        return mark_public(view(*args, **kwargs))

    return wrapper


class PublicPageMixin:
    """For page types: every route's answer may be stored (routes with personal answers mark
    them private or set cookies, and are then not)."""

    def serve(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return mark_public(super().serve(request, *args, **kwargs))


def browser_seconds() -> int:
    return settings.PAGE_CACHE_BROWSER_SECONDS


def shared_seconds() -> int:
    return settings.PAGE_CACHE_SHARED_SECONDS


def _admin_prefix() -> str:
    return reverse("wagtailadmin_home")


def passes_by(request: HttpRequest) -> bool:
    """Requests the cache never answers: other methods, sessions, messages, the admin."""
    return (
        request.method not in ("GET", "HEAD")
        or settings.SESSION_COOKIE_NAME in request.COOKIES
        or CookieStorage.cookie_name in request.COOKIES
        or request.path_info.startswith(_admin_prefix())
    )


def _url_key(request: HttpRequest) -> str:
    url = request.build_absolute_uri().encode()
    return f"{KEY_PREFIX}:{caching.generation()}:{hashlib.sha256(url).hexdigest()}"


def _variant_key(url_key: str, request: HttpRequest, headers: list[str]) -> str:
    values = "\n".join(
        f"{name}:{request.META.get('HTTP_' + name.upper().replace('-', '_'), '')}"
        for name in headers
    )
    return f"{url_key}:{hashlib.sha256(values.encode()).hexdigest()}"


def _keyed_vary(response: HttpResponseBase) -> list[str]:
    if not response.has_header("Vary"):
        return []
    names = {name.strip().lower() for name in cc_delim_re.split(response["Vary"])}
    return sorted(name for name in names - UNKEYED_VARY if name)


def _is_storable(request: HttpRequest, response: HttpResponseBase) -> bool:
    control = {
        part.split("=")[0].strip().lower() for part in response.get("Cache-Control", "").split(",")
    }
    user = getattr(request, "user", None)
    return (
        request.method == "GET"
        and response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not control & {"private", "no-store", "no-cache"}
        and "*" not in _keyed_vary(response)
        and not (user is not None and user.is_authenticated)
        and not getattr(request, "is_preview", False)
    )


class PageCacheMiddleware:
    """Serves stored anonymous answers; stores the opted-in ones; labels both for proxies."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if passes_by(request):
            return self._finish(request, self.get_response(request), key=None)
        try:
            key = _url_key(request)
            entry = cache.get(key)
            if entry is not None and entry[0] == "vary":
                entry = cache.get(_variant_key(key, request, entry[1]))
        except Exception:  # the cache is down: answer without it (/healthz reports the outage)
            logger.warning("Page cache unavailable; serving uncached", exc_info=True)
            return self.get_response(request)
        if entry is not None and entry[0] == "page":
            return self._replay(request, entry)
        return self._finish(request, self.get_response(request), key=key)

    def _finish(
        self, request: HttpRequest, response: HttpResponseBase, key: str | None
    ) -> HttpResponseBase:
        if not getattr(response, PUBLIC_ATTRIBUTE, False):
            return response
        if key is None or not _is_storable(request, response):
            # Logged in, a cookie set, a preview…: for this browser only.
            patch_cache_control(response, private=True)
            return response
        patch_cache_control(
            response, public=True, max_age=browser_seconds(), s_maxage=shared_seconds()
        )
        try:
            self._store(request, response, key)
        except Exception:  # the cache went down meanwhile: this answer still goes out
            logger.warning("Page cache unavailable; answer not stored", exc_info=True)
        response[HIT_HEADER] = "miss"
        return response

    def _store(self, request: HttpRequest, response: HttpResponseBase, key: str) -> None:
        nonce = getattr(request, "_csp_nonce", None)
        entry = (
            "page",
            response.status_code,
            list(response.items()),
            response.content,
            nonce.encode() if isinstance(nonce, str) else None,
        )
        vary = _keyed_vary(response)
        seconds = shared_seconds()
        if vary:
            cache.set(key, ("vary", vary), seconds)
            key = _variant_key(key, request, vary)
        cache.set(key, entry, seconds)

    def _replay(self, request: HttpRequest, entry: tuple) -> HttpResponse:
        _, status, headers, content, nonce = entry
        if nonce is not None:
            # Reading request.csp_nonce makes a fresh one and puts it in this answer's policy.
            content = content.replace(nonce, str(request.csp_nonce).encode())
        response = HttpResponse(b"" if request.method == "HEAD" else content, status=status)
        for name, value in headers:
            response[name] = value
        response[HIT_HEADER] = "hit"
        return self._conditional(request, response)

    @staticmethod
    def _conditional(request: HttpRequest, response: HttpResponse) -> HttpResponseBase:
        """A 304 to a client that already has this answer (feeds and the HSDS API send ETags
        and Last-Modified, tsunagu/conditional.py), as the view itself would have given."""
        etag, modified = response.get("ETag"), response.get("Last-Modified")
        if etag is None and modified is None:
            return response
        timestamp = parse_http_date_safe(modified) if modified else None
        answer = get_conditional_response(
            request, etag=etag, last_modified=timestamp, response=response
        )
        if answer is not response:  # a 304 keeps only validators: CORS must stay readable too
            for name, value in response.items():
                if name.lower().startswith("access-control-"):
                    answer[name] = value
        return answer
