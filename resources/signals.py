"""Keeps the search index and the page cache in step with what editors publish.

Wagtail indexes a page on ``post_save``, but modelcluster saves a page's tags after that, so a
revision that changes tags would leave the index one step behind: listings are indexed again
once publishing has finished. Listings also carry their district's, operator's and terms'
names in their search text (activities their place's too), so editing those re-indexes the
listings that use them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from django.apps import apps
from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save
from wagtail.contrib.settings.models import BaseSiteSetting
from wagtail.models import Page, PageViewRestriction
from wagtail.search.index import insert_or_update_object
from wagtail.signals import page_published, page_unpublished, post_page_move

from . import caching
from .models import ActivityPage, Area, ListingPage, Organization, PlacePage, Term


def _pages_changed(**kwargs: Any) -> None:
    caching.invalidate()


def _listing_published(instance: Page, **kwargs: Any) -> None:
    if isinstance(instance, ListingPage):
        insert_or_update_object(instance)
    if isinstance(instance, PlacePage):
        _reindex(ActivityPage.objects.filter(place=instance))
    caching.invalidate()


def _reindex(listings: QuerySet[ListingPage]) -> None:
    for page in listings.specific():
        insert_or_update_object(page)


def _area_or_operator_saved(instance: Area | Organization, **kwargs: Any) -> None:
    if not kwargs.get("raw"):
        _reindex(instance.listings.all())
    caching.invalidate()


def _term_saved(instance: Term, **kwargs: Any) -> None:
    if not kwargs.get("raw"):
        _reindex(ListingPage.objects.filter(tagged_items__tag=instance))
    caching.invalidate()


@contextlib.contextmanager
def listings_published_together() -> Iterator[None]:
    """Publishing thousands of listings at once (an import): no index update or cache
    invalidation per page; the caller indexes what it saved and invalidates once."""
    page_published.disconnect(dispatch_uid=_PUBLISHED_UID)
    try:
        yield
    finally:
        page_published.connect(_listing_published, dispatch_uid=_PUBLISHED_UID)


_PUBLISHED_UID = "resources-page-published"


def connect() -> None:
    """Called from ``ResourcesConfig.ready``."""
    page_published.connect(_listing_published, dispatch_uid=_PUBLISHED_UID)
    page_unpublished.connect(_pages_changed, dispatch_uid="resources-page-unpublished")
    post_page_move.connect(_pages_changed, dispatch_uid="resources-page-moved")
    post_delete.connect(_pages_changed, sender=Page, dispatch_uid="resources-page-deleted")
    for model in (Area, Organization):
        post_save.connect(_area_or_operator_saved, sender=model, dispatch_uid=f"resources-{model}")
        post_delete.connect(_pages_changed, sender=model, dispatch_uid=f"resources-del-{model}")
    post_save.connect(_term_saved, sender=Term, dispatch_uid="resources-term-saved")
    post_delete.connect(_pages_changed, sender=Term, dispatch_uid="resources-term-deleted")
    # A view restriction publishes nothing, yet takes pages away from the public: stored
    # copies of them, and of the lists and API answers showing them, must go at once.
    post_save.connect(_pages_changed, sender=PageViewRestriction, dispatch_uid="resources-pvr")
    post_delete.connect(_pages_changed, sender=PageViewRestriction, dispatch_uid="resources-pvr-d")
    # Site settings (the town's contact details) appear in every page's footer.
    for model in apps.get_models():
        if issubclass(model, BaseSiteSetting):
            post_save.connect(_pages_changed, sender=model, dispatch_uid=f"resources-{model}")
