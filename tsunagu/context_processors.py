"""Template context every public page needs."""

from django.core.cache import cache
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject
from wagtail.models import Page, Site

from resources.caching import SERVER_SECONDS, generation


def site_sections(request: HttpRequest) -> dict[str, SimpleLazyObject]:
    """The header's sections: live, in-menu children of the site's root page.

    Lazy, and cached under the page-cache generation (any publish, unpublish or move replaces
    it), so the navigation costs no query on pages that are rendered afresh.
    """

    def sections() -> list[Page]:
        site = Site.find_for_request(request)
        if site is None:
            return []
        return cache.get_or_set(
            f"tsunagu:sections:{site.pk}:{generation()}",
            lambda: list(site.root_page.get_children().live().in_menu().specific()),
            SERVER_SECONDS,
        )

    return {"site_sections": SimpleLazyObject(sections)}
