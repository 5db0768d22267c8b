"""Rendered fragments of calendar pages, cached until anything is published.

The month grid is the costly part of the month view (a thousand or more stored dates read and
laid out); what it shows changes only when events are published, unpublished, moved or deleted
(the page cache's generation, ``resources.caching``), when the day changes ("today" is marked)
or when stored dates are extended (``occurrences_extend`` bumps the generation too). The key
holds all of those, plus the site, language and the filters, so a hit is always what a fresh
render would produce.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable

from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import get_language
from wagtail.models import Site

from resources import caching

FRAGMENT_SECONDS = caching.SERVER_SECONDS


def fragment_key(name: str, request: HttpRequest, parts: Iterable[object]) -> str:
    site = Site.find_for_request(request)
    raw = "|".join(str(part) for part in (site.pk if site else 0, get_language(), *parts))
    digest = hashlib.sha256(raw.encode()).hexdigest()
    return f"events:{name}:{caching.generation()}:{digest}"


def cached_fragment(
    name: str, request: HttpRequest, parts: Iterable[object], render: Callable[[], str]
) -> str:
    """``render()``'s output for these key ``parts``, from the cache when it is there."""
    key = fragment_key(name, request, parts)
    html = cache.get(key)
    if html is None:
        html = render()
        cache.set(key, html, FRAGMENT_SECONDS)
    return html
