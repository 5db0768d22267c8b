"""``{% listing_contact page settings.tsunagu.TownSettings as contact %}``: the one way every
detail page (and the printed list) finds whom to call about a listing (``resources.contact``).

The town comes from Wagtail's settings context processor (read once per request, cached), so
this app needs no import of the project package's models.
"""

from __future__ import annotations

from typing import Any

from django import template

from ..contact import Contact
from ..contact import listing_contact as contact_of
from ..models import ListingPage

register = template.Library()


@register.simple_tag
def listing_contact(page: ListingPage, town: Any = None) -> Contact | None:
    """The listing's own contact, its operator's, else the town's (``town``, if given)."""
    return contact_of(page, town or None)
