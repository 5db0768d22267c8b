"""What an applicant is told, composed from the sign-up's id when the outbox sends it.

The confirmation is enqueued with the sign-up (``signup_create``) and cancelled with it
(``signup_cancel``); ``compose`` reads the sign-up again under the outbox row's lock: an email
when the applicant gave an address, a line on the staff's call list when they gave only a
telephone number, ``Drop`` when the sign-up is gone, cancelled or erased. What they say is
``confirmation.signup_confirmation``, which the confirmation page shows too. Links are made here:
the cancel token never sits in a queue or a table.
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from outbox.models import Message
from outbox.registry import Call, Drop, Email, Outcome

from .confirmation import signup_confirmation
from .models import EventSignup

SIGNUP_CONFIRMATION = "events.signup_confirmation"


def signup_topic(signup_id: int) -> str:
    """What cancelling a sign-up cancels."""
    return f"eventsignup:{signup_id}"


def signup_confirmation_key(signup_id: int) -> str:
    """One confirmation per sign-up, however often the sign-up is saved."""
    return f"{SIGNUP_CONFIRMATION}:{signup_id}"


def _compose_signup_confirmation(message: Message) -> Outcome:
    # The event with its venue and organiser: the confirmation names both, in one query.
    signup = (
        EventSignup.objects.select_related("event__place", "event__organization")
        .filter(pk=message.object_id)
        .first()
    )
    if signup is None:
        return Drop(_("The sign-up is no longer on record."))
    if signup.cancelled_at is not None:
        return Drop(_("The sign-up was cancelled."))
    if signup.erased_at is not None:
        return Drop(_("The applicant's details have been erased."))
    confirmation = signup_confirmation(signup)
    if signup.email:
        context = {"signup": signup, "event": signup.event, "confirmation": confirmation}
        subject = render_to_string("events/emails/signup_confirmation_subject.txt", context)
        body = render_to_string("events/emails/signup_confirmation.txt", context)
        return Email(to=[signup.email], subject=" ".join(subject.split()), body=body)
    if not signup.phone:
        return Drop(_("The applicant gave neither an email address nor a telephone number."))
    return Call(name=signup.name, phone=signup.phone, summary=confirmation.call_summary())


def compose_signup_confirmation(message: Message) -> Outcome:
    """The outbox's compose for ``SIGNUP_CONFIRMATION``; ``object_id`` is the sign-up."""
    with translation.override(settings.LANGUAGE_CODE):
        return _compose_signup_confirmation(message)
