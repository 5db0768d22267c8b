"""The editor invitation, composed by the outbox when it is sent.

Composed at send time, not at invite time: the one-time link to set a password is made then
(so no token is ever stored in the outbox), and only if the person still has no password,
still edits the organisation's pages and still has an address.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from outbox import registry
from outbox.models import Message

from .models import Invitation, OrganizationEditors

INVITATION = "community.invitation"


def invitation_key(invitation_id: object) -> str:
    return f"{INVITATION}:{invitation_id}"


def set_password_url(user: Any) -> str:
    """A one-time link: Django's token changes once the password is set (or the user logs in)."""
    path = reverse(
        "community:set_password",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def compose_invitation(message: Message) -> registry.Outcome:
    """The invitation to edit an organisation's pages, with a fresh link if one is needed."""
    with translation.override(settings.LANGUAGE_CODE):
        invitation = (
            Invitation.objects.select_related("user", "organization")
            .filter(pk=message.object_id)
            .first()
        )
        if invitation is None:
            return registry.Drop(_("The invitation no longer exists."))
        user, organization = invitation.user, invitation.organization
        if not user.is_active:
            return registry.Drop(_("The account has been deactivated since."))
        editors = OrganizationEditors.objects.filter(organization=organization, group__user=user)
        if not editors.exists():
            return registry.Drop(_("The person no longer edits this organisation's pages."))
        if not user.email:
            return registry.Drop(_("The account no longer has an email address."))
        needs_password = not user.has_usable_password()
        context = {
            "organization": organization,
            "user": user,
            "link": set_password_url(user) if needs_password else "",
            "admin_url": settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse("wagtailadmin_home"),
            "timeout_days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
        }
        subject = _("[Tsunagu] You are invited to edit %(name)s's pages") % {
            "name": organization.name
        }
        body = render_to_string("community/emails/invitation.txt", context)
    return registry.Email(to=[user.email], subject=subject, body=body)


def register() -> None:
    """Called from ``CommunityConfig.ready``."""
    registry.register(
        INVITATION,
        label=gettext_lazy("Invitation to edit a group's pages"),
        compose=compose_invitation,
    )
