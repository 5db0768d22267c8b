"""The report's choices: period, breakdown and the filters, read from the query string.

A plain form rather than a django-filter FilterSet: nothing here filters a listing; the choices
become a ``Period``, a breakdown and ``Filters``, the same objects ``figures.fiscal_year``
takes from the annual pack. The team and district choices are the user's visible teams and
their towns' districts, so another team's or town's id is refused like any unknown value (a
Japanese error, no figures).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

from matching.access import visible_areas, visible_teams

from .breakdowns import Breakdown, field_choices
from .figures import NO_FIELD, Filters
from .periods import FISCAL_MONTHS, Period, fiscal_year_of

YEARS_BACK = 10


class ResultsForm(forms.Form):
    year = forms.TypedChoiceField(label=_("fiscal year"), coerce=int)
    month = forms.TypedChoiceField(label=_("month"), coerce=int, required=False, empty_value=None)
    breakdown = forms.ChoiceField(label=_("breakdown"), choices=Breakdown.choices, required=False)
    team = forms.ModelChoiceField(label=_("team"), queryset=None, required=False)
    area = forms.ModelChoiceField(label=_("district"), queryset=None, required=False)
    field = forms.ChoiceField(label=_("support field"), required=False)

    def __init__(self, data: Any, *, user: Any, today: dt.date | None = None) -> None:
        current = fiscal_year_of(today or timezone.localdate())
        data = data.copy() if data else {}
        if not data.get("year"):
            data["year"] = current  # the report opens on this year
        super().__init__(data)
        self.fields["year"].choices = [
            (year, _("FY%(year)d") % {"year": year})
            for year in range(current, current - YEARS_BACK, -1)
        ]
        self.fields["month"].choices = [
            ("", _("Whole year")),
            *((month, MONTHS[month]) for month in FISCAL_MONTHS),
        ]
        self.fields["team"].queryset = visible_teams(user)
        self.fields["area"].queryset = visible_areas(user)
        self.fields["field"].choices = [
            ("", _("All")),
            *field_choices(),
            (NO_FIELD, _("Not recorded")),
        ]

    def period(self) -> Period:
        return Period(self.cleaned_data["year"], self.cleaned_data["month"])

    def filters(self) -> Filters:
        data = self.cleaned_data
        return Filters(team=data["team"], area=data["area"], field=data["field"])
