"""Links that open a listing's location in the resident's own map app, and share it on LINE.

A phone's map app knows the way there, speaks directions aloud and works offline; our small map
does none of that. Android opens ``geo:`` URIs in whichever map app is installed; iPhones
and computers get Apple's and Google's web addresses, which hand over to their apps.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import quote, urlencode

from django.utils.translation import gettext as _

LINE_SHARE_URL = "https://line.me/R/share"


@dataclass(frozen=True)
class MapLink:
    label: str
    url: str


def map_app_links(
    *,
    label: str,
    latitude: Decimal | float | None = None,
    longitude: Decimal | float | None = None,
    address: str = "",
) -> list[MapLink]:
    """geo:, Apple Maps and Google Maps links: by coordinates when known, else by address."""
    if latitude is not None and longitude is not None:
        point = f"{float(latitude):.6f},{float(longitude):.6f}"
        geo = f"geo:{point}?q={point}({quote(label)})" if label else f"geo:{point}?q={point}"
        apple = {"ll": point, "q": label or point}
        google = point
    elif address.strip():
        geo = f"geo:0,0?q={quote(address)}"
        apple = {"address": address}
        google = address
    else:
        return []
    return [
        MapLink(_("Map app (Android)"), geo),
        MapLink(_("Apple Maps"), "https://maps.apple.com/?" + urlencode(apple)),
        MapLink(
            _("Google Maps"),
            "https://www.google.com/maps/search/?" + urlencode({"api": "1", "query": google}),
        ),
    ]


def line_share_url(title: str, url: str) -> str:
    """LINE's share screen with the title and address as the message."""
    return f"{LINE_SHARE_URL}?text=" + quote(title + "\n" + url, safe="")
