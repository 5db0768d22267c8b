"""The plain-words schedule on the editors' screen: its panel, its page-form side, its preview.

Each page type says how a ``PlainSchedule`` is read from and written to what it stores
(``schedule_initial`` / ``apply_schedule``); the fields, checks, wording and dates are shared.
"""

from __future__ import annotations

import copy
import datetime as dt

from django import forms
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from wagtail.admin.panels import Panel

from community.page_forms import GroupPageForm

from .editor_form import EditorFormMixin
from .plain_schedule import (
    FIELD_NAMES,
    NONE,
    PlainSchedule,
    PlainScheduleForm,
    add_week_choices,
    clean_plain_schedule,
)


class PlainSchedulePanel(Panel):
    """いつ: the widget's fields and a live list of the next dates (static JS, no inline code).

    When the stored schedule is more than the widget can say, a note replaces it and the
    schedule is left as it is (town staff can change it)."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "resources/admin/plain_schedule_panel.html"

        def get_context_data(self, parent_context=None) -> dict:
            context = super().get_context_data(parent_context)
            available = "when_repeat" in self.form.fields
            context["available"] = available
            context["fields"] = [self.form[name] for name in FIELD_NAMES] if available else []
            return context

        @property
        def media(self) -> forms.Media:
            return forms.Media(
                js=["resources/js/plain_schedule.js"], css={"all": ["resources/css/editor.css"]}
            )


class PlainScheduleFormMixin(EditorFormMixin):
    """Adds the widget's fields to an editor's page form and writes what they say."""

    panel_rendered_fields = FIELD_NAMES
    # Events must have a date; a place or an activity may have no regular schedule.
    schedule_required = False

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not self.simple:
            return
        stored = self.schedule_initial()
        if stored is None and self.instance.pk:
            return  # more than the widget can say: left alone
        for name in FIELD_NAMES:
            self.fields[name] = copy.deepcopy(PlainScheduleForm.base_fields[name])
        add_week_choices(self)
        if self.schedule_required:
            repeat = self.fields["when_repeat"]
            repeat.required = True
            repeat.choices = [choice for choice in repeat.choices if choice[0] != NONE]
        if stored is not None and self.instance.pk:
            # A new page has no rules yet: 毎週 (the field's initial), not 「定期的な予定なし」,
            # which silently dropped the days and times an editor then filled in.
            self.initial.update(stored.initial())

    def clean(self) -> dict:
        cleaned_data = super().clean()
        if self.simple and "when_repeat" in self.fields:
            schedule = clean_plain_schedule(self, cleaned_data)
            if schedule is not None:
                self.apply_schedule(schedule)
        return cleaned_data

    # The model's fields the schedule is written to, and the widget's field that sets each.
    schedule_error_fields: dict[str, str] = {}

    def error_field_for(self, name: str) -> str:
        if name in self.schedule_error_fields and "when_repeat" in self.fields:
            return self.schedule_error_fields[name]
        return super().error_field_for(name)

    def schedule_initial(self) -> PlainSchedule | None:
        """The stored schedule in plain words; None when there is none or it says more."""
        raise NotImplementedError

    def apply_schedule(self, schedule: PlainSchedule) -> None:
        """Write the schedule to the page (in memory: the revision holds it until published)."""
        raise NotImplementedError


class RulesScheduleFormMixin(PlainScheduleFormMixin):
    """Places and activities: the schedule is their ``ScheduleRule`` rows."""

    def schedule_initial(self) -> PlainSchedule | None:
        return PlainSchedule.from_rules(self.instance.schedule_rules.all())

    def apply_schedule(self, schedule: PlainSchedule) -> None:
        self.instance.schedule_rules = schedule.rules()


class RulesSchedulePageForm(RulesScheduleFormMixin, GroupPageForm):
    """The page form of places and activities."""


def preview(request: HttpRequest) -> JsonResponse:
    """The next dates and the plain-words line for the widget's current values, or its errors."""
    form = PlainScheduleForm(request.GET)
    schedule = form.schedule if form.is_valid() else None
    if schedule is None or schedule.repeat == NONE:
        errors = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
        return JsonResponse({"errors": errors}, status=400)
    dates = schedule.dates_from(timezone.localdate())
    return JsonResponse(
        {
            "text": schedule.text(),
            "dates": [_day(day) for day in dates],
            "iso": [day.isoformat() for day in dates],
        }
    )


def _day(day: dt.date) -> str:
    """2026年12月8日（火）"""
    return _("%(date)s (%(weekday)s)") % {
        "date": date_format(day, "DATE_FORMAT"),
        "weekday": date_format(day, "D"),
    }
