"""Event pages and the calendar page that lists them.

``EventPage`` is a ``ListingPage``, so district, operator, audiences, tags, cost, accessibility,
search and the HSDS id come with it. Its recurrence is stored as structured fields (what an
editor fills in) and turned into one RRULE, which both the calendar and the iCal feeds use.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Iterable

from dateutil import rrule
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.formats import date_format
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    PageChooserPanel,
)
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.models import Orderable, Page, PageManager
from wagtail.query import PageQuerySet
from wagtail.search import index

from resources.editor_form import editor_aware_tabs, simple_panels
from resources.models import ListingPage, PlacePage
from resources.models.pages import ACCESSIBILITY_FLAGS, AUDIENCE_FLAGS
from resources.models.schedules import RRULE_DAYS, parse_weeks
from resources.schedule_widget import PlainSchedulePanel
from tsunagu import seo
from tsunagu.dates import plausible_date
from tsunagu.island import Town, island_for_request, island_scope, other_town, page_url
from tsunagu.models import install_id
from tsunagu.page_cache import PublicPageMixin
from tsunagu.text import index_terms
from tsunagu.throttle import TOO_MANY_REQUESTS, allow_submission, throttled_message

from ..filters import WEEK_ONLY, EventFilterSet, WeekFilterSet
from ..forms import EventPageForm, EventSignupForm
from ..fragments import FRAGMENT_SECONDS, cached_fragment, fragment_key
from ..ical import vevent_text
from ..occurrences import GridEntry, Occurrence, month_bounds, month_weeks, weekday_names
from .occurrences import HORIZON, EventOccurrence, EventOccurrenceQuerySet

# Changes to these (or to the exception dates) make calendars re-read the event (SEQUENCE).
SCHEDULE_FIELDS = (
    "start",
    "end",
    "all_day",
    "frequency",
    "interval",
    "weekdays",
    "weeks_of_month",
    "repeat_until",
    "repeat_count",
    "cancelled",
)
UPCOMING_DAYS = 92
UPCOMING_PER_PAGE = 20
OCCURRENCE_LIST_TEMPLATE = "events/includes/occurrence_list.html"
MONTH_DAY_LIMIT = 4
ARCHIVE_PER_PAGE = 20
NEXT_DATES_SHOWN = 5


def _local(value: dt.datetime) -> dt.datetime:
    return timezone.localtime(value, timezone.get_default_timezone())


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=timezone.get_default_timezone())


class EventPageQuerySet(PageQuerySet):
    def for_calendar(self) -> EventPageQuerySet:
        """Live, public events that are not for staff only: the one rule for every public
        surface (calendar views, the week, "this week", feeds)."""
        return self.live().public().filter(staff_only=False)

    def ended(self, now: dt.datetime) -> EventPageQuerySet:
        return self.filter(ends_at__lte=now)


class EventPage(RoutablePageMixin, ListingPage):
    """A dated community event (催し), one-off or repeating weekly or monthly."""

    class Frequency(models.TextChoices):
        NONE = "", _("Does not repeat")
        WEEKLY = "weekly", _("Weekly")
        MONTHLY = "monthly", _("Monthly")

    class Application(models.TextChoices):
        NONE = "none", _("No application needed")
        PHONE = "phone", _("Apply by telephone")
        FORM = "form", _("Apply with the online form")

    start = models.DateTimeField(_("starts"), db_index=True)
    end = models.DateTimeField(_("ends"), null=True, blank=True)
    all_day = models.BooleanField(
        _("all day"), default=False, help_text=_("Only the dates of the start and end are used.")
    )

    frequency = models.CharField(
        _("repeats"), max_length=10, choices=Frequency.choices, blank=True, default=""
    )
    interval = models.PositiveSmallIntegerField(
        _("every"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_("1 for every week or month, 2 for every other, and so on."),
    )
    weekdays = models.CharField(_("days of the week"), max_length=27, blank=True)
    weeks_of_month = models.CharField(
        _("weeks of the month"),
        max_length=20,
        blank=True,
        help_text=_(
            "Monthly: e.g. 2 for the 2nd, 2,4 for the 2nd and 4th, -1 for the last. "
            "Leave empty to repeat on the same date every month."
        ),
    )
    repeat_until = models.DateField(_("repeat until"), null=True, blank=True)
    repeat_count = models.PositiveSmallIntegerField(
        _("number of times"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(500)],
    )

    place = models.ForeignKey(
        PlacePage,
        verbose_name=_("venue in the directory"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
    )
    venue_name = models.CharField(
        _("venue"),
        max_length=200,
        blank=True,
        help_text=_("For a venue that is not in the directory; enter its address below."),
    )

    capacity = models.PositiveIntegerField(
        _("capacity"), null=True, blank=True, help_text=_("Leave empty for no limit.")
    )
    how_to_apply = models.CharField(
        _("how to apply"), max_length=10, choices=Application.choices, default=Application.NONE
    )
    application_deadline = models.DateTimeField(_("application deadline"), null=True, blank=True)
    what_to_bring = models.CharField(
        _("what to bring"),
        max_length=255,
        blank=True,
        help_text=_("Shown on the event page and in every applicant's confirmation."),
    )

    cancelled = models.BooleanField(_("cancelled"), default=False)
    cancellation_notice = models.TextField(_("cancellation notice"), blank=True)
    # Training and meetings of staff and partner agencies are planned here too (研修・会議), but
    # residents must never see them: for_calendar() leaves them out and their page is a 404.
    staff_only = models.BooleanField(
        _("staff only"),
        default=False,
        help_text=_(
            "For staff of the town and partner agencies: never shown on the public calendar, "
            "feeds or pages."
        ),
    )

    # Bumped whenever a save changes the times or the status: iCal SEQUENCE.
    sequence = models.PositiveIntegerField(default=0, editable=False)
    # End of the last occurrence (null: repeats for ever), so windows are a database filter.
    ends_at = models.DateTimeField(null=True, editable=False, db_index=True)
    # The published event as an iCalendar VEVENT, rendered on save: feeds join these.
    ical_vevent = models.TextField(blank=True, editable=False)

    objects = PageManager.from_queryset(EventPageQuerySet)()

    base_form_class = EventPageForm
    content_panels = [
        *Page.content_panels,
        FieldPanel("staff_only"),
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("start"), FieldPanel("end")]), FieldPanel("all_day")],
            heading=_("date and time"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("frequency"), FieldPanel("interval")]),
                FieldPanel("weekdays"),
                FieldPanel("weeks_of_month"),
                FieldRowPanel([FieldPanel("repeat_until"), FieldPanel("repeat_count")]),
                InlinePanel("exdates", heading=_("dates it is not held"), label=_("date")),
            ],
            heading=_("repeats"),
        ),
        MultiFieldPanel(
            [
                PageChooserPanel("place", "resources.PlacePage"),
                FieldPanel("venue_name"),
                *ListingPage.place_panels,
            ],
            heading=_("where"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("how_to_apply"),
                FieldRowPanel([FieldPanel("application_deadline"), FieldPanel("capacity")]),
                FieldPanel("what_to_bring"),
            ],
            heading=_("applying"),
        ),
        MultiFieldPanel(
            [FieldPanel("cancelled"), FieldPanel("cancellation_notice")],
            heading=_("cancellation"),
        ),
        # Places' weekly opening hours do not apply: an event's dates are set above.
        *(
            panel
            for panel in ListingPage.common_panels
            if getattr(panel, "relation_name", None)
            not in {"schedule_rules", "schedule_exceptions"}
        ),
    ]
    edit_handler = editor_aware_tabs(
        content_panels,
        simple_panels(
            when=[PlainSchedulePanel()],
            where=[
                FieldPanel("place"),
                FieldPanel("venue_name"),
                FieldPanel("address"),
                FieldPanel("area"),
            ],
            audience=ListingPage.audience_panels,
            more=[
                *content_panels[5:7],  # applying, cancellation
                MultiFieldPanel(ListingPage.accessibility_panels, heading=_("accessibility")),
            ],
        ),
        base_form_class=base_form_class,
    )
    search_fields = [
        *ListingPage.search_fields,
        index.FilterField("start"),
        index.FilterField("ends_at"),
        index.FilterField("cancelled"),
        index.FilterField("place_id"),
        # So that for_calendar() can be searched (a search filters only on declared fields).
        index.FilterField("staff_only"),
    ]
    parent_page_types = ["events.EventIndexPage", "community.CalendarSectionPage"]
    subpage_types: list[str] = []
    template = "events/event_page.html"

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")

    # --- recurrence -------------------------------------------------------------------------

    @property
    def is_recurring(self) -> bool:
        return bool(self.frequency)

    @property
    def local_start(self) -> dt.datetime:
        start = _local(self.start)
        return _midnight(start.date()) if self.all_day else start

    @property
    def local_end(self) -> dt.datetime | None:
        if self.end is None:
            return None
        end = _local(self.end)
        return _midnight(end.date()) if self.all_day else end

    def _normalise_recurrence(self) -> None:
        """Clear rule fields that do not apply, and default the weekday to the start's."""
        if not self.frequency:
            self.interval, self.weekdays, self.weeks_of_month = 1, "", ""
            self.repeat_until = self.repeat_count = None
            return
        if self.start and not self.weekdays:
            if self.frequency == self.Frequency.WEEKLY or self.weeks_of_month.strip():
                self.weekdays = RRULE_DAYS[_local(self.start).weekday()]

    def rrule_parts(self, *, date_until: bool = False) -> dict[str, object]:
        """The rule as RRULE parts. UNTIL is UTC (RFC 5545 for a DTSTART with a TZID),
        or a date for an all-day event (``date_until``)."""
        parts: dict[str, object] = {"FREQ": self.frequency.upper(), "INTERVAL": self.interval}
        days = [day for day in self.weekdays.split(",") if day]
        weeks = parse_weeks(self.weeks_of_month)
        if self.frequency == self.Frequency.MONTHLY and weeks:
            parts["BYDAY"] = [f"{week}{day}" for week in weeks for day in days]
        elif self.frequency == self.Frequency.WEEKLY:
            parts["BYDAY"] = days
        if self.repeat_count:
            parts["COUNT"] = self.repeat_count
        elif self.repeat_until:
            if date_until:
                parts["UNTIL"] = self.repeat_until
            else:
                last_moment = _midnight(self.repeat_until + dt.timedelta(days=1))
                parts["UNTIL"] = last_moment.astimezone(dt.UTC) - dt.timedelta(seconds=1)
        return parts

    def rrule_text(self) -> str:
        """RRULE value text, e.g. ``FREQ=MONTHLY;INTERVAL=1;BYDAY=2TU;COUNT=6``."""

        def text(value: object) -> str:
            if isinstance(value, list):
                return ",".join(map(str, value))
            if isinstance(value, dt.datetime):
                return value.strftime("%Y%m%dT%H%M%SZ")
            return str(value)

        return ";".join(f"{key}={text(value)}" for key, value in self.rrule_parts().items())

    def _rule(self) -> rrule.rrule:
        return rrule.rrulestr(self.rrule_text(), dtstart=self.local_start)

    def _ruleset(self) -> rrule.rruleset:
        ruleset = rrule.rruleset()
        ruleset.rrule(self._rule())
        for excluded in self.exdate_starts():
            ruleset.exdate(excluded)
        return ruleset

    def exdate_starts(self) -> list[dt.datetime]:
        """Exception dates as the start instants they cancel (EXDATE matches DTSTART's time)."""
        start = self.local_start
        return [
            dt.datetime.combine(ex.date, start.timetz()) for ex in self.exdates.all() if ex.date
        ]

    def _duration(self) -> dt.timedelta:
        end = self.local_end
        return end - self.local_start if end else dt.timedelta(0)

    def _occurrence(self, moment: dt.datetime) -> Occurrence:
        end = moment + self._duration() if self.end else None
        return Occurrence(event=self, start=moment, end=end, all_day=self.all_day)

    def first_occurrence(self) -> Occurrence:
        return self._occurrence(self.local_start)

    def _reach(self) -> dt.timedelta:
        """How long before a window an occurrence may start and still run into it."""
        return self._duration() + dt.timedelta(days=1 if self.all_day else 0)

    def occurrences_between(self, start: dt.datetime, end: dt.datetime) -> list[Occurrence]:
        """This event's occurrences overlapping [start, end), exception dates left out."""
        if not self.is_recurring:
            candidates = [self.first_occurrence()]
        else:
            moments = self._ruleset().between(start - self._reach(), end, inc=True)
            candidates = [self._occurrence(moment) for moment in moments]
        return [occ for occ in candidates if occ.overlaps(start, end)]

    def next_occurrences(self, now: dt.datetime, limit: int) -> list[Occurrence]:
        """The next ``limit`` occurrences that have not finished yet."""
        if not self.is_recurring:
            moments = [self.local_start]
        else:
            moments = self._ruleset().xafter(now - self._reach(), count=limit + 1, inc=True)
        upcoming = (self._occurrence(moment) for moment in moments)
        return [occ for occ in upcoming if occ.finishes_at > now][:limit]

    def _compute_ends_at(self) -> dt.datetime | None:
        last_start = self.local_start
        if self.is_recurring:
            if not (self.repeat_count or self.repeat_until):
                return None
            tail = deque(self._rule(), maxlen=1)
            last_start = tail[0] if tail else last_start
        return self._occurrence(last_start).finishes_at

    # --- validation and saving ----------------------------------------------------------------

    def clean(self) -> None:
        errors: dict[str, list] = {}
        try:
            super().clean()
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)

        def error(field: str, message: str) -> None:
            errors.setdefault(field, []).append(message)

        self._normalise_recurrence()
        start, end = self.start, self.end
        if start and end:
            if self.all_day and _local(end).date() < _local(start).date():
                error("end", _("The end date must not be before the start date."))
            elif not self.all_day and end <= start:
                error("end", _("The end must be after the start."))
        if start and self.application_deadline and self.application_deadline > start:
            error("application_deadline", _("The application deadline must be before the start."))
        if self.how_to_apply == self.Application.FORM and self.is_recurring:
            error(
                "how_to_apply",
                _("The online form can only be used for an event that does not repeat."),
            )
        if self.how_to_apply == self.Application.PHONE and not (
            self.phone or (self.organization_id and self.organization.phone)
        ):
            error("phone", _("Enter the telephone number people should call to apply."))
        if self.is_recurring:
            self._clean_recurrence(error)
        if errors:
            raise ValidationError(errors)

    def _clean_recurrence(self, error) -> None:
        if self.repeat_until and self.repeat_count:
            error(
                "repeat_count",
                _("Enter either a date to repeat until or a number of times, not both."),
            )
        if self.repeat_until and self.start and self.repeat_until < _local(self.start).date():
            error("repeat_until", _("The date to repeat until must not be before the start."))
        try:
            weeks = parse_weeks(self.weeks_of_month)
        except ValueError:
            error(
                "weeks_of_month",
                _("Enter weeks as numbers 1 to 5 (or -1 for the last), separated by commas."),
            )
            return
        if weeks and self.frequency != self.Frequency.MONTHLY:
            error("weeks_of_month", _("Weeks of the month are only for monthly events."))
            return
        if self.frequency == self.Frequency.MONTHLY and self.weekdays and not weeks:
            error("weeks_of_month", _("Enter which weeks of the month, or untick the days."))
            return
        if self.start:
            first = next(iter(self._rule()), None)
            if first != self.local_start:
                error(
                    "start",
                    _(
                        "The start is not one of the dates the event repeats on: "
                        "enter the date and time of the first one."
                    ),
                )

    def _next_sequence(self) -> int:
        """The stored sequence, plus one if this save changes the times or status."""
        old = type(self).objects.filter(pk=self.pk).values("sequence", *SCHEDULE_FIELDS).first()
        if old is None:
            return self.sequence
        stored_exdates = set(
            EventExdate.objects.filter(event_id=self.pk).values_list("date", flat=True)
        )
        new_exdates = {ex.date for ex in self.exdates.all()}
        changed = new_exdates != stored_exdates or any(
            old[name] != getattr(self, name) for name in SCHEDULE_FIELDS
        )
        return old["sequence"] + 1 if changed else max(old["sequence"], self.sequence)

    def save(self, *args, **kwargs):
        # Events held at a place are found where the place is, without a join per query.
        if self.place_id:
            place = self.place
            self.area_id = self.area_id or place.area_id
            self.address = self.address or place.address
            if self.latitude is None:
                self.latitude, self.longitude = place.latitude, place.longitude
        self._normalise_recurrence()
        try:
            self.ends_at = self._compute_ends_at()
        except ValueError:  # a draft's unfinished rule; clean() reports it before publishing
            self.ends_at = None
        full_save = kwargs.get("update_fields") is None
        if self.pk and full_save:
            self.sequence = self._next_sequence()
        result = super().save(*args, **kwargs)
        if full_save:
            self.store_occurrences()
            self.store_ical()
        return result

    def store_occurrences(self, now: dt.datetime | None = None) -> None:
        """Write this event's dates (up to the horizon when it repeats for ever)."""
        if self.ends_at is not None:
            until = self.ends_at + dt.timedelta(seconds=1)
        else:
            until = (now or timezone.now()) + HORIZON
        try:
            occurrences = self.occurrences_between(self.local_start, until)
        except ValueError:  # a draft's unfinished rule: no dates until it is valid
            occurrences = []
        rows = [
            EventOccurrence(
                event=self, start=occ.start, finish=occ.finishes_at, day_count=len(occ.days)
            )
            for occ in occurrences
        ]
        EventOccurrence.objects.filter(event=self).delete()
        EventOccurrence.objects.bulk_create(rows)

    def store_ical(self) -> None:
        """Render and store the VEVENT the feeds serve (also after the site's address changes)."""
        try:
            text = vevent_text(self, domain=install_id(), url=self.get_full_url() or "")
        except ValueError:  # a draft's unfinished rule
            text = ""
        self.ical_vevent = text
        type(self).objects.filter(pk=self.pk).update(ical_vevent=text)

    # --- what residents see -------------------------------------------------------------------

    @property
    def venue(self) -> str:
        return self.place.title if self.place_id else self.venue_name

    @property
    def location_text(self) -> str:
        """Venue and address on one line (iCal LOCATION)."""
        return " ".join(part for part in (self.venue, self.address) if part)

    def search_text(self) -> str:
        """Listing terms plus the venue, so 公民館 finds what is held there."""
        extra = [self.venue, self.address, strip_tags(self.cancellation_notice)]
        own = index_terms(" ".join(part for part in extra if part))
        return f"{super().search_text()} {own}".strip()

    def signups_open(self, now: dt.datetime) -> bool:
        return (
            self.how_to_apply == self.Application.FORM
            and not self.cancelled
            and now < self.start
            and (self.application_deadline is None or now <= self.application_deadline)
        )

    def ical_url(self) -> str:
        return reverse("events:ical-event", kwargs={"hsds_id": self.hsds_id})

    def _flag_labels(self, flags: tuple[str, ...]) -> list[str]:
        return [self._meta.get_field(flag).verbose_name for flag in flags if getattr(self, flag)]

    def seats_left(self) -> int | None:
        """Places still free (None: no limit); cancelled sign-ups free theirs."""
        from .signups import EventSignup

        if self.capacity is None:
            return None
        return max(self.capacity - EventSignup.objects.seats_taken(event=self), 0)

    def get_context(self, request: HttpRequest, *args, **kwargs) -> dict:
        context = super().get_context(request, *args, **kwargs)
        now = timezone.now()
        context.update(
            next_occurrences=self.next_occurrences(now, NEXT_DATES_SHOWN),
            first_occurrence=self.first_occurrence(),
            has_ended=self.ends_at is not None and self.ends_at <= now,
            audiences=self._flag_labels(AUDIENCE_FLAGS),
            accessibility=self._flag_labels((*ACCESSIBILITY_FLAGS, "near_bus_stop")),
        )
        return context

    def get_sitemap_urls(self, request: HttpRequest | None = None) -> list[dict]:
        """Staff-only events are not public pages: never in the sitemap."""
        return [] if self.staff_only else super().get_sitemap_urls(request)

    def structured_data(self, request: HttpRequest) -> dict:
        """schema.org Event, for search engines' event listings."""
        start, end = self.local_start, self.local_end
        if self.all_day:
            start, end = start.date(), (end or start).date()
        status = "EventCancelled" if self.cancelled else "EventScheduled"
        return seo.with_context(
            {
                "@type": "Event",
                "name": self.title,
                "description": self.summary,
                "startDate": start,
                "endDate": end,
                "eventStatus": f"https://schema.org/{status}",
                "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
                "location": seo.place_data(self.venue, self.address, self.latitude, self.longitude),
                "organizer": seo.organization_data(self.organization)
                if self.organization_id
                else None,
                "url": self.get_full_url(request),
            }
        )

    def serve(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        """A staff-only event does not exist for anyone who cannot edit it (its sign-up and
        cancel routes neither): residents, volunteers, other groups' editors."""
        if self.staff_only and not self.permissions_for_user(request.user).can_edit():
            raise Http404
        return super().serve(request, *args, **kwargs)

    @path("")
    def detail(self, request: HttpRequest) -> HttpResponse:
        """The event, with the sign-up form while it takes online applications and has room."""
        seats_left = self.seats_left()
        form = None
        status = 200
        if self.signups_open(timezone.now()) and seats_left != 0:
            form = EventSignupForm(request.POST if request.method == "POST" else None)
            if form.is_bound and form.is_valid():
                # Both import these models.
                from events.services import signup_create
                from events.signup_views import remember as remember_signup

                if not allow_submission(request, scope="event-signup", target=self.pk):
                    form.add_error(None, throttled_message())
                    status = TOO_MANY_REQUESTS
                else:
                    try:
                        signup = signup_create(event=self, **form.cleaned_data)
                    except ValidationError as exc:
                        form.add_error(None, exc)
                    else:
                        remember_signup(request, signup)
                        return redirect(self.url + self.reverse_subpage("signup_done"))
        response = self.render(
            request, context_overrides={"signup_form": form, "seats_left": seats_left}
        )
        response.status_code = status
        return response

    @path("signup/done/")
    def signup_done(self, request: HttpRequest) -> HttpResponse:
        """Date, place, what to bring and how to cancel, for the browser that just signed up."""
        from events.signup_views import done_context

        response = self.render(
            request,
            template="events/signup_done.html",
            context_overrides=done_context(request, self),
        )
        add_never_cache_headers(response)  # one person's booking, with its cancel link
        return response

    @path("cancel/<str:token>/")
    def signup_cancel(self, request: HttpRequest, token: str) -> HttpResponse:
        """Cancel-by-link: GET asks to confirm (mail scanners follow links), POST cancels."""
        from events.services import signup_cancel

        from .signups import EventSignup

        signup = EventSignup.objects.active().filter(event=self, token=token).first()
        if signup is None:
            return self.render(
                request, template="events/signup_cancel.html", context_overrides={"missing": True}
            )
        done = False
        if request.method == "POST":
            signup_cancel(signup=signup)
            done = True
        return self.render(
            request,
            template="events/signup_cancel.html",
            context_overrides={"done": done, "party_size": signup.party_size},
        )


class EventExdate(Orderable):
    """A date a repeating event is not held on (EXDATE)."""

    event = ParentalKey(EventPage, related_name="exdates", on_delete=models.CASCADE)
    date = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    panels = [FieldRowPanel([FieldPanel("date"), FieldPanel("note")])]

    class Meta(Orderable.Meta):
        verbose_name = _("date it is not held")
        verbose_name_plural = _("dates it is not held")


class EventIndexPage(PublicPageMixin, RoutablePageMixin, Page):
    """The calendar: upcoming events, a month grid, the archive, and iCal subscriptions."""

    intro = models.TextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["tsunagu.HomePage"]
    subpage_types = ["events.EventPage"]
    max_count_per_parent = 1  # one per town's home page
    template = "events/event_index_page.html"

    class Meta:
        verbose_name = _("event calendar")

    def _filtered(self, request: HttpRequest) -> tuple[EventFilterSet, EventPageQuerySet]:
        # Descendants: events inside community groups' sections are on the calendar too.
        events = calendar_events(self, island_for_request(request))
        filterset = EventFilterSet(request.GET or None, queryset=events)
        return filterset, filterset.qs if filterset.is_bound else events

    def _context(self, request: HttpRequest, view: str, filterset: EventFilterSet) -> dict:
        from ..calendar_links import feed_links  # it reads these models

        query = request.GET.copy()
        query.pop("page", None)
        return {
            "view": view,
            "filterset": filterset,
            "filter_query": query.urlencode(),
            "month_url": self.url + self.reverse_subpage("month"),
            "week_url": self.url + self.reverse_subpage("week"),
            "archive_url": self.url + self.reverse_subpage("archive"),
            "ical_url": reverse("events:ical-all"),
            "feed": feed_links(request, _feed_path(query)),
        }

    def _list(
        self, request: HttpRequest, start: dt.datetime, end: dt.datetime, heading: str
    ) -> HttpResponse:
        """A page of the occurrences in [start, end), with their events' details.

        Which occurrences (counting and ordering thousands of stored dates) is kept until the
        next publish, like the month grid (events/fragments.py), and so is each page of the
        list as rendered: a page read and laid out again cost most of the view's time.
        """
        filterset, events = self._filtered(request)
        context = self._context(request, "upcoming", filterset)
        parts = (self.pk, start, end, context["filter_query"])
        number = request.GET.get("page")

        def rows() -> list[tuple[int, dt.datetime]]:
            key = fragment_key("rows", request, parts)
            found = cache.get(key)
            if found is None:
                stored = EventOccurrence.objects.of(events).overlapping(start, end)
                found = list(stored.values_list("event_id", "start"))
                cache.set(key, found, FRAGMENT_SECONDS)
            return found

        def listing() -> str:
            page = Paginator(rows(), UPCOMING_PER_PAGE).get_page(number)
            page.object_list = with_events(page.object_list, events)
            return get_template(OCCURRENCE_LIST_TEMPLATE).render(
                {
                    "occurrences_page": page,
                    "filter_query": context["filter_query"],
                    "request": request,
                }
            )

        occurrence_list = cached_fragment("list", request, (*parts, number), listing)
        return self.render(
            request,
            context_overrides={
                **context,
                "occurrence_list": mark_safe(occurrence_list),
                "list_heading": heading,
            },
        )

    @path("")
    def upcoming(self, request: HttpRequest) -> HttpResponse:
        """Occurrences from now on, repeating events expanded, a page at a time (from the
        current minute: one list a minute, see ``_list``)."""
        now = timezone.now().replace(second=0, microsecond=0)
        until = _local(now + dt.timedelta(days=UPCOMING_DAYS))
        heading = _("Upcoming events (until %(until)s)") % {
            "until": date_format(until, "DATE_FORMAT")
        }
        return self._list(request, now, until, heading)

    @path("day/<int:year>/<int:month>/<int:day>/")
    def day(self, request: HttpRequest, year: int, month: int, day: int) -> HttpResponse:
        """Everything on one day: where a crowded day of the month grid links to."""
        date = plausible_date(year, month, day)
        if date is None:
            raise Http404
        first = _midnight(date)
        heading = _("Events on %(day)s") % {"day": date_format(first, "DATE_FORMAT")}
        return self._list(request, first, first + dt.timedelta(days=1), heading)

    @path("month/", name="month")
    @path("month/<int:year>/<int:month>/", name="month")
    def month(self, request: HttpRequest, year: int | None = None, month: int | None = None):
        """A month grid (a list of days on a phone), with links to the months either side."""
        today = timezone.localdate()
        if year is None or month is None:
            year, month = today.year, today.month
        if plausible_date(year, month) is None:
            raise Http404
        filterset, events = self._filtered(request)
        first, after = month_bounds(year, month, timezone.get_default_timezone())
        context = self._context(request, "month", filterset)

        def grid() -> str:
            rows = EventOccurrence.objects.of(events).overlapping(first, after)
            occurrences = grid_entries(
                rows, self.url, self.url_path, island=island_for_request(request)
            )
            weeks = month_weeks(year, month, occurrences, today=today, limit=MONTH_DAY_LIMIT)
            return render_to_string(
                "events/includes/month_grid.html",
                {
                    "page": self,
                    "filter_query": context["filter_query"],
                    "month_start": first,
                    "weeks": weeks,
                    "weekday_names": weekday_names(),
                    "has_events": bool(occurrences),
                },
            )

        # The grid is most of the view's cost; it is cached until the next publish or day.
        parts = (self.pk, self.url, year, month, today, context["filter_query"])
        previous = first - dt.timedelta(days=1)
        return self.render(
            request,
            template="events/event_month.html",
            context_overrides={
                **context,
                "month_start": first,
                "month_grid": mark_safe(cached_fragment("month", request, parts, grid)),
                "previous_url": self.url
                + self.reverse_subpage("month", args=[previous.year, previous.month]),
                "next_url": self.url
                + self.reverse_subpage("month", args=[after.year, after.month]),
                "previous_month": previous,
                "next_month": after,
            },
        )

    @path("week/", name="week")
    @path("week/<int:year>/<int:month>/<int:day>/", name="week")
    def week(self, request: HttpRequest, year: int | None = None, month: int = 1, day: int = 1):
        """Seven days of events and regular activities together, by day and time of day."""
        from ..week import week_page_context  # the week reads these models

        today = timezone.localdate()
        date = today if year is None else plausible_date(year, month, day)
        if date is None:
            raise Http404
        filterset = WeekFilterSet(request.GET)
        context = self._context(request, "week", filterset)
        context.update(
            week_page_context(
                self,
                request,
                day=date,
                today=today,
                filterset=filterset,
                filter_query=context["filter_query"],
            )
        )
        return self.render(request, template="events/event_week.html", context_overrides=context)

    @path("archive/")
    def archive(self, request: HttpRequest) -> HttpResponse:
        """Events that have finished, newest first: past events are archived automatically."""
        filterset, events = self._filtered(request)
        ended = (
            events.ended(timezone.now()).select_related("place", "area").order_by("-start", "-pk")
        )
        page = Paginator(ended, ARCHIVE_PER_PAGE).get_page(request.GET.get("page"))
        return self.render(
            request,
            template="events/event_archive.html",
            context_overrides={**self._context(request, "archive", filterset), "events_page": page},
        )


def _feed_path(query: QueryDict) -> str:
    """The events feed with the calendar's filters (not the week's display choices)."""
    facets = query.copy()
    for name in WEEK_ONLY:
        facets.pop(name, None)
    path = reverse("events:ical-all")
    return f"{path}?{facets.urlencode()}" if facets else path


def with_events(
    rows: Iterable[tuple[int, dt.datetime]], events: EventPageQuerySet
) -> list[Occurrence]:
    """Stored (event id, start) rows as occurrences of their events, with place and district."""
    rows = list(rows)
    by_id = events.select_related("place", "area").in_bulk({event_id for event_id, _ in rows})
    return [
        by_id[event_id]._occurrence(_local(start)) for event_id, start in rows if event_id in by_id
    ]


def calendar_events(calendar: EventIndexPage, island: list[Town]) -> EventPageQuerySet:
    """What a calendar shows: the public events below it and, on a site sharing with the
    island (``tsunagu.island``), the other sharing towns' public events; never staff-only ones."""
    return EventPage.objects.filter(island_scope(calendar.path, island)).for_calendar()


def grid_entries(
    rows: EventOccurrenceQuerySet,
    calendar_url: str,
    calendar_path: str | None = None,
    *,
    island: list[Town] | None = None,
) -> list[GridEntry]:
    """Stored rows as light entries (title, link, status) for a month of many events.

    One query, no page objects: each link is the calendar's URL and the event's path below the
    calendar (its slug, or a group's section and the slug); another town's event links to that
    town's site and carries its name.
    """
    tz = timezone.get_default_timezone()
    fields = ("start", "day_count", "event__title", "event__path", "event__url_path",
              "event__cancelled", "event__all_day")  # fmt: skip
    entries = []
    for start, day_count, title, tree_path, url_path, cancelled, all_day in rows.values_list(
        *fields
    ):
        url, town = entry_link(tree_path, url_path, calendar_url, calendar_path, island or [])
        entries.append(
            GridEntry(
                title=title,
                url=url,
                cancelled=cancelled,
                all_day=all_day,
                start=start.astimezone(tz),
                day_count=day_count,
                town=town,
            )
        )
    return entries


def url_below(calendar_url: str, calendar_path: str | None, url_path: str) -> str:
    if calendar_path and url_path.startswith(calendar_path):
        return calendar_url + url_path[len(calendar_path) :]
    return f"{calendar_url}{url_path.rstrip('/').rpartition('/')[2]}/"


def entry_link(
    path: str, url_path: str, base_url: str, base_path: str | None, island: list[Town]
) -> tuple[str, str]:
    """A calendar row's link and town label: below ``base_url`` for the site's own pages, the
    other town's site (and its name) for a page shared from across the island."""
    town = other_town(path, island)
    if town is None:
        return url_below(base_url, base_path, url_path), ""
    return page_url(town, url_path), town.name
