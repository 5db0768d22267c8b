"""Public forms for volunteers: Japanese input as people really type it (NFKC, kana, ー/－)."""

import re
import unicodedata
from decimal import Decimal

from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from resources.area_choices import TownAreaChoiceField, island_areas
from resources.contact_keys import phone_key
from resources.models import Area, Organization, Term
from tsunagu.island import Town, island_of
from tsunagu.sites import default_site_id
from tsunagu.text import normalize, to_hiragana

from .codes import CODE_DIGITS
from .models import HoursEntry, Volunteer

_KANA = re.compile(r"[\u3041-\u3096\u30fc・ ]+")
_PHONE_DASHES = re.compile("[\u2010-\u2015\u2212\u30fc\uff0d\uff70]")
_PHONE = re.compile(r"\+?[0-9][0-9\- ()]*")


def _nfkc(value):
    return unicodedata.normalize("NFKC", value) if isinstance(value, str) else value


class NormalizedInputMixin:
    """NFKC on every submitted value: full-width digits and letters, half-width kana, ＠."""

    def __init__(self, data=None, *args, **kwargs):
        if isinstance(data, QueryDict):
            data = data.copy()
            for key, values in data.lists():
                data.setlist(key, [_nfkc(v) for v in values])
        elif data is not None:
            data = {
                k: [_nfkc(x) for x in v] if isinstance(v, list) else _nfkc(v)
                for k, v in data.items()
            }
        kwargs.setdefault("label_suffix", "")
        super().__init__(data, *args, **kwargs)


