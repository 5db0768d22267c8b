"""How a resident reaches whoever runs a listing: the contact every detail page shows.

A listing (place, activity, event, opportunity) often has no telephone number or address of its
own while its operator (``Organization``) has both on record, so each channel falls back to the
operator's; a listing that neither it nor its operator can be reached through shows the town's
office (``TownSettings``) as the last resort. Moderation refuses to approve a listing without
its own or its operator's contact (``community.moderation``), so the town's fallback is for
what was published before that rule, or imported.

Reads only what the page already holds (its fields and its operator, one foreign key); lists
of many listings fill those in with one query (``with_contacts``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from .contact_keys import phone_key
from .models import ListingPage, Organization

if TYPE_CHECKING:
    from tsunagu.models import TownSettings


@dataclass(frozen=True)
class Channel:
    """One way to get in touch, and who answers it ("" when it is the listing's own)."""

    value: str
    owner: str = ""
    # The town office's, standing in for a listing and operator that have none.
    from_town: bool = False

    @property
    def tel_href(self) -> str:
        """A ``tel:`` URI of the digits alone, as a phone dials them (「0997-84-0000」 too)."""
        return "tel:" + phone_key(self.value)

    @property
    def mailto_href(self) -> str:
        return "mailto:" + self.value


@dataclass(frozen=True)
class Contact:
    """What the contact block shows: a telephone and an email channel (either may be None)."""

    phone: Channel | None
    email: Channel | None


def _channel(value: str, owner: str, *, from_town: bool = False) -> Channel | None:
    value = (value or "").strip()
    return Channel(value=value, owner=owner, from_town=from_town) if value else None


def _operator(page: ListingPage) -> Organization | None:
    return page.organization if page.organization_id else None


def reachable_contact(page: ListingPage) -> Contact | None:
    """The listing's own telephone and email, the operator's for whichever it lacks; None when
    neither the listing nor its operator has any (the moderation rule's question)."""
    operator = _operator(page)
    owner = operator.name if operator else ""
    phone = _channel(page.phone, "") or (_channel(operator.phone, owner) if operator else None)
    email = _channel(page.email, "") or (_channel(operator.email, owner) if operator else None)
    if phone is None and email is None:
        return None
    return Contact(phone=phone, email=email)


def town_contact(town: TownSettings | None) -> Contact | None:
    """The town office's telephone and email, named; None when the town has entered neither."""
    if town is None:
        return None
    owner = " ".join(part for part in (town.town_name, town.office_name) if part)
    owner = owner or _("the town office")
    phone = _channel(town.phone, owner, from_town=True)
    email = _channel(town.email, owner, from_town=True)
    if phone is None and email is None:
        return None
    return Contact(phone=phone, email=email)


def listing_contact(page: ListingPage, town: TownSettings | None) -> Contact | None:
    """Whom a resident contacts about this listing: its own, its operator's, else the town's.

    The town's telephone also stands in when the listing and its operator have only an email
    address: someone who cannot email must still be able to call (the office puts them in
    touch). The town's email stands in only when there is no other way at all.
    """
    known, office = reachable_contact(page), town_contact(town)
    if known is None or office is None:
        return known or office
    return Contact(phone=known.phone or office.phone, email=known.email)


# What ``reachable_contact`` reads of a listing row.
CONTACT_FIELDS = ("phone", "email", "contact_note", "organization")


def with_contacts(pages: Sequence[ListingPage]) -> Sequence[ListingPage]:
    """Fill in the contact fields of pages loaded without them (``only()`` rows of a result
    list), with their operators, in one query instead of one or two per page."""
    if not pages:
        return pages
    rows = (
        ListingPage.objects.filter(pk__in=[page.pk for page in pages])
        .select_related("organization")
        .only(*CONTACT_FIELDS, "organization__name", "organization__phone", "organization__email")
    )
    by_pk = {row.pk: row for row in rows}
    for page in pages:
        row = by_pk.get(page.pk)
        if row is None:
            continue
        page.phone, page.email, page.contact_note = row.phone, row.email, row.contact_note
        page.organization = row.organization
    return pages
