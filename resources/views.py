"""What the directory's pages show: the filtered list, its print and map forms, detail pages.

The page models route here; everything is built from prefetched rows so a result list costs
the same number of queries for 5 results as for 20.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from tsunagu.island import Town, island_for_request, other_town_name

from .cards import rendered_cards
from .contact import with_contacts
from .filters import DirectoryFilterSet
from .models import ActivityPage, DirectoryIndexPage, ListingPage, PlacePage, ScheduleRule, Term
from .models.pages import ACCESSIBILITY_FLAGS, AUDIENCE_FLAGS, SUPPORT_FLAGS
from .schedule_text import current_rules, next_occurrences, schedule_lines
from .selectors import directory_listings, listing_schedule, place_activities, vocabulary

PAGE_SIZE = 20
# A printed list is read on paper: past a few hundred entries it helps nobody.
PRINT_LIMIT = 500
ACCESS_BADGES = (*ACCESSIBILITY_FLAGS, "near_bus_stop")
TRANSPORT_BADGES = ("pickup", "near_bus_stop", "parking")
# How participation support shows in public: what makes a first visit easier, never capacity.
SUPPORT_BADGES = (*SUPPORT_FLAGS, "pickup")


def _labels(page: ListingPage, fields: tuple[str, ...]) -> list[str]:
    language = get_language()
    return [
        _field_label(type(page), name, language) for name in fields if getattr(page, name, False)
    ]


@lru_cache(maxsize=512)
def _field_label(model: type[ListingPage], name: str, language: str | None) -> str:
    """A field's name in ``language`` (the active one): translated once, not once per card."""
    return str(model._meta.get_field(name).verbose_name)


@dataclass(frozen=True)
class ListingCard:
    """A listing as a result list, a print-out and a detail page summarise it."""

    page: ListingPage
    kind: str
    schedule: list[str]
    cost: str
    audiences: list[str]
    access: list[str]
    # Another town's name on a site sharing with the island (「知名町」); empty for its own.
    town: str = ""


def listing_kind(page: ListingPage) -> str:
    """居場所 or 活動, from the content type: no need to load the specific page."""
    place_type = ContentType.objects.get_for_model(PlacePage)
    model = PlacePage if page.content_type_id == place_type.pk else ActivityPage
    return str(model._meta.verbose_name)


def listing_card(
    page: ListingPage,
    *,
    today: dt.date,
    rules: list[ScheduleRule] | None = None,
    island: list[Town] | None = None,
) -> ListingCard:
    """Uses the page's prefetched rules (no query per result) unless given them; ``island``
    (the towns the request's site shows) labels another town's listing with its name."""
    rules = page.schedule_rules.all() if rules is None else rules
    cost = page.get_cost_display()
    if page.cost_note:
        cost = _("%(cost)s (%(note)s)") % {"cost": cost, "note": page.cost_note}
    return ListingCard(
        page=page,
        kind=listing_kind(page),
        schedule=schedule_lines(current_rules(rules, today)),
        cost=cost,
        audiences=_labels(page, AUDIENCE_FLAGS),
        access=_labels(page, ACCESS_BADGES),
        town=other_town_name(page.path, island) if island else "",
    )


