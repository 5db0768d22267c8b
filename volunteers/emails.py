"""The emails volunteers and coordinators receive, rendered in the site language (Japanese).

Links are made here, at send time, from ids: tokens never travel through the broker.
"""

import logging
from collections.abc import Callable

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from tsunagu.models import TownSettings

from .links import Purpose, link_url
from .models import Shift, SignUp, Volunteer

logger = logging.getLogger(__name__)


def default_town() -> TownSettings | None:
    """The town's name and office for the signature (one query; None before it is set up)."""
    return TownSettings.objects.filter(site__is_default_site=True).first()


def _shift_links(signup: SignUp) -> dict:
    return {
        "signup": signup,
        "shift": signup.shift,
        "cancel_url": link_url(
            purpose=Purpose.CANCEL, volunteer=signup.volunteer, object_id=signup.pk
        ),
    }


def _thanks(signup: SignUp) -> dict:
    entry = signup.hours_entry
    return {
        "entry": entry,
        "shift": signup.shift,
        "hours_url": link_url(
            purpose=Purpose.HOURS, volunteer=signup.volunteer, object_id=entry.pk
        ),
    }


# Emails about one sign-up (``object_id`` is the sign-up), and what their templates need.
SIGNUP_KINDS: dict[str, Callable[[SignUp], dict]] = {
    "signup_confirmed": _shift_links,
    "signup_waitlisted": _shift_links,
    "promoted": _shift_links,
    "reminder": _shift_links,
    "thanks": _thanks,
}
# Emails about the volunteer alone, or (signup_link) a shift they may join.
VOLUNTEER_KINDS = ("registered", "already_registered", "approved", "manage_link", "signup_link")


def _send(template: str, context: dict, recipients: list[str]) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"volunteers/email/{template}_subject.txt", context)
        body = render_to_string(f"volunteers/email/{template}.txt", context)
    send_mail(" ".join(subject.split()), body, None, recipients)


def _base_context(volunteer: Volunteer, town: TownSettings | None) -> dict:
    return {
        "volunteer": volunteer,
        "town": town,
        "manage_url": link_url(purpose=Purpose.MANAGE, volunteer=volunteer),
    }


def send_signup_email(*, kind: str, signup: SignUp, town: TownSettings | None) -> bool:
    """One of ``SIGNUP_KINDS`` for a sign-up loaded with its volunteer, shift and opportunity."""
    volunteer = signup.volunteer
    if not volunteer.email:
        logger.info("volunteer %s has no email; %s not sent", volunteer.pk, kind)
        return False
    context = {**_base_context(volunteer, town), **SIGNUP_KINDS[kind](signup)}
    _send(kind, context, [volunteer.email])
    return True


def send_volunteer_email(*, kind: str, volunteer: Volunteer, object_id: int | None = None) -> bool:
    """Any kind of volunteer email by ids; False when the volunteer has no email address
    (coordinators telephone them)."""
    if kind in SIGNUP_KINDS:
        signup = SignUp.objects.select_related(
            "volunteer", "shift__opportunity", "hours_entry"
        ).get(pk=object_id, volunteer=volunteer)
        return send_signup_email(kind=kind, signup=signup, town=default_town())
    if kind not in VOLUNTEER_KINDS:
        raise ValueError(kind)
    if not volunteer.email:
        logger.info("volunteer %s has no email; %s not sent", volunteer.pk, kind)
        return False
    context = _base_context(volunteer, default_town())
    if kind == "signup_link":
        shift = Shift.objects.select_related("opportunity").get(pk=object_id)
        context |= {
            "shift": shift,
            "confirm_url": link_url(
                purpose=Purpose.SIGNUP, volunteer=volunteer, object_id=shift.pk
            ),
        }
    _send(kind, context, [volunteer.email])
    return True


def send_coordinator_email(*, volunteer: Volunteer, recipients: list[str]) -> None:
    """Tell coordinators a registration awaits approval; the details stay behind the admin login."""
    path = reverse("volunteer_register:inspect", args=[volunteer.pk])
    context = {"admin_url": settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path}
    _send("new_registration", context, recipients)
