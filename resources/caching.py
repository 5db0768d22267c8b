"""Whole-page caching of what anonymous residents see, dropped whenever published content changes.

Keys carry a generation token; any publish, unpublish, move or delete (and edits of districts,
operators, vocabulary or site settings, which pages also show) replaces the token, so every
cached page is stale at once without tracking which pages showed what. The HSDS API keys its
sorted lists by the same token. With the local-memory cache each process has its own token;
production shares one through Redis.
"""

from __future__ import annotations

import hashlib
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

GENERATION_KEY = "resources:pages:generation"
SERVER_SECONDS = 600
# Browsers and proxies cannot be told to forget, so they keep a page only briefly.
BROWSER_SECONDS = 60


def generation() -> str:
    """The current token, created on first use (``add`` keeps a concurrent bump)."""
    token = cache.get(GENERATION_KEY)
    if token is None:
        cache.add(GENERATION_KEY, uuid.uuid4().hex, None)
        token = cache.get(GENERATION_KEY)
    return token


def invalidate() -> None:
    """Make every cached page stale."""
    cache.set(GENERATION_KEY, uuid.uuid4().hex, None)


T = TypeVar("T")


class ProcessMemo(Generic[T]):
    """Values kept in this process until the generation changes, for structures too big to
    unpickle from the shared cache on every request (the facet index, search key maps).

    One build at a time: requests arriving after a publish wait for it instead of each
    building their own.
    """

    def __init__(self, kept: int = 4) -> None:
        self.kept = kept
        self._values: OrderedDict[str, T] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str, build: Callable[[], T]) -> T:
        key = f"{generation()}:{key}"
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
            value = self._values[key] = build()
            while len(self._values) > self.kept:
                self._values.popitem(last=False)
            return value


def is_cacheable(request: HttpRequest) -> bool:
    """Anonymous GETs outside previews, with no messages waiting to be shown."""
    user = getattr(request, "user", None)
    return (
        request.method == "GET"
        and not (user is not None and user.is_authenticated)
        and not getattr(request, "is_preview", False)
        and len(get_messages(request)) == 0
    )


def page_cache_key(request: HttpRequest) -> str:
    url = request.build_absolute_uri().encode()
    return f"resources:page:{generation()}:{hashlib.sha256(url).hexdigest()}"


class AnonymousCacheMixin:
    """For page types: serve anonymous GETs from the cache, keyed by the full URL."""

    def serve(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_cacheable(request):
            response = super().serve(request, *args, **kwargs)
            patch_cache_control(response, private=True)
            return response
        key = page_cache_key(request)
        cached = cache.get(key)
        if cached is not None:
            return cached
        response = super().serve(request, *args, **kwargs)
        if response.status_code == 200:
            patch_cache_control(response, public=True, max_age=BROWSER_SECONDS)
            if getattr(response, "is_rendered", True):
                cache.set(key, response, SERVER_SECONDS)
            else:
                response.add_post_render_callback(
                    lambda rendered: cache.set(key, rendered, SERVER_SECONDS)
                )
        return response