class KnownCountPaginator(Paginator):
    """A paginator told the total, which the facet query has already counted."""

    def __init__(self, object_list: Any, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


def map_settings() -> dict[str, Any]:
    """Tiles and starting view, for the maps' data attributes; no tiles (``MAP_TILE_URL`` set
    empty) means no map at all, only the list and the address."""
    config = settings.LEAFLET_CONFIG
    lat, lng = config["DEFAULT_CENTER"]
    return {
        "tiles": settings.MAP_TILE_URL,
        "attribution": config.get("ATTRIBUTION_PREFIX", ""),
        "lat": lat,
        "lng": lng,
        "zoom": config.get("DEFAULT_ZOOM", 13),
    }


def _filterset(directory: DirectoryIndexPage, request: HttpRequest) -> DirectoryFilterSet:
    """The directory's listings, and the other sharing towns' on a site sharing with the
    island; the facet index is kept per directory and set of towns."""
    island = island_for_request(request)
    towns = "-".join(str(town.site_id) for town in island[1:])
    return DirectoryFilterSet(
        request.GET,
        queryset=directory_listings(directory, island=island),
        request=request,
        scope=f"directory-{directory.pk}-island-{towns}" if towns else f"directory-{directory.pk}",
        island=island,
    )


def _subpage_url(directory: DirectoryIndexPage, request: HttpRequest, name: str, query: str) -> str:
    url = directory.get_url(request) + directory.reverse_subpage(name)
    return f"{url}?{query}" if query else url


def directory_context(directory: DirectoryIndexPage, request: HttpRequest) -> dict[str, Any]:
    """The result list with counts, active filters and links to the same list printed or mapped."""
    filterset = _filterset(directory, request)
    total, facets = filterset.facets()
    listings = filterset.results()
    # Paged by key: the cards come from the cache, and only listings not rendered yet are read.
    paginator = KnownCountPaginator(listings.keys, PAGE_SIZE, count=total)
    results: PaginatorPage = paginator.get_page(filterset.data.get("page"))
    query = filterset.query_string()
    return {
        "filterset": filterset,
        "form_errors": [
            (filterset.form[name].label, message)
            for name, messages in filterset.errors.items()
            for message in messages
        ],
        "search_error": filterset.search_error(),
        "facets": facets,
        "total": total,
        "results": results,
        "cards": rendered_cards(request, results.object_list, listings.fetch),
        "active_filters": filterset.active_filters(),
        "query": query,
        "print_url": _subpage_url(directory, request, "print", query),
        "map_url": _subpage_url(directory, request, "map", query),
        "map_settings": map_settings(),
        "tag_term": _single_tag(filterset),
    }


def _single_tag(filterset: DirectoryFilterSet) -> Term | None:
    """The one tag ticked, if exactly one: its events feed is offered beside the results."""
    ticked = filterset.selected().get("tag", [])
    if len(ticked) != 1:
        return None
    return next((term for term in vocabulary() if term.slug == ticked[0]), None)


def directory_print_context(directory: DirectoryIndexPage, request: HttpRequest) -> dict[str, Any]:
    """Every result (up to PRINT_LIMIT) for paper: no map, no paging."""
    filterset = _filterset(directory, request)
    rows = list(filterset.results()[: PRINT_LIMIT + 1])
    with_contacts(rows[:PRINT_LIMIT])  # one query for every entry's contact
    today = timezone.localdate()
    return {
        "search_error": filterset.search_error(),
        "active_filters": filterset.active_filters(),
        "cards": [
            listing_card(page, today=today, island=filterset.island) for page in rows[:PRINT_LIMIT]
        ],
        "capped": len(rows) > PRINT_LIMIT,
        "print_limit": PRINT_LIMIT,
        "printed_on": today,
        "list_url": _subpage_url(directory, request, "results", filterset.query_string()),
    }


def directory_map_data(directory: DirectoryIndexPage, request: HttpRequest) -> dict[str, Any]:
    """Markers for the filtered results that have a location: public fields only."""
    filterset = _filterset(directory, request)
    if error := filterset.search_error():
        return {"error": error}
    rows = (
        filterset.qs.filter(latitude__isnull=False, longitude__isnull=False)
        .select_related(None)
        .select_related("area")
        .prefetch_related(None)
        .only("title", "path", "url_path", "latitude", "longitude", "content_type_id", "area__name")
    )
    markers = []
    for page in rows[:PRINT_LIMIT]:
        marker = {
            "title": page.title,
            "url": page.get_url(request),
            "kind": listing_kind(page),
            "area": page.area.name if page.area_id else "",
            "lat": float(page.latitude),
            "lng": float(page.longitude),
        }
        # Another town's name where the site shares with the island.
        if town := other_town_name(page.path, filterset.island):
            marker["town"] = town
        markers.append(marker)
    return {"markers": markers}


def listing_detail_context(page: ListingPage, request: HttpRequest | None = None) -> dict[str, Any]:
    """A detail page: summary, schedule in words, next dates, and what links it to others.

    On a site sharing with the island the heading names the town (residents arrive from the
    other towns' directories)."""
    today = timezone.localdate()
    rules, exceptions = listing_schedule(page)
    island = island_for_request(request) if request is not None else []
    context: dict[str, Any] = {
        "card": listing_card(page, today=today, rules=rules),
        "town_name": island[0].name if len(island) > 1 else "",
        "occurrences": next_occurrences(rules, exceptions, start=today),
        "tags": list(page.tags.all()),
        "accessibility": _labels(
            page, tuple(flag for flag in ACCESSIBILITY_FLAGS if flag not in TRANSPORT_BADGES)
        ),
        "transport": _labels(page, TRANSPORT_BADGES),
        "map_settings": map_settings(),
        # An unsaved page (a preview of a new listing) has no place in the tree yet.
        "directory": page.get_parent() if page.pk else None,
    }
    if isinstance(page, PlacePage):
        context["activities"] = [
            listing_card(activity, today=today) for activity in place_activities(page)
        ]
    if isinstance(page, ActivityPage):
        context["place"] = page.place if page.place_id and page.place.live else None
        context["support"] = _labels(page, SUPPORT_BADGES)
    return context
