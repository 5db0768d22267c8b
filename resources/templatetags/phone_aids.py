"""Template tags for what phone users expect: map apps, LINE, the home page's search box."""

from __future__ import annotations

from typing import Any

from django import template
from django.core.cache import cache
from django.http import HttpRequest
from wagtail.models import Site

from tsunagu.sites import town_page

from .. import caching, map_links
from ..models import DirectoryIndexPage

register = template.Library()


@register.simple_tag
def map_app_links(item: Any) -> list[map_links.MapLink]:
    """For anything with a title and a location (a listing, an event, an opportunity)."""
    return map_links.map_app_links(
        label=getattr(item, "title", ""),
        latitude=getattr(item, "latitude", None),
        longitude=getattr(item, "longitude", None),
        address=getattr(item, "address", "") or "",
    )


@register.simple_tag(takes_context=True)
def line_share_url(context: template.Context, title: str) -> str:
    """This page's full address, shared with its title."""
    request: HttpRequest = context["request"]
    return map_links.line_share_url(title, request.build_absolute_uri())


@register.simple_tag(takes_context=True)
def directory_search_url(context: template.Context) -> str:
    """Where the home page's search box sends its words: the directory, cached per generation."""
    request: HttpRequest = context["request"]
    site = Site.find_for_request(request)
    if site is None:
        return ""

    def find() -> str:
        directory = town_page(DirectoryIndexPage, site)
        return directory.get_url(request) if directory else ""

    key = f"resources:directory-url:{site.pk}:{caching.generation()}"
    return cache.get_or_set(key, find, caching.SERVER_SECONDS)
