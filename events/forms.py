"""Forms: the editor's event form (weekday tick-boxes) and the public sign-up form."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from community.page_forms import GroupPageForm
from resources.models.schedules import RRULE_DAYS, WEEKDAY_CHOICES

WEEKDAY_CODE_CHOICES = [(RRULE_DAYS[number], label) for number, label in WEEKDAY_CHOICES]


class WeekdaysField(forms.MultipleChoiceField):
    """Tick-boxes for the days of the week, stored as RRULE BYDAY text ("MO,TH")."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs) -> None:
        super().__init__(choices=WEEKDAY_CODE_CHOICES, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, str):
            return [code for code in value.split(",") if code]
        return value

    def clean(self, value) -> str:
        chosen = set(super().clean(value))
        return ",".join(code for code in RRULE_DAYS if code in chosen)

    def has_changed(self, initial, data) -> bool:
        return super().has_changed(self.prepare_value(initial or ""), data)


class EventPageForm(GroupPageForm):
    weekdays = WeekdaysField(
        label=_("days of the week"),
        required=False,
        help_text=_("Weekly: the days it is held. Monthly: with the weeks of the month below."),
    )


class EventSignupForm(forms.Form):
    """What a resident types to sign up; the service normalises and checks it."""

    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    kana = forms.CharField(
        label=_("Name in kana"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    phone = forms.CharField(
        label=_("Telephone"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
    )
    email = forms.CharField(
        label=_("Email"),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    party_size = forms.IntegerField(
        label=_("Number of people"),
        min_value=1,
        initial=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 1}),
    )
    note = forms.CharField(
        label=_("Anything we should know"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # A hint for the browser; the service applies the limit (and the event's fair share).
        self.fields["party_size"].widget.attrs["max"] = settings.EVENT_SIGNUP_MAX_PARTY_SIZE
