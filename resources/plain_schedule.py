"""A schedule in plain words (毎週 火曜 10:00〜11:30, 毎月 第2 土曜, 一回だけ) for groups' editors.

Events store a rule on the page and activities store ``ScheduleRule`` rows; both are written
from this one form, and its dates come from the rows' own recurrence (``ScheduleRule`` and
``schedule_text.next_occurrences``), so the preview shows what the calendar will show.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models.schedules import WEEKDAY_CHOICES, ScheduleRule, parse_weeks
from .schedule_text import next_occurrences, period_text, schedule_lines

NONE, ONCE, WEEKLY, MONTHLY = "", "once", "weekly", "monthly"
WEEKS = (1, 2, 3, 4, 5, -1)
PREVIEW_COUNT = 5


def week_choices() -> list[tuple[str, str]]:
    """第1 … 第5 and 最終 (never "-1"), in the language of the request."""
    return [
        (
            str(week),
            gettext("last week of the month")
            if week < 0
            else gettext("week %(number)s of the month") % {"number": week},
        )
        for week in WEEKS
    ]


@dataclass
class PlainSchedule:
    """What the form says: how often, which days and weeks, first (or only) date, times."""

    repeat: str
    opens: dt.time | None = None
    closes: dt.time | None = None
    days: list[int] = field(default_factory=list)
    weeks: list[int] = field(default_factory=list)
    date: dt.date | None = None
    until: dt.date | None = None

    def rules(self) -> list[ScheduleRule]:
        """Unsaved rows, one per day: a one-off is a rule valid on its date only."""
        if self.repeat == NONE:
            return []
        if self.repeat == ONCE:
            assert self.date is not None
            return [
                ScheduleRule(
                    weekday=self.date.weekday(),
                    opens_at=self.opens,
                    closes_at=self.closes,
                    valid_from=self.date,
                    valid_until=self.date,
                )
            ]
        weeks = ",".join(map(str, self.weeks)) if self.repeat == MONTHLY else ""
        return [
            ScheduleRule(
                weekday=day,
                weeks_of_month=weeks,
                opens_at=self.opens,
                closes_at=self.closes,
                valid_from=self.date,
                valid_until=self.until,
            )
            for day in self.days
        ]

    def dates_from(self, start: dt.date, count: int = PREVIEW_COUNT) -> list[dt.date]:
        """The first ``count`` dates on or after ``start`` (and the first date, if any)."""
        start = max(start, self.date) if self.date else start
        return [occ.date for occ in next_occurrences(self.rules(), [], start=start, count=count)]

    def text(self) -> str:
        """The schedule as residents will read it on the page."""
        if self.repeat == NONE:
            return ""
        if self.repeat == ONCE and self.date:
            return f"{date_format(self.date)} {period_text(self.opens, self.closes)}"
        return " / ".join(schedule_lines(self.rules()))

    def initial(self) -> dict:
        return {
            "when_repeat": self.repeat,
            "when_days": [str(day) for day in self.days],
            "when_weeks": [str(week) for week in self.weeks],
            "when_date": self.date,
            "when_until": self.until,
            "when_opens": self.opens,
            "when_closes": self.closes,
        }

    @classmethod
    def from_rules(cls, rules: Iterable[ScheduleRule]) -> PlainSchedule | None:
        """The rows as one plain schedule, or None when it takes more than this form says
        (different times on different days): then the editor's form leaves them alone."""
        rules = list(rules)
        if not rules:
            return cls(NONE)
        first = rules[0]
        shared = {
            (r.weeks_of_month, r.opens_at, r.closes_at, r.valid_from, r.valid_until) for r in rules
        }
        if len(shared) > 1:
            return None
        if len(rules) == 1 and first.valid_from and first.valid_from == first.valid_until:
            return cls(ONCE, first.opens_at, first.closes_at, date=first.valid_from)
        weeks = parse_weeks(first.weeks_of_month or "")
        return cls(
            MONTHLY if weeks else WEEKLY,
            first.opens_at,
            first.closes_at,
            days=sorted({r.weekday for r in rules}),
            weeks=weeks,
            date=first.valid_from,
            until=first.valid_until,
        )


class PlainScheduleForm(forms.Form):
    """The fields of the widget; the page forms add them, the preview reads them alone."""

    when_repeat = forms.ChoiceField(
        label=_("How often"),
        choices=[
            (WEEKLY, _("Every week")),
            (MONTHLY, _("Every month")),
            (ONCE, _("Just once")),
            (NONE, _("No regular schedule")),
        ],
        initial=WEEKLY,
        required=False,
    )
    when_weeks = forms.MultipleChoiceField(
        label=_("Which weeks of the month"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    when_days = forms.TypedMultipleChoiceField(
        label=_("days of the week"),
        choices=[(str(number), label) for number, label in WEEKDAY_CHOICES],
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    when_date = forms.DateField(
        label=_("Date (the first one, if it repeats)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    when_opens = forms.TimeField(
        label=_("from"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    when_closes = forms.TimeField(
        label=_("until"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    when_until = forms.DateField(
        label=_("Repeats until (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        add_week_choices(self)
        self.schedule: PlainSchedule | None = None

    def clean(self) -> dict:
        cleaned_data = super().clean()
        self.schedule = clean_plain_schedule(self, cleaned_data)
        return cleaned_data


FIELD_NAMES = tuple(PlainScheduleForm.base_fields)


def add_week_choices(form: forms.Form) -> None:
    """Choices are made per request so that 第1 and 最終 are in the editor's language."""
    form.fields["when_weeks"].choices = week_choices()


def clean_plain_schedule(form: forms.Form, cleaned_data: dict) -> PlainSchedule | None:
    """Check the widget's fields (errors in Japanese, on the field to fix); the schedule when
    they make one."""
    repeat = cleaned_data.get("when_repeat")
    opens, closes = cleaned_data.get("when_opens"), cleaned_data.get("when_closes")
    days = cleaned_data.get("when_days") or []
    weeks = [int(week) for week in cleaned_data.get("when_weeks") or []]
    date, until = cleaned_data.get("when_date"), cleaned_data.get("when_until")
    problems: dict[str, str] = {}
    if repeat and not opens:
        problems["when_opens"] = _("Enter the starting time.")
    if repeat and not closes:
        problems["when_closes"] = _("Enter the ending time.")
    if opens and closes and closes <= opens:
        problems["when_closes"] = _("The end time must be after the start time.")
    if repeat == ONCE and not date:
        problems["when_date"] = _("Enter the date.")
    if repeat in {WEEKLY, MONTHLY} and not days:
        problems["when_days"] = _("Choose at least one day of the week.")
    if repeat == MONTHLY and not weeks:
        problems["when_weeks"] = _("Choose which weeks of the month.")
    if repeat != ONCE and date and until and until < date:
        problems["when_until"] = _("The end date must not be before the start date.")
    for name, message in problems.items():
        form.add_error(name, message)
    if any(name in form.errors for name in FIELD_NAMES):
        return None
    if not repeat:
        return PlainSchedule(NONE)
    return PlainSchedule(
        repeat,
        opens,
        closes,
        days=sorted(days) if repeat != ONCE else [],
        weeks=sorted(weeks, key=lambda w: (w < 0, w)) if repeat == MONTHLY else [],
        date=date,
        until=until if repeat != ONCE else None,
    )
