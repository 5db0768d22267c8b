"""What an applicant is told once their sign-up is taken: the same facts on the confirmation page,
in the email and on the staff's call list — date and time, place (name and address), what to
bring, and how to cancel (the link, and a telephone number to call instead).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.utils.translation import gettext as _

from resources.contact import Contact, listing_contact
from tsunagu.models import TownSettings

from .models import EventPage, EventSignup
from .templatetags.events_tags import when


@dataclass(frozen=True)
class Confirmation:
    signup: EventSignup
    event: EventPage
    when: str
    venue: str
    address: str
    what_to_bring: str
    event_url: str
    cancel_url: str
    # Whom to call to cancel or ask: the event's, its organiser's, else the town office's.
    contact: Contact | None

    def call_summary(self) -> str:
        """One line for staff to read out to an applicant without email."""
        facts = {
            "title": self.event.title,
            "when": self.when,
            "venue": self.venue,
            "count": self.signup.party_size,
        }
        if self.venue:
            text = _(
                "Application received for “%(title)s”, %(when)s at %(venue)s, for %(count)d people."
            )
        else:
            text = _("Application received for “%(title)s”, %(when)s, for %(count)d people.")
        parts = [text % facts]
        if self.what_to_bring:
            parts.append(_("What to bring: %(items)s.") % {"items": self.what_to_bring})
        if self.contact and self.contact.phone:
            parts.append(_("To cancel, call %(phone)s.") % {"phone": self.contact.phone.value})
        return " ".join(parts)


def default_town() -> TownSettings | None:
    """The town office, for messages composed outside a request (one query)."""
    return TownSettings.objects.filter(site__is_default_site=True).first()


def signup_confirmation(signup: EventSignup, *, request: HttpRequest | None = None) -> Confirmation:
    """The facts of ``signup``; links are absolute (they go into emails as well as pages)."""
    event = signup.event
    town = TownSettings.for_request(request) if request is not None else default_town()
    event_url = event.get_full_url(request) or ""
    return Confirmation(
        signup=signup,
        event=event,
        when=when(event.first_occurrence()),
        venue=event.venue,
        address=event.address,
        what_to_bring=event.what_to_bring,
        event_url=event_url,
        cancel_url=event_url + event.reverse_subpage("signup_cancel", args=[signup.token]),
        contact=listing_contact(event, town),
    )