class EmailForm(NormalizedInputMixin, forms.Form):
    email = forms.EmailField(
        label=_("email address"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def clean_email(self) -> str:
        return self.cleaned_data["email"].lower()


class VolunteerFieldsMixin:
    """Validation shared by the registration and profile forms."""

    def clean_name(self) -> str:
        return normalize(self.cleaned_data["name"])

    def clean_kana(self) -> str:
        kana = to_hiragana(normalize(self.cleaned_data["kana"]))
        if not _KANA.fullmatch(kana):
            raise forms.ValidationError(_("Please write your name in hiragana or katakana."))
        return kana

    def clean_email(self) -> str:
        return self.cleaned_data["email"].lower()

    def clean_phone(self) -> str:
        phone = _PHONE_DASHES.sub("-", normalize(self.cleaned_data["phone"]))
        if not phone:
            return ""
        digits = re.sub(r"\D", "", phone)
        if not _PHONE.fullmatch(phone) or not 10 <= len(digits) <= 15:
            raise forms.ValidationError(
                _("Please enter a telephone number such as 0997-84-1234 or 090-1234-5678.")
            )
        return phone

    def clean(self):
        cleaned_data = super().clean()
        if "email" in self.fields and not (cleaned_data.get("email") or cleaned_data.get("phone")):
            if "email" not in self.errors and "phone" not in self.errors:
                self.add_error("email", _("Please give an email address or a telephone number."))
        return cleaned_data


# Registration asks first for what taking part needs, no more: who (name, reading), how to reach
# them (telephone or email), where they live, their age group, anything the coordinator should
# know, and consent — eight fields. What they can do and when comes after, optional
# (``DetailsForm``), on the next page or later on their own page.
REGISTRATION_FIELDS = ["name", "kana", "phone", "email", "area", "age_band", "notes"]
DETAIL_FIELDS = [
    "skills",
    "availability",
    "travel_range",
    "has_car",
    "languages",
    "willing_to_accompany",
]
PROFILE_FIELDS = [
    "name",
    "kana",
    "email",
    "phone",
    "area",
    "age_band",
    *DETAIL_FIELDS,
    "notes",
]
PROFILE_WIDGETS = {
    "name": forms.TextInput(attrs={"autocomplete": "name"}),
    "kana": forms.TextInput(attrs={"autocomplete": "off"}),
    "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    "skills": forms.CheckboxSelectMultiple,
    "travel_range": forms.RadioSelect,
    "notes": forms.Textarea(attrs={"rows": 4}),
}
HELP_TEXTS = {
    "phone": _("Needed if you have no email address."),
    "skills": _("Tick everything you can help with or are interested in."),
    "availability": _("Tick the times you can usually help. You can change this later."),
}


class VolunteerChoicesMixin:
    """The choices the register's fields offer, for whichever of them a form has.

    ``island`` is the towns the request's site shows (``tsunagu.island.island_for_request``):
    the district is one of theirs, grouped by town when there are several; without a request,
    the default site's. A volunteer keeps a district already recorded even if its town is no
    longer offered, so saving their page unchanged never fails.
    """

    def __init__(self, *args, island: list[Town] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if "skills" in self.fields:
            self.fields["skills"].queryset = Term.objects.filter(kind=Term.Kind.INTEREST)
        if "area" in self.fields:
            if island is None:
                island = island_of(default_site_id())
            areas = island_areas(island)
            if self.instance.area_id is not None:
                areas = areas | Area.objects.filter(pk=self.instance.area_id)
            self.fields["area"].queryset = areas
            self.fields["area"].first_town = island[0].site_id if island else None
        if "age_band" in self.fields:
            choices = [("", _("Prefer not to say")), *Volunteer.AgeBand.choices]
            self.fields["age_band"].choices = choices
        if "travel_range" in self.fields:
            self.fields["travel_range"].choices = Volunteer.Travel.choices


class RegistrationForm(
    VolunteerFieldsMixin, VolunteerChoicesMixin, NormalizedInputMixin, forms.ModelForm
):
    """Step one of registering: the eight fields needed to take part."""

    # Declared here, not in Meta.fields, so the form never says "already registered": the
    # service answers a known address by email instead (no membership leak).
    email = forms.EmailField(
        label=_("email address"),
        required=False,
        help_text=_("We send your links and reminders here. Leave empty if you have none."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    consent = forms.BooleanField(
        label=_("I agree to the handling of my information described above."),
        error_messages={"required": _("Please agree to how we use your information.")},
    )

    class Meta:
        model = Volunteer
        fields = [f for f in REGISTRATION_FIELDS if f != "email"]
        field_classes = {"area": TownAreaChoiceField}
        widgets = PROFILE_WIDGETS
        help_texts = HELP_TEXTS

    field_order = [*REGISTRATION_FIELDS, "consent"]


class DetailsForm(VolunteerChoicesMixin, NormalizedInputMixin, forms.ModelForm):
    """Step two, optional: what the volunteer can do and when (left as they are if skipped)."""

    class Meta:
        model = Volunteer
        fields = DETAIL_FIELDS
        widgets = PROFILE_WIDGETS
        help_texts = HELP_TEXTS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["travel_range"].required = False

    def clean_travel_range(self) -> str:
        return self.cleaned_data["travel_range"] or self.instance.travel_range


class ProfileForm(RegistrationForm):
    """What a volunteer edits on their page: the registration, plus the opt-in public profile."""

    consent = None

    class Meta(RegistrationForm.Meta):
        fields = [
            *PROFILE_FIELDS,
            "public_profile",
            "display_name",
            "show_skills",
            "show_district",
            "show_message",
            "public_message",
        ]
        widgets = {**PROFILE_WIDGETS, "public_message": forms.Textarea(attrs={"rows": 3})}

    field_order = Meta.fields

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The address in use until a new one confirms (a leaked link must not take over).
        self.confirmed_email = self.instance.email

    def clean_email(self) -> str:
        email = super().clean_email()
        if self.confirmed_email and not email:
            raise forms.ValidationError(
                _("To stop receiving emails, please contact the volunteer office.")
            )
        return email

    @property
    def requested_email(self) -> str:
        """A new address typed in, to be confirmed before it is used; "" when unchanged."""
        return self.cleaned_data["email"] if "email" in self.changed_data else ""

    def save(self, commit: bool = True) -> Volunteer:
        self.instance.email = self.confirmed_email
        return super().save(commit)

    def clean_display_name(self) -> str:
        return normalize(self.cleaned_data["display_name"])

    def clean(self):
        cleaned_data = super().clean()
        if cleaned_data.get("public_profile") and not cleaned_data.get("display_name"):
            self.add_error("display_name", _("Choose a display name to show a public profile."))
        return cleaned_data


class SignupCodeForm(NormalizedInputMixin, forms.Form):
    """Telephone number and sign-up code: signing up (or cancelling) without email."""

    phone = forms.CharField(
        label=_("telephone number"),
        max_length=30,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )
    code = forms.CharField(
        label=_("sign-up code (6 digits)"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]*"}
        ),
    )

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"]
        if not 10 <= len(phone_key(phone)) <= 15:
            raise forms.ValidationError(
                _("Please enter a telephone number such as 0997-84-1234 or 090-1234-5678.")
            )
        return phone

    def clean_code(self) -> str:
        code = re.sub(r"\D", "", self.cleaned_data["code"])
        if len(code) != CODE_DIGITS:
            raise forms.ValidationError(_("The code has 6 digits."))
        return code


class HoursForm(NormalizedInputMixin, forms.Form):
    date = forms.DateField(label=_("date"), widget=forms.DateInput(attrs={"type": "date"}))
    hours = forms.DecimalField(
        label=_("hours"),
        min_value=Decimal("0.25"),
        max_value=Decimal("24"),
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.25", "inputmode": "decimal"}),
    )
    organization = forms.ModelChoiceField(
        label=_("for which group"),
        queryset=Organization.objects.all(),
        required=False,
        empty_label=_("Not for a group"),
    )
    description = forms.CharField(label=_("what you did"), max_length=200, required=False)

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise forms.ValidationError(_("Hours can only be logged for today or earlier."))
        return date


class HoursConfirmForm(NormalizedInputMixin, forms.Form):
    hours = HoursForm.base_fields["hours"]

    def __init__(self, *args, entry: HoursEntry, **kwargs):
        kwargs.setdefault("initial", {"hours": entry.hours})
        super().__init__(*args, **kwargs)
