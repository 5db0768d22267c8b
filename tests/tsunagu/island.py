"""Two towns of 沖永良部島 on one install, for the island-sharing tests (issue 17).

和泊町 is the default site the other tests' factories build on (``localhost``); 知名町 is a
second Wagtail Site with its own home page, directory, calendar and volunteer section.
"""

from __future__ import annotations

from types import SimpleNamespace

from django.core.cache import cache
from wagtail.models import Page, Site

from events.models import EventIndexPage
from resources.models import DirectoryIndexPage
from tests.events.factories import calendar_page
from tests.resources.factories import directory_page
from tests.volunteers.factories import volunteer_index
from tsunagu.models import HomePage, TownSettings
from volunteers.models import VolunteerIndexPage

CHINA_HOST = "china.example"


def _published(parent: Page, page: Page) -> Page:
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def second_town(*, name: str = "知名町", hostname: str = CHINA_HOST) -> SimpleNamespace:
    """A town's site beside the default one: home page, directory, calendar, volunteering."""
    slug = hostname.split(".")[0]
    home = Page.get_first_root_node().add_child(instance=HomePage(title=name, slug=slug))
    site = Site.objects.create(hostname=hostname, port=80, root_page=home, site_name=name)
    TownSettings.objects.create(site=site, town_name=name)
    return SimpleNamespace(
        site=site,
        home=home,
        directory=_published(home, DirectoryIndexPage(title="居場所・活動", slug="places")),
        calendar=_published(home, EventIndexPage(title="催し", slug="events")),
        volunteers=_published(home, VolunteerIndexPage(title="ボランティア", slug="volunteers")),
    )


def first_town() -> SimpleNamespace:
    """The default site (和泊町, the factories' town) with its directory, calendar and
    volunteering; made before ``second_town``, whose pages the factories must not find first."""
    directory = directory_page()
    site = Site.objects.get(is_default_site=True)
    return SimpleNamespace(
        site=site,
        home=directory.get_parent(),
        directory=directory,
        calendar=calendar_page(),
        volunteers=volunteer_index(),
    )


def share(*towns: SimpleNamespace, shares: bool = True) -> None:
    """Tick (or untick) 「島内で共有」 the way the settings form saves it (signals run)."""
    for town in towns:
        settings = TownSettings.for_site(town.site)
        settings.share_with_island = shares
        settings.save()


def two_towns() -> tuple[SimpleNamespace, SimpleNamespace]:
    """和泊町 and 知名町, neither sharing yet, from an empty cache (the test settings' local
    memory cache outlives a test; stored pages and the towns must not)."""
    cache.clear()
    return first_town(), second_town()
