"""Passwordless access for volunteers: signed, expiring, single-purpose links sent by email.

Each purpose signs with its own salt, so a cancel link cannot open a profile. The payload binds
the volunteer's id and token version (bumping it revokes every link sent so far) and, where the
purpose acts on one thing, that thing's id, so a link never works for another volunteer's data.

Sign-in links (MANAGE) also bind the volunteer's sign-in version: using one bumps it, so each
works once and using it kills every older one. Both they and the link that confirms a new email
address live ``VOLUNTEER_SIGN_IN_LINK_HOURS``; the others act on one object, can be repeated
harmlessly, and must keep working until their shift.
"""

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings
from django.core import signing
from django.db.models import F
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from .models import Volunteer


class Purpose(StrEnum):
    MANAGE = "manage"  # open "my page": profile, sign-ups, hours, pause, withdraw
    SIGNUP = "signup"  # confirm a sign-up to one shift
    CANCEL = "cancel"  # cancel one sign-up
    HOURS = "hours"  # confirm the hours of one shift
    EMAIL = "email"  # confirm a new email address (sent to that address)


# Purposes that open the volunteer's account: short-lived (a setting).
ACCOUNT_PURPOSES = (Purpose.MANAGE, Purpose.EMAIL)
FIXED_MAX_AGE = {
    Purpose.SIGNUP: dt.timedelta(days=2),
    # Sent with the confirmation, possibly weeks before the shift.
    Purpose.CANCEL: dt.timedelta(days=90),
    Purpose.HOURS: dt.timedelta(days=30),
}
URL_NAMES = {
    Purpose.MANAGE: "volunteers:link_manage",
    Purpose.SIGNUP: "volunteers:link_signup",
    Purpose.CANCEL: "volunteers:link_cancel",
    Purpose.HOURS: "volunteers:link_hours",
    Purpose.EMAIL: "volunteers:link_email",
}
SESSION_KEY = "volunteer_session"
SESSION_MAX_AGE = dt.timedelta(hours=12)


class LinkError(Exception):
    """The link is forged, for another purpose, revoked, (``expired``) too old or (``used``)
    a sign-in link used already."""

    def __init__(self, *, expired: bool = False, used: bool = False) -> None:
        super().__init__("expired" if expired else "used" if used else "invalid")
        self.expired = expired
        self.used = used


@dataclass(frozen=True)
class LinkClaim:
    volunteer: Volunteer
    object_id: int | None


def max_age(purpose: Purpose) -> dt.timedelta:
    if purpose in ACCOUNT_PURPOSES:
        return dt.timedelta(hours=settings.VOLUNTEER_SIGN_IN_LINK_HOURS)
    return FIXED_MAX_AGE[purpose]


def _signer(purpose: Purpose) -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=f"volunteers.link.{purpose}")


def link_token(*, purpose: Purpose, volunteer: Volunteer, object_id: int | None = None) -> str:
    data = {"v": volunteer.pk, "n": volunteer.token_version, "o": object_id}
    if purpose == Purpose.MANAGE:
        data["s"] = volunteer.sign_in_version
    return _signer(purpose).sign_object(data)


def link_url(*, purpose: Purpose, volunteer: Volunteer, object_id: int | None = None) -> str:
    """Absolute URL for an email (the site's base URL, as Wagtail's own notifications use)."""
    token = link_token(purpose=purpose, volunteer=volunteer, object_id=object_id)
    path = reverse(URL_NAMES[purpose], kwargs={"token": token})
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def link_read(*, purpose: Purpose, token: str) -> LinkClaim:
    """The volunteer (not withdrawn, same token version) and object id a link was made for."""
    try:
        data = _signer(purpose).unsign_object(token, max_age=max_age(purpose))
    except signing.SignatureExpired as exc:
        raise LinkError(expired=True) from exc
    except signing.BadSignature as exc:
        raise LinkError from exc
    volunteer = (
        Volunteer.objects.exclude(status=Volunteer.Status.WITHDRAWN).filter(pk=data["v"]).first()
    )
    if volunteer is None or volunteer.token_version != data["n"]:
        raise LinkError
    if purpose == Purpose.MANAGE and data.get("s") != volunteer.sign_in_version:
        raise LinkError(used=True)
    return LinkClaim(volunteer=volunteer, object_id=data["o"])


def link_sign_in(*, token: str) -> Volunteer:
    """Use a sign-in link: valid once, and no older sign-in link works afterwards.

    The version is bumped conditionally, so two requests racing with one link let one in.
    """
    volunteer = link_read(purpose=Purpose.MANAGE, token=token).volunteer
    used = Volunteer.objects.filter(
        pk=volunteer.pk, sign_in_version=volunteer.sign_in_version
    ).update(sign_in_version=F("sign_in_version") + 1)
    if not used:
        raise LinkError(used=True)
    volunteer.sign_in_version += 1
    return volunteer


def session_start(request: HttpRequest, volunteer: Volunteer) -> None:
    """After a valid manage link: remember the volunteer so the token leaves the address bar."""
    request.session.cycle_key()
    request.session[SESSION_KEY] = {
        "id": volunteer.pk,
        "n": volunteer.token_version,
        "until": (timezone.now() + SESSION_MAX_AGE).timestamp(),
    }


def session_end(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)


def session_volunteer(request: HttpRequest) -> Volunteer | None:
    """The volunteer of this browser session, unless it expired or their links were revoked."""
    data = request.session.get(SESSION_KEY)
    if not data or data["until"] < timezone.now().timestamp():
        return None
    volunteer = (
        Volunteer.objects.exclude(status=Volunteer.Status.WITHDRAWN).filter(pk=data["id"]).first()
    )
    if volunteer is None or volunteer.token_version != data["n"]:
        return None
    return volunteer
