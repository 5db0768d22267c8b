"""Forms of the follow-up flow: recording a check-in, moving one, ending a placement, and the
host place's three questions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from wagtail.admin.widgets import AdminDateInput

from matching.models import Placement

from .models import UCLA_ITEMS, CheckIn, UclaAnswer

LIFE_SATISFACTION_CHOICES = [
    (0, format_lazy("0（{}）", _("not satisfied at all"))),
    *((n, str(n)) for n in range(1, 10)),
    (10, format_lazy("10（{}）", _("very satisfied"))),
]


class CheckInForm(forms.Form):
    """Attendance, the 3-item UCLA loneliness scale, life satisfaction (0–10), notes."""

    attendance = forms.ChoiceField(
        label=_("attendance"),
        choices=CheckIn.Attendance.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    ucla_no_company = forms.TypedChoiceField(
        label=UCLA_ITEMS[0][1], choices=UclaAnswer.choices, coerce=int, empty_value=None,
        widget=forms.RadioSelect, required=False,
    )  # fmt: skip
    ucla_left_out = forms.TypedChoiceField(
        label=UCLA_ITEMS[1][1], choices=UclaAnswer.choices, coerce=int, empty_value=None,
        widget=forms.RadioSelect, required=False,
    )  # fmt: skip
    ucla_isolated = forms.TypedChoiceField(
        label=UCLA_ITEMS[2][1], choices=UclaAnswer.choices, coerce=int, empty_value=None,
        widget=forms.RadioSelect, required=False,
    )  # fmt: skip
    life_satisfaction = forms.TypedChoiceField(
        label=_("How satisfied are you with your life at present?"),
        choices=LIFE_SATISFACTION_CHOICES, coerce=int, empty_value=None,
        widget=forms.RadioSelect, required=False,
    )  # fmt: skip
    notes = forms.CharField(
        label=_("notes"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    next_action = forms.CharField(
        label=_("next action"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args: Any, checkin: CheckIn, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.checkin = checkin
        if checkin.kind == CheckIn.Kind.FOLLOW_UP:
            self.fields["attendance"].required = True
        else:
            del self.fields["attendance"]

    def clean(self) -> dict:
        data = super().clean()
        answered = [data.get(name) is not None for name, _label in UCLA_ITEMS]
        if any(answered) and not all(answered):
            raise forms.ValidationError(
                _("Answer all three loneliness questions, or none of them.")
            )
        return data


class RescheduleForm(forms.Form):
    due_on = forms.DateField(label=_("new date"), widget=AdminDateInput)


class CloseForm(forms.Form):
    """End or interrupt a placement whose person stopped going (the reason is required)."""

    status = forms.ChoiceField(
        label=_("new status"),
        choices=[
            (Placement.Status.INTERRUPTED, Placement.Status.INTERRUPTED.label),
            (Placement.Status.ENDED, Placement.Status.ENDED.label),
        ],
        widget=forms.RadioSelect,
    )
    end_reason = forms.ChoiceField(label=_("why it ended"), choices=Placement.EndReason.choices)
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}))


class HostAnswerForm(forms.Form):
    """What the host place is asked: attending? any concern? anything else?"""

    attending = forms.ChoiceField(
        label=_("Is the person coming to the activity?"),
        choices=CheckIn.HostAttending.choices,
        widget=forms.RadioSelect,
    )
    concern = forms.TypedChoiceField(
        label=_("Is there anything you are concerned about?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Anything you would like to tell the coordinator (optional)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=2000,
    )
