"""Server-side rules for signed-in staff: session lifetime, then the second factor.

Both run after Django's authentication and django-otp's ``OTPMiddleware`` (which sets
``user.is_verified()``). Anonymous requests are left alone and no session is created for them.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from .devices import has_confirmed_device
from .policy import requires_two_factor
from .sessions import session_expired, session_touch

# Reachable before the second factor: signing in and out, the 2FA pages and what they load.
UNGUARDED_URL_NAMES = frozenset(
    {
        "wagtailadmin_login",
        "wagtailadmin_logout",
        "wagtailadmin_javascript_catalog",
        "wagtailadmin_sprite",
        "accounts_2fa_setup",
        "accounts_2fa_verify",
    }
)


@cache
def admin_prefix() -> str:
    return reverse("wagtailadmin_home")


class StaffSessionMiddleware:
    """Ends a session idle longer than STAFF_SESSION_IDLE_MINUTES or older than
    STAFF_SESSION_MAX_HOURS: the server-side session is flushed, not just the cookie."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            if session_expired(request.session):
                logout(request)
                messages.info(request, _("For your security you were signed out. Log in again."))
                if request.path_info.startswith(admin_prefix()):
                    return redirect_to_login(
                        request.get_full_path(), login_url=reverse("wagtailadmin_login")
                    )
            else:
                session_touch(request.session)
        return self.get_response(request)


class TwoFactorMiddleware:
    """On admin URLs, a signed-in user who needs a second factor and has not given one is sent
    to set it up (no device yet) or to enter a code. Someone who set 2FA up voluntarily is held
    to it too."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        if not request.path_info.startswith(admin_prefix()):
            return None
        match = request.resolver_match
        if match is not None and match.url_name in UNGUARDED_URL_NAMES:
            return None
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        if has_confirmed_device(user):
            target = "accounts_2fa_verify"
        elif requires_two_factor(user):
            target = "accounts_2fa_setup"
        else:
            return None
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
