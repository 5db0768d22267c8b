"""Several towns on one install: which sites' public content a town's site shows (issue 17).

Each town is a Wagtail ``Site`` with its own ``TownSettings``. On 沖永良部島 residents cross the
border between 和泊町 and 知名町 every day, so a town may share its directory, calendar and
volunteer opportunities with the island. Sharing is mutual: a site shows another town's
content only when both towns share, so no town appears somewhere it did not agree to. A town
that does not share (the default, and every single-town install) sees only its own pages.

The towns are read once per content generation (saving any site setting replaces it,
``resources/signals.py``) and kept in the shared cache: two small queries per publish.
Pages are assigned to a town by their tree path under the site's root page, so selecting a
town's pages is a ``path`` prefix, which every page query can carry without a join.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.core.cache import cache
from django.db.models import Case, CharField, Q, Value, When
from django.http import HttpRequest
from wagtail.models import Site

from resources.caching import SERVER_SECONDS, generation


@dataclass(frozen=True)
class Town:
    """One site as the island sees it: its name, its tree and whether it shares."""

    site_id: int
    name: str
    root_path: str
    root_url_path: str
    root_url: str
    shares: bool


def towns() -> list[Town]:
    """Every site of the install as a town, by site id; cached until the next change."""
    return cache.get_or_set(f"tsunagu:island:{generation()}", _read_towns, SERVER_SECONDS)


def _read_towns() -> list[Town]:
    """One query: each site with its root page's paths and its town settings (if any)."""
    rows = Site.objects.order_by("pk").values(
        "pk", "hostname", "port", "site_name", "root_page__path", "root_page__url_path",
        "townsettings__town_name", "townsettings__share_with_island",
    )  # fmt: skip
    return [
        Town(
            site_id=row["pk"],
            name=row["townsettings__town_name"] or row["site_name"] or row["hostname"],
            root_path=row["root_page__path"],
            root_url_path=row["root_page__url_path"],
            root_url=Site(hostname=row["hostname"], port=row["port"]).root_url,
            shares=bool(row["townsettings__share_with_island"]),
        )
        for row in rows
    ]


def island_of(site: Site | int | None) -> list[Town]:
    """The towns whose public content ``site`` shows: itself first, then, when it shares, the
    other sharing towns. Without a site (no Site matches the request) only the default one's
    own content, as Wagtail serves it."""
    site_id = site.pk if isinstance(site, Site) else site
    every = towns()
    own = next((town for town in every if town.site_id == site_id), None)
    if own is None:
        return []
    if not own.shares:
        return [own]
    # Two sites over one tree (another hostname) are one town: its pages once.
    seen = {own.root_path}
    others = []
    for town in every:
        if town.shares and town.root_path not in seen:
            seen.add(town.root_path)
            others.append(town)
    return [own, *others]


def island_for_request(request: HttpRequest) -> list[Town]:
    """``island_of`` the request's site."""
    return island_of(Site.find_for_request(request))


def shown_on(request: HttpRequest) -> Q:
    """Pages anywhere in the tree that the request's site may show: its own town's and the
    sharing towns' (``island_of``). No condition on an install of one site, whose pages may
    sit outside its root (built before the site was)."""
    if len(towns()) <= 1:
        return Q()
    return in_towns(island_for_request(request))


def is_shared(island: list[Town]) -> bool:
    """Whether more than the site's own town is shown (labels and the town facet appear)."""
    return len(island) > 1


def in_towns(island: list[Town], *, field: str = "path") -> Q:
    """Pages in the trees of ``island`` (``field`` names the page's path, for related pages)."""
    if not island:
        return Q(pk__in=[])
    return reduce(or_, (Q(**{f"{field}__startswith": town.root_path}) for town in island))


def island_scope(path: str, island: list[Town]) -> Q:
    """Pages below the tree ``path`` (a site's directory, calendar or home) and, where the
    site shares with the island, every page of the other sharing towns."""
    own = Q(path__startswith=path)
    return own | in_towns(island[1:]) if is_shared(island) else own


def town_of_path(path: str, island: list[Town]) -> Town | None:
    """The town whose tree holds the page at ``path`` (the deepest root, if trees nest)."""
    holding = [town for town in island if path.startswith(town.root_path)]
    return max(holding, key=lambda town: len(town.root_path), default=None)


def town_annotation(island: list[Town]) -> Case:
    """Each page's town's site id as a string, computed by the database (for facet bitsets)."""
    deepest_first = sorted(island, key=lambda town: -len(town.root_path))
    return Case(
        *(
            When(path__startswith=town.root_path, then=Value(str(town.site_id)))
            for town in deepest_first
        ),
        default=Value(""),
        output_field=CharField(),
    )


def other_town_name(path: str, island: list[Town]) -> str:
    """The label a page from another town carries (「知名町」); empty for the site's own pages,
    and on a site that shows only its own town."""
    town = other_town(path, island)
    return town.name if town is not None else ""


def other_town(path: str, island: list[Town]) -> Town | None:
    """The other town holding the page at ``path``; None for the site's own pages."""
    if not is_shared(island):
        return None
    town = town_of_path(path, island)
    return town if town is not None and town != island[0] else None


def page_url(town: Town, url_path: str) -> str:
    """A page's full URL on its town's site, from its ``url_path`` (no page loaded): rows
    from another town link to that town's own site, which serves the page."""
    return town.root_url + url_path[len(town.root_url_path) - 1 :]
