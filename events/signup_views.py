"""The page after signing up: what was booked and how to cancel, for this browser only.

The sign-up's id waits in the session (``remember``) and the confirmation page reads it back
(``done_context``): the page needs no token in its address, and a shared or bookmarked address
shows nobody else's booking. Without it, the page says thank you and nothing more.
"""

from __future__ import annotations

from django.http import HttpRequest

from .confirmation import signup_confirmation
from .models import EventPage, EventSignup

SESSION_KEY = "events.signup_done"


def remember(request: HttpRequest, signup: EventSignup) -> None:
    request.session[SESSION_KEY] = signup.pk


def done_context(request: HttpRequest, event: EventPage) -> dict:
    """The confirmation of the sign-up this browser just made for ``event``, if still active."""
    signup_id = request.session.get(SESSION_KEY)
    signup = (
        EventSignup.objects.active()
        .select_related("event__place", "event__organization")
        .filter(pk=signup_id, event=event)
        if isinstance(signup_id, int)
        else EventSignup.objects.none()
    ).first()
    if signup is None:
        return {}
    return {"confirmation": signup_confirmation(signup, request=request)}
