"""Choosing a pack (meeting date and teams, or a fiscal year) and recording a decision."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from matching.access import visible_teams
from matching.models import PlanDecision, SupportPlan
from tsunagu.dates import is_plausible

from .rules import allowed_decisions, decision_label


def _date_input() -> forms.DateInput:
    """The browser's own date picker: no script (the admin's CSP), ISO in the query string."""
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _plausible(day: dt.date) -> dt.date:
    if not is_plausible(day):
        raise forms.ValidationError(_("Enter a real date."))
    return day


class PackForm(forms.Form):
    """The meeting's date and the teams whose cases it discusses (among the user's)."""

    meeting_date = forms.DateField(label=_("meeting date"), widget=_date_input())
    teams = forms.ModelMultipleChoiceField(
        label=_("teams"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one team.")},
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        teams = visible_teams(user).order_by("name")
        self.fields["teams"].queryset = teams
        self.fields["teams"].error_messages["invalid_choice"] = _("Choose only among your teams.")
        self.fields["teams"].error_messages["invalid_pk_value"] = _("Choose only among your teams.")

    def clean_meeting_date(self) -> dt.date:
        return _plausible(self.cleaned_data["meeting_date"])


class AnnualForm(forms.Form):
    """The fiscal year (April to March) the 推進会議 evaluates."""

    fiscal_year = forms.TypedChoiceField(label=_("fiscal year"), coerce=int)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        current = today.year if today.month >= 4 else today.year - 1
        self.fields["fiscal_year"].choices = [
            (year, _("FY %(year)d (April %(year)d to March %(next)d)")
             % {"year": year, "next": year + 1})
            for year in range(current, current - 10, -1)
        ]  # fmt: skip


class DecisionForm(forms.Form):
    """One plan's decision at one meeting; the choices are those open to the plan's status."""

    meeting = forms.ChoiceField(
        label=_("meeting"), choices=PlanDecision.Meeting.choices, widget=forms.RadioSelect
    )
    meeting_date = forms.DateField(label=_("meeting date"), widget=_date_input())
    decision = forms.ChoiceField(label=_("decision"), widget=forms.RadioSelect)
    evaluation = forms.CharField(
        label=_("evaluation"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=4000,
        help_text=_(
            "What the meeting found: progress towards the goals, what helped, what did not. "
            "Needed for every decision but approval."
        ),
    )
    next_review = forms.DateField(
        label=_("next review due"),
        required=False,
        widget=_date_input(),
        help_text=_("For “continue” only. Left empty, the plan's own review interval is used."),
    )

    def __init__(self, *args: Any, plan: SupportPlan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = [
            (decision.value, decision_label(decision))
            for decision in allowed_decisions(plan.status)
        ]

    def clean_meeting_date(self) -> dt.date:
        return _plausible(self.cleaned_data["meeting_date"])
