"""Forms: the event page form (weekday tick-boxes for staff, the plain-words schedule for
groups' editors) and the public sign-up form."""

import datetime as dt

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from community.page_forms import GroupPageForm
from resources.models.schedules import RRULE_DAYS, WEEKDAY_CHOICES, parse_weeks
from resources.plain_schedule import MONTHLY, ONCE, WEEKLY, PlainSchedule
from resources.schedule_widget import PlainScheduleFormMixin

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


class EventScheduleFormMixin(PlainScheduleFormMixin):
    """Events: the schedule is the page's own rule (start, end, frequency, days, weeks)."""

    schedule_required = True
    schedule_error_fields = {
        "start": "when_date",
        "end": "when_closes",
        "frequency": "when_repeat",
        "weekdays": "when_days",
        "weeks_of_month": "when_weeks",
        "repeat_until": "when_until",
    }

    def schedule_initial(self) -> PlainSchedule | None:
        event = self.instance
        if event.start is None or event.end is None or event.all_day:
            return None
        start, end = event.local_start, event.local_end
        if end.date() != start.date() or event.interval != 1 or event.repeat_count:
            return None
        times = {"opens": start.time(), "closes": end.time(), "date": start.date()}
        if not event.frequency:
            return PlainSchedule(ONCE, **times)
        days = [RRULE_DAYS.index(code) for code in event.weekdays.split(",") if code]
        weeks = parse_weeks(event.weeks_of_month)
        if not days or (event.frequency == event.Frequency.MONTHLY) != bool(weeks):
            return None
        repeat = MONTHLY if weeks else WEEKLY
        return PlainSchedule(repeat, days=days, weeks=weeks, until=event.repeat_until, **times)

    def apply_schedule(self, schedule: PlainSchedule) -> None:
        """The first date the rule falls on becomes the start, as the event's rule requires."""
        first = schedule.dates_from(schedule.date or timezone.localdate(), count=1)
        if not first:
            message = _("No date falls on this schedule: check the days and dates.")
            self.add_error("when_date", message)
            return
        event, tz = self.instance, timezone.get_default_timezone()
        event.start = dt.datetime.combine(first[0], schedule.opens, tzinfo=tz)
        event.end = dt.datetime.combine(first[0], schedule.closes, tzinfo=tz)
        event.all_day = False
        event.frequency = "" if schedule.repeat == ONCE else schedule.repeat
        event.interval, event.repeat_count = 1, None
        event.weekdays = ",".join(RRULE_DAYS[day] for day in schedule.days)
        event.weeks_of_month = ",".join(map(str, schedule.weeks))
        event.repeat_until = schedule.until


class EventPageForm(EventScheduleFormMixin, GroupPageForm):
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
