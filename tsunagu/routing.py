"""Which site and which page a public URL means, remembered until the content next changes.

Wagtail works both out afresh for every request: one query for the site (about 2 ms of ORM work
on this machine) and one or two per path segment (2.6 ms for /places/, 5.6 ms for a listing's
page), on every page the page cache has not stored. Both only change when something is
published, unpublished, moved or deleted, or a site is edited, which replace the content
generation (``resources.caching``): the answers are kept per process under it, as the facet
index is. A page saved without publishing (code, tests) is forgotten here at once too.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest, HttpResponseBase
from django.http.request import split_domain_port
from wagtail.models import Page, Site
from wagtail.url_routing import RouteResult

from resources import caching
from resources.caching import ProcessMemo

logger = logging.getLogger(__name__)

_sites: ProcessMemo[Site | None] = ProcessMemo(kept=16)
# Past this many paths the least recently asked for are worked out again.
_routes: ProcessMemo[RouteResult] = ProcessMemo(kept=2048)


class RememberedSiteMiddleware:
    """Hands Wagtail the request's site from the memo (``Site.find_for_request`` reads it from
    ``request._wagtail_site``, its documented per-request cache)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not hasattr(request, "_wagtail_site"):
            hostname = split_domain_port(request._get_raw_host())[0]
            key = f"{hostname}:{request.get_port()}"
            try:
                request._wagtail_site = _sites.get(key, lambda: Site._find_for_request(request))
            except Exception:  # cache or database down: left to Wagtail (/healthz reports it)
                logger.warning("Site lookup failed; left to Wagtail", exc_info=True)
        return self.get_response(request)


def remembered_route(
    root: Page, path_components: list[str], route: Callable[[], RouteResult]
) -> RouteResult:
    """``route()``'s answer for this path below ``root``; a 404 is not kept."""
    return _routes.get(f"{root.pk}:{'/'.join(path_components)}", route)


def _page_saved(instance: Any, **kwargs: Any) -> None:
    if isinstance(instance, Page):
        _routes.clear()


def _site_changed(**kwargs: Any) -> None:
    _sites.clear()
    _routes.clear()
    caching.invalidate()  # page URLs carry the site's hostname


def connect() -> None:
    """Called from ``TsunaguConfig.ready``."""
    post_save.connect(_page_saved, dispatch_uid="tsunagu-routing-page-saved")
    post_save.connect(_site_changed, sender=Site, dispatch_uid="tsunagu-routing-site-saved")
    post_delete.connect(_site_changed, sender=Site, dispatch_uid="tsunagu-routing-site-deleted")
