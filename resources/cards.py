"""Result cards' HTML, kept in the shared cache between requests.

A card shows only published content (kind, district, title, summary, this season's schedule,
cost, badges), so it changes only with the cache generation (any publish) and with the day (which
schedule rules are current). Rendering twenty of them was the largest part of a result page's
time, while searches and filters show the same listings again and again in other orders. So each
card is rendered once per generation, day and site, and a page is assembled from them with one
cache round trip; only the listings not yet rendered are read from the database. Like whole
pages, only for anonymous requests.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from django.core.cache import cache
from django.http import HttpRequest
from django.template.loader import get_template
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from wagtail.models import Site

from tsunagu.island import island_for_request

from . import caching
from .models import ListingPage

CARD_TEMPLATE = "resources/includes/listing_card.html"


def card_key_prefix(request: HttpRequest) -> str:
    """Links in a card are relative to the request's site; names follow the language."""
    site = Site.find_for_request(request)
    today = timezone.localdate().isoformat()
    return (
        f"resources:card:{caching.generation()}:{today}:{get_language()}:{site.pk if site else 0}"
    )


def rendered_cards(
    request: HttpRequest,
    keys: Sequence[int],
    fetch: Callable[[Sequence[int]], Iterable[ListingPage]],
) -> list[SafeString]:
    """The cards of ``keys`` in that order; ``fetch`` reads the listings not cached yet (a listing
    it no longer returns, unpublished since, is left out)."""
    from .views import listing_card

    # The site's towns label other towns' cards; the key's site part keeps them apart.
    island = island_for_request(request)
    prefix = card_key_prefix(request)
    names = {key: f"{prefix}:{key}" for key in keys}
    # Staff and previews see what the database holds, as with whole pages (tsunagu/page_cache.py).
    user = getattr(request, "user", None)
    shared = not (user is not None and user.is_authenticated) and not getattr(
        request, "is_preview", False
    )
    found = cache.get_many(list(names.values())) if shared else {}
    missing = [key for key, name in names.items() if name not in found]
    if missing:
        template = get_template(CARD_TEMPLATE)
        today = timezone.localdate()
        fresh = {
            names[page.pk]: template.render(
                {"card": listing_card(page, today=today, island=island), "request": request}
            )
            for page in fetch(missing)
        }
        if shared:
            cache.set_many(fresh, caching.SERVER_SECONDS)
        found.update(fresh)
    return [mark_safe(found[names[key]]) for key in keys if names[key] in found]
