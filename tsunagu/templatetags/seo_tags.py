"""``{% seo_head %}``: meta description, Open Graph and JSON-LD for the page being shown."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

from tsunagu.seo import json_ld, page_description

register = template.Library()


@register.inclusion_tag("site/includes/seo_head.html", takes_context=True)
def seo_head(context: template.Context) -> dict[str, Any]:
    """Nothing for non-page views (forms, personal pages): they are not for sharing."""
    page = context.get("page")
    request = context.get("request")
    if page is None or request is None or not hasattr(page, "get_full_url"):
        return {}
    structured = getattr(page, "structured_data", None)
    data = structured(request) if structured else None
    return {
        "page": page,
        "description": page_description(page),
        "url": page.get_full_url(request),
        "og_type": "website" if page.depth <= 2 else "article",
        "json_ld": json_ld(data) if data else SafeString(""),
    }
