"""Template context every public page needs."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject
from wagtail.models import Page, Site


def site_sections(request: HttpRequest) -> dict[str, SimpleLazyObject]:
    """The header's sections: live, in-menu children of the site's root page.

    Lazy and evaluated once per request, so only templates that show the navigation pay for it.
    """

    def sections() -> list[Page]:
        site = Site.find_for_request(request)
        if site is None:
            return []
        return list(site.root_page.get_children().live().in_menu().specific())

    return {"site_sections": SimpleLazyObject(sections)}
