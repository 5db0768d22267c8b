"""Weekly schedules as HSDS models them (weekly, or nth weekday of the month) plus exceptions.

Rules stay close to iCalendar's RRULE so the HSDS export and the iCal feeds are direct mappings,
and next occurrences come from dateutil rather than from arithmetic of our own.
"""

import datetime as dt

from dateutil import rrule
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.models import Orderable

WEEKDAY_CHOICES = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]
RRULE_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
# Time-of-day bands residents filter by (朝・昼・夕): a rule is in a band when it overlaps it.
TIME_BANDS = {
    "morning": (dt.time(5, 0), dt.time(12, 0)),
    "afternoon": (dt.time(12, 0), dt.time(17, 0)),
    "evening": (dt.time(17, 0), dt.time(23, 59)),
}


def parse_weeks(value: str) -> list[int]:
    """'2,4' → [2, 4]; weeks of the month are 1–5, or -1 for the last."""
    weeks = [int(part) for part in value.replace("、", ",").split(",") if part.strip()]
    if any(week not in {1, 2, 3, 4, 5, -1} for week in weeks):
        raise ValueError(value)
    return sorted(set(weeks), key=lambda w: (w < 0, w))


class ScheduleRule(Orderable):
    """When a listing is open or held: one weekday and one period (several rows for several)."""

    listing = ParentalKey(
        "resources.ListingPage", related_name="schedule_rules", on_delete=models.CASCADE
    )
    weekday = models.PositiveSmallIntegerField(_("day of week"), choices=WEEKDAY_CHOICES)
    weeks_of_month = models.CharField(
        _("weeks of the month"),
        max_length=20,
        blank=True,
        help_text=_("Leave empty for every week; e.g. 2,4 for the 2nd and 4th; -1 for the last."),
    )
    opens_at = models.TimeField(_("from"))
    closes_at = models.TimeField(_("until"))
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    panels = [
        FieldRowPanel([FieldPanel("weekday"), FieldPanel("weeks_of_month")]),
        FieldRowPanel([FieldPanel("opens_at"), FieldPanel("closes_at")]),
        FieldRowPanel([FieldPanel("valid_from"), FieldPanel("valid_until")]),
        FieldPanel("note"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("schedule")
        verbose_name_plural = _("schedules")
        # The directory's day and time facets probe one listing's rules at a time.
        indexes = [
            models.Index(fields=["weekday", "opens_at"]),
            models.Index(fields=["listing", "weekday", "opens_at"]),
        ]

    def clean(self) -> None:
        errors = {}
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            errors["closes_at"] = _("The end time must be after the start time.")
        try:
            parse_weeks(self.weeks_of_month or "")
        except ValueError:
            errors["weeks_of_month"] = _(
                "Enter weeks as numbers 1 to 5 (or -1 for the last), separated by commas."
            )
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            errors["valid_until"] = _("The end date must not be before the start date.")
        if errors:
            raise ValidationError(errors)

    @property
    def weeks(self) -> list[int]:
        return parse_weeks(self.weeks_of_month or "")

    def rrule_parts(self) -> dict[str, object]:
        """The rule as RRULE parts (FREQ, BYDAY, …) for iCalendar and HSDS."""
        day = RRULE_DAYS[self.weekday]
        if self.weeks:
            return {"freq": "MONTHLY", "byday": ",".join(f"{w}{day}" for w in self.weeks)}
        return {"freq": "WEEKLY", "byday": day}

    def occurrences(self, start: dt.date, until: dt.date) -> list[dt.date]:
        """Dates this rule falls on between ``start`` and ``until`` (inclusive)."""
        first = max(start, self.valid_from) if self.valid_from else start
        last = min(until, self.valid_until) if self.valid_until else until
        if last < first:
            return []
        weekday = rrule.weekdays[self.weekday]
        if self.weeks:
            rule = rrule.rrule(
                rrule.MONTHLY,
                byweekday=[weekday(w) for w in self.weeks],
                dtstart=dt.datetime.combine(first, dt.time()),
                until=dt.datetime.combine(last, dt.time()),
            )
        else:
            rule = rrule.rrule(
                rrule.WEEKLY,
                byweekday=weekday,
                dtstart=dt.datetime.combine(first, dt.time()),
                until=dt.datetime.combine(last, dt.time()),
            )
        return [moment.date() for moment in rule]


class ScheduleException(Orderable):
    """A date that differs from the rules: closed, or held at other times."""

    listing = ParentalKey(
        "resources.ListingPage", related_name="schedule_exceptions", on_delete=models.CASCADE
    )
    date = models.DateField(_("date"))
    closed = models.BooleanField(_("closed on this day"), default=True)
    opens_at = models.TimeField(_("from"), null=True, blank=True)
    closes_at = models.TimeField(_("until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    panels = [
        FieldRowPanel([FieldPanel("date"), FieldPanel("closed")]),
        FieldRowPanel([FieldPanel("opens_at"), FieldPanel("closes_at")]),
        FieldPanel("note"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("schedule exception")
        verbose_name_plural = _("schedule exceptions")

    def clean(self) -> None:
        if not self.closed and not (self.opens_at and self.closes_at):
            raise ValidationError({"opens_at": _("Enter the times, or tick “closed on this day”.")})
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": _("The end time must be after the start time.")})
