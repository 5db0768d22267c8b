from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .services import _normalised_email


class InviteForm(forms.Form):
    """The address of the person to invite; full-width input is accepted (NFKC)."""

    email = forms.CharField(
        label=_("Email address"),
        max_length=254,
        help_text=_("They receive a link to set their password. The link works once."),
    )

    def clean_email(self) -> str:
        try:
            return _normalised_email(self.cleaned_data["email"])
        except ValidationError as exc:
            raise ValidationError(exc.messages) from exc
