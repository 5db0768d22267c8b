"""Moderation's shared pieces: what is under review, and whether anybody can be reached.

``checks.review_checks`` is the whole checklist (venue, district, date and time, contact,
audience); this module holds its contact rule: somebody must be reachable about the page, by
the listing's own telephone number or email address or its operator's
(``resources.contact.reachable_contact``); the town office's number is a fallback for
residents, not a way for the listing to pass. ``contact_problem`` is that check, with its
reason in Japanese.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from wagtail.models import Page

from resources.contact import reachable_contact
from resources.models import ListingPage


def under_review(page: Page) -> Page:
    """What approving would publish: the latest revision (a live page's draft included)."""
    return page.get_latest_revision_as_object() if page.pk else page


def contact_problem(page: Page) -> str | None:
    """Why this page must not be approved as it stands (Japanese), or None when it may be.

    Only listings (places, activities, events, volunteer opportunities) carry contacts; other
    pages have no such rule.
    """
    if not isinstance(page, ListingPage) or reachable_contact(page) is not None:
        return None
    return _(
        "Nobody can be reached about this page: neither it nor its operator has a telephone "
        "number or an email address. Enter one and save before it is approved."
    )
