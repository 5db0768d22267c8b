"""Factories for the directory's content, shared by every app's tests.

Pages are created the way an editor's are: added under the directory with ``add_child`` and
published through a revision, so search indexing and publish signals run as in production.
"""

import datetime as dt
import itertools
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

import factory
from factory.django import DjangoModelFactory
from wagtail.models import Page, Site

from resources.models import (
    ActivityPage,
    Area,
    DirectoryIndexPage,
    Organization,
    PlacePage,
    ScheduleException,
    ScheduleRule,
    Term,
)
from tsunagu.models import HomePage, TownSettings

TOWN = {"town_name": "和泊町", "office_name": "保健福祉課", "phone": "0997-84-0000"}


def directory_page() -> DirectoryIndexPage:
    """The site's directory, created on first use under a home page that is the default site's
    root, with the town's contact details (every public page shows them)."""
    directory = DirectoryIndexPage.objects.first()
    if directory is not None:
        return directory
    home = HomePage.objects.first()
    if home is None:
        home = Page.get_first_root_node().add_child(
            instance=HomePage(title="つなぐ", slug="tsunagu")
        )
        site, _ = Site.objects.update_or_create(
            is_default_site=True,
            defaults={"hostname": "localhost", "port": 80, "root_page": home},
        )
        TownSettings.objects.update_or_create(site=site, defaults=TOWN)
    return home.add_child(instance=DirectoryIndexPage(title="居場所・活動をさがす", slug="places"))


class AreaFactory(DjangoModelFactory):
    class Meta:
        model = Area
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"地区{n}")
    kana = ""
    latitude = Decimal("27.392280")
    longitude = Decimal("128.655470")
    order = factory.Sequence(int)


class OrganizationFactory(DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"団体{n}")
    kind = Organization.Kind.VOLUNTARY


class TermFactory(DjangoModelFactory):
    class Meta:
        model = Term
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"用語{n}")
    slug = factory.Sequence(lambda n: f"term-{n}")
    kind = Term.Kind.INTEREST


TIME_FIELDS = {"opens_at", "closes_at"}
# Places and activities share one parent page, so they share one counter for unique slugs.
_listing_numbers = itertools.count()


class ListingPageFactory(DjangoModelFactory):
    """Takes ``parent`` (default: the directory), ``tags`` (terms), ``schedule`` and
    ``exceptions`` (dicts of field values) too. Audiences are all off unless a test sets them."""

    class Meta:
        abstract = True

    title = factory.LazyFunction(lambda: f"掲載{next(_listing_numbers)}")
    slug = factory.LazyFunction(lambda: f"listing-{next(_listing_numbers)}")
    for_everyone = False

    @classmethod
    def _create(
        cls,
        model_class: type[PlacePage | ActivityPage],
        *args: Any,
        parent: Page | None = None,
        tags: Iterable[Term] = (),
        schedule: Iterable[Mapping[str, Any]] = (),
        exceptions: Iterable[Mapping[str, Any]] = (),
        **kwargs: Any,
    ) -> PlacePage | ActivityPage:
        page = model_class(*args, **kwargs)
        page.schedule_rules = [ScheduleRule(**_times(rule)) for rule in schedule]
        page.schedule_exceptions = [ScheduleException(**_times(exc)) for exc in exceptions]
        page.tags.add(*tags)
        (parent or directory_page()).add_child(instance=page)
        page.save_revision().publish()
        return page


def _times(values: Mapping[str, Any]) -> dict[str, Any]:
    """Lets tests write times as "10:00" (``datetime.time`` values pass through)."""
    return {
        key: dt.time.fromisoformat(value)
        if key in TIME_FIELDS and isinstance(value, str)
        else value
        for key, value in values.items()
    }


class PlacePageFactory(ListingPageFactory):
    class Meta:
        model = PlacePage


class ActivityPageFactory(ListingPageFactory):
    class Meta:
        model = ActivityPage
