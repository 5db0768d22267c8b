"""The stale-information notice on detail pages (no query: it reads the page in memory)."""

from __future__ import annotations

from django import template

from resources.models import ListingPage

from ..selectors import listing_cycle, listing_is_stale

register = template.Library()


@register.inclusion_tag("verification/includes/stale_notice_body.html", takes_context=True)
def stale_notice(context: template.Context, page: ListingPage | None = None) -> dict:
    """Renders the notice when ``page`` (default: the context's page) may be out of date."""
    page = page if page is not None else context.get("page")
    stale = isinstance(page, ListingPage) and listing_is_stale(page)
    return {
        "stale": stale,
        "cycle": listing_cycle(page) if stale else None,
        "settings": context.get("settings"),
    }
