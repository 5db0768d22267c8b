"""What search engines and link previews read: robots.txt, the sitemap, a page's description,
Open Graph tags and schema.org JSON-LD.

Only public pages are described: the sitemap is Wagtail's (live, public pages of this site;
staff-only events leave themselves out), robots.txt keeps crawlers out of the admin and every
personal path. JSON-LD is escaped as ``json_script`` escapes (``<``, ``>``, ``&`` as \\u
escapes), so a title holding ``</script>`` stays inside its string.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from tsunagu.text import single_line

# Paths no crawler should follow: the admin, accounts, clients and follow-ups, volunteers'
# own pages (links with tokens), form endpoints. Public pages are Wagtail's and stay open.
PRIVATE_PATHS = (
    "/admin/",
    "/matching/",
    "/followups/",
    "/verification/",
    "/community/",
    "/furigana/",
    # Volunteers' own paths (volunteers.models.RESERVED_SLUGS, but profiles): the
    # opportunities beside them under /volunteers/ are public pages.
    *(
        f"/volunteers/{slug}/"
        for slug in ("register", "link", "shifts", "confirm", "cancel", "hours", "me", "calendar")
    ),
)
DESCRIPTION_LENGTH = 160
_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@require_safe
@cache_control(public=True, max_age=86400)
def robots_txt(request: HttpRequest) -> HttpResponse:
    """Crawlers: everything public, nothing private, and where the sitemap is."""
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in PRIVATE_PATHS)]
    lines += ["", f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


def json_ld(data: dict[str, Any]) -> SafeString:
    """A ``<script type="application/ld+json">`` that no text in ``data`` can close early."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(text.translate(_JSON_SCRIPT_ESCAPES)),
    )


def page_description(page: Any) -> str:
    """The page's own search description, else its summary, lead or introduction, one line
    and short enough for a result snippet."""
    for name in ("search_description", "summary", "lead", "intro"):
        text = single_line(str(getattr(page, name, "") or ""))
        if text:
            if len(text) > DESCRIPTION_LENGTH:
                text = text[: DESCRIPTION_LENGTH - 1] + "…"
            return text
    return ""


def postal_address(address: str) -> dict[str, str] | None:
    return {"@type": "PostalAddress", "streetAddress": address} if address else None


def organization_data(organization: Any) -> dict[str, Any]:
    """schema.org Organization for a listing's operator."""
    return {"@type": "Organization", "name": organization.name}


def without_empty(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if value not in (None, "", [], {})}


def place_data(name: str, address: str, latitude: Any, longitude: Any) -> dict[str, Any]:
    """schema.org Place: a name, a postal address and, when known, coordinates."""
    geo = None
    if latitude is not None and longitude is not None:
        geo = {
            "@type": "GeoCoordinates",
            "latitude": float(latitude),
            "longitude": float(longitude),
        }
    return without_empty(
        {"@type": "Place", "name": name, "address": postal_address(address), "geo": geo}
    )


def with_context(data: dict[str, Any]) -> dict[str, Any]:
    return {"@context": "https://schema.org", **without_empty(data)}
