"""The admin login form that explains a lockout, and the form for a 2FA code."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.auth import LoginForm as WagtailLoginForm

from . import devices
from .throttling import lockout_message


class LoginForm(WagtailLoginForm):
    """Wagtail's login form; when axes refused the attempt it says so, not "wrong password"."""

    def get_invalid_login_error(self) -> ValidationError:
        if getattr(self.request, "axes_locked_out", False):
            return ValidationError(lockout_message(), code="locked_out")
        return super().get_invalid_login_error()


class TokenForm(forms.Form):
    """A 6-digit code from the authenticator app (or, where allowed, a recovery code)."""

    token = forms.CharField(
        label=_("Code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.device = None

    def clean_token(self) -> str:
        token = devices.normalise_token(self.cleaned_data["token"])
        if not token:
            raise ValidationError(_("Enter the code."), code="required")
        return token


class VerifyForm(TokenForm):
    """Checks the code against the user's confirmed devices; wrong codes slow further tries."""

    def clean_token(self) -> str:
        token = super().clean_token()
        if devices.throttled(self.user):
            raise ValidationError(
                _("Too many wrong codes. Wait a moment, then try again."), code="throttled"
            )
        self.device = devices.matching_device(self.user, token)
        if self.device is None:
            raise ValidationError(_("The code is not correct."), code="invalid")
        return token


class UnlockForm(forms.Form):
    kind = forms.ChoiceField(choices=[("username", "username"), ("ip_address", "ip_address")])
    value = forms.CharField(max_length=255)
