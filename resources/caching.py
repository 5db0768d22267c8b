"""The content generation: what every cache of public content is keyed by, dropped on any change.

Keys carry a generation token; any publish, unpublish, move or delete (and edits of districts,
operators, vocabulary or site settings, which pages also show) replaces the token, so every
cached page is stale at once without tracking which pages showed what (the pages themselves are
cached by tsunagu/page_cache.py). The HSDS API keys its
sorted lists by the same token. With the local-memory cache each process has its own token;
production shares one through Redis.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from contextvars import ContextVar
from typing import Generic, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponseBase

logger = logging.getLogger(__name__)

GENERATION_KEY = "resources:pages:generation"
# How long fragments and lookups keyed by the generation are kept (a publish drops them sooner).
SERVER_SECONDS = 600


# The token a request read once (``PinnedGenerationMiddleware``); None outside requests.
_pinned: ContextVar[str | None] = ContextVar("resources_generation", default=None)


def generation() -> str:
    """The current token: the request's own, else read (and created on first use)."""
    return _pinned.get() or _read_generation()


def _read_generation() -> str:
    token = cache.get(GENERATION_KEY)
    if token is None:
        cache.add(GENERATION_KEY, uuid.uuid4().hex, None)  # ``add`` keeps a concurrent bump
        token = cache.get(GENERATION_KEY)
    return token


def invalidate() -> None:
    """Make every cached page stale, here and in the HTTP cache in front (once committed)."""
    token = uuid.uuid4().hex
    cache.set(GENERATION_KEY, token, None)
    if _pinned.get() is not None:
        _pinned.set(token)  # what this request does next sees its own change
    if settings.WAGTAILFRONTENDCACHE:
        transaction.on_commit(_purge_frontend_later)


class PinnedGenerationMiddleware:
    """Reads the generation once per request instead of once per cache lookup.

    A directory list asked the shared cache for it fifteen times (page cache, site, route,
    town settings, sections, cards, the facet index, the search memo...), a round trip to
    Redis each; one token per request also renders the whole page against one state of the
    content. A publish made by the request itself moves its token on (``invalidate``).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        try:
            token = _read_generation()
        except Exception:  # the cache is down: each lookup tries (and fails) on its own
            logger.exception("Could not read the content generation")
            return self.get_response(request)
        pinned = _pinned.set(token)
        try:
            return self.get_response(request)
        finally:
            _pinned.reset(pinned)


def _purge_frontend_later() -> None:
    # A task, so a slow or dead proxy never holds up or breaks the publish that got here.
    from .tasks import purge_frontend_cache

    try:
        purge_frontend_cache.delay()
    except Exception:  # the broker is down: the proxy's s-maxage still bounds staleness
        logger.exception("Could not queue the frontend cache purge")


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

    def clear(self) -> None:
        """Forget every value in this process (other processes keep theirs)."""
        with self._lock:
            self._values.clear()
