"""``{% town_badge page %}``: the other town's name on a page shared across the island."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from ..island import island_for_request, other_town_name

register = template.Library()


@register.simple_tag(takes_context=True)
def town_badge(context: template.Context, page: object) -> SafeString | str:
    """A badge naming ``page``'s town when it is another town's, on a site sharing with the
    island (``tsunagu.island``); nothing otherwise. The towns are cached: no query."""
    request = context.get("request")
    path = getattr(page, "path", "")
    if request is None or not path:
        return ""
    name = other_town_name(path, island_for_request(request))
    return format_html('<span class="badge badge--town">{}</span> ', name) if name else ""
