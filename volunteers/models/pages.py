"""Public content: the volunteering section and its opportunities (ボランティア募集) with shifts.

``OpportunityPage`` is a ``ListingPage``, so the directory lists it and the Japanese search finds
it with no code of ours; it points at the activity, event or place it serves. Shifts hold dates
and slot counts only: who signed up is personal data and lives in ``SignUp``, outside revisions.
"""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page
from wagtail.search import index

from community.page_forms import GroupPageForm
from resources.editor_form import EditorFormMixin, editor_aware_tabs, simple_panels
from resources.models import ListingPage
from tsunagu.page_cache import PublicPageMixin
from tsunagu.text import index_terms

from ..schedule_text import weekly_claims_without_shifts

# Paths under /volunteers/ served by volunteers.urls; an opportunity with such a slug would be
# unreachable, so the page form refuses them.
RESERVED_SLUGS = frozenset(
    {"register", "link", "shifts", "confirm", "cancel", "hours", "me", "calendar", "profiles"}
)


def quarter_hours(starts_at: dt.time, ends_at: dt.time) -> Decimal:
    """Hours between two times of one day, to the quarter hour: what a shift logs."""
    minutes = (ends_at.hour * 60 + ends_at.minute) - (starts_at.hour * 60 + starts_at.minute)
    return Decimal(round(minutes / 15) * 15) / 60


class VolunteerIndexPage(PublicPageMixin, Page):
    """/volunteers/: open opportunities, how to register, and the opted-in volunteers."""

    intro = models.TextField(_("introduction"), blank=True)
    body = RichTextField(_("body"), blank=True, features=["bold", "link", "ol", "ul", "h3"])

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    parent_page_types = ["tsunagu.HomePage"]
    subpage_types = ["volunteers.OpportunityPage"]
    max_count_per_parent = 1  # one per town's home page
    template = "volunteers/volunteer_index_page.html"

    class Meta:
        verbose_name = _("volunteering section")

    def get_context(self, request, *args, **kwargs):
        from tsunagu.island import island_for_request

        from ..selectors import opportunities_open

        context = super().get_context(request, *args, **kwargs)
        context["opportunities"] = opportunities_open(
            index=self, island=island_for_request(request)
        )
        return context


class OpportunityPageForm(EditorFormMixin, GroupPageForm):
    """Refuses slugs that volunteers.urls owns, and removing shifts people have signed up for."""

    def clean(self):
        cleaned_data = super().clean()
        if cleaned_data.get("slug") in RESERVED_SLUGS:
            self.add_error("slug", _("This slug is reserved; please choose another."))
        self._refuse_days_without_shifts(cleaned_data)
        shifts = self.formsets.get("shifts")
        if shifts is not None:
            from .signups import SignUp

            removed = [
                form.instance.pk for form in shifts.deleted_forms if form.instance.pk is not None
            ]
            if SignUp.objects.active().filter(shift_id__in=removed).exists():
                raise ValidationError(
                    _(
                        "A shift that volunteers have signed up for cannot be removed. "
                        "Contact them first, then cancel their sign-ups."
                    )
                )
        return cleaned_data

    def _refuse_days_without_shifts(self, cleaned_data: dict) -> None:
        """「毎週土曜」 typed above Thursday shifts misleads: the schedule comes from the shifts."""
        shifts = self.formsets.get("shifts")
        # Formsets are cleaned after the page form: clean them now to read the dates.
        if shifts is None or not shifts.is_valid():
            return
        kept = [form.cleaned_data for form in shifts.forms]
        dates = [row["date"] for row in kept if row.get("date") and not row.get("DELETE")]
        if not dates:
            return
        for name in ("summary", "body"):
            text = strip_tags(cleaned_data.get(name) or "")
            for claim in weekly_claims_without_shifts(text, dates):
                self.add_error(
                    name,
                    _(
                        "This says “%(claim)s”, but no shift is on that day. The schedule is "
                        "shown from the shifts: take the day out here, or add the shifts."
                    )
                    % {"claim": claim},
                )


class OpportunityPage(ListingPage):
    """A call for volunteers (ボランティア募集) for an activity, event or place, with shifts."""

    target = models.ForeignKey(
        "resources.ListingPage",
        verbose_name=_("for which activity, event or place"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="volunteer_opportunities",
    )
    what_to_bring = models.CharField(
        _("what to bring"),
        max_length=255,
        blank=True,
        help_text=_("Shown on the page and in every volunteer's confirmation."),
    )
    skills_wanted = ParentalManyToManyField(
        "resources.Term",
        verbose_name=_("skills wanted"),
        blank=True,
        limit_choices_to={"kind": "interest"},
        related_name="wanted_by_opportunities",
    )

    base_form_class = OpportunityPageForm
    content_panels = [
        *Page.content_panels,
        FieldPanel("kana"),
        FieldPanel("target"),
        FieldPanel("summary"),
        FieldPanel("body"),
        FieldPanel("image"),
        FieldPanel("skills_wanted"),
        InlinePanel("shifts", heading=_("shifts"), label=_("shift"), min_num=1),
        FieldPanel("what_to_bring"),
        FieldPanel("organization", permission="resources.change_organization"),
        MultiFieldPanel(ListingPage.place_panels, heading=_("where")),
        MultiFieldPanel(
            [FieldPanel("phone"), FieldPanel("email"), FieldPanel("contact_note")],
            heading=_("contact"),
        ),
        MultiFieldPanel(ListingPage.accessibility_panels, heading=_("accessibility")),
        FieldPanel("tags"),
        MultiFieldPanel(
            [FieldPanel("assured_date"), FieldPanel("external_id"), FieldPanel("is_sample")],
            heading=_("verification"),
        ),
    ]
    edit_handler = editor_aware_tabs(
        content_panels,
        simple_panels(
            when=[InlinePanel("shifts", heading=_("shifts"), label=_("shift"), min_num=1)],
            where=[FieldPanel("target"), FieldPanel("address"), FieldPanel("area")],
            audience=[FieldPanel("skills_wanted")],
            more=[
                FieldPanel("what_to_bring"),
                MultiFieldPanel(ListingPage.accessibility_panels, heading=_("accessibility")),
            ],
            with_cost=False,
        ),
        base_form_class=base_form_class,
    )
    search_fields = [*ListingPage.search_fields, index.FilterField("target_id")]
    parent_page_types = ["volunteers.VolunteerIndexPage", "community.VolunteerSectionPage"]
    subpage_types: list[str] = []
    template = "volunteers/opportunity_page.html"

    class Meta:
        verbose_name = _("volunteer opportunity")
        verbose_name_plural = _("volunteer opportunities")

    def get_context(self, request, *args, **kwargs):
        from ..selectors import upcoming_shifts

        context = super().get_context(request, *args, **kwargs)
        context["shifts"] = upcoming_shifts(opportunity=self)
        return context

    @property
    def venue(self) -> str:
        """Where it happens, by name: the published listing it serves ("" without one)."""
        return self.target.title if self.target_id and self.target.live else ""

    def clean(self) -> None:
        super().clean()
        if self.target_id and OpportunityPage.objects.filter(pk=self.target_id).exists():
            raise ValidationError(
                {"target": _("Choose an activity, event or place, not another opportunity.")}
            )

    def save(self, *args, **kwargs):
        # Where and by whom default to the listing it serves, so the directory's facets find it.
        if self.target_id:
            target = self.target
            self.area_id = self.area_id or target.area_id
            self.organization_id = self.organization_id or target.organization_id
            self.address = self.address or target.address
            if self.latitude is None:
                self.latitude, self.longitude = target.latitude, target.longitude
        return super().save(*args, **kwargs)

    def search_text(self) -> str:
        """The listing's terms plus the skills wanted and what it is for."""
        extra = [self.target.title if self.target_id else ""]
        for term in self.skills_wanted.all():
            extra += [term.name, term.kana, *term.synonym_list()]
        return f"{super().search_text()} {index_terms(' '.join(p for p in extra if p))}".strip()


SHIFT_TIMES = ("date", "starts_at", "ends_at")


class Shift(Orderable):
    """One date and time volunteers are needed, and how many."""

    opportunity = ParentalKey(OpportunityPage, related_name="shifts", on_delete=models.CASCADE)
    date = models.DateField(_("date"))
    starts_at = models.TimeField(_("starts at"))
    ends_at = models.TimeField(_("ends at"))
    slots = models.PositiveSmallIntegerField(
        _("volunteers needed"), default=1, validators=[MinValueValidator(1)]
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    # Raised whenever the date or times change, so calendar apps replace the volunteer's entry
    # (iCal SEQUENCE); changed_at is that moment (DTSTAMP, Last-Modified of their feed).
    sequence = models.PositiveIntegerField(default=0, editable=False)
    changed_at = models.DateTimeField(null=True, blank=True, editable=False)

    panels = [
        FieldRowPanel([FieldPanel("date"), FieldPanel("starts_at"), FieldPanel("ends_at")]),
        FieldRowPanel([FieldPanel("slots"), FieldPanel("note")]),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        indexes = [models.Index(fields=["date", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.opportunity.title} {self.date:%Y-%m-%d} {self.starts_at:%H:%M}"

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("The end time must be after the start time.")})

    def save(self, *args, **kwargs) -> None:
        """Bump the sequence when the shift moves. Compared with the stored row, not with this
        object: a revision being published carries the sequence of when it was drafted."""
        stored = (
            type(self)
            .objects.filter(pk=self.pk)
            .values(*SHIFT_TIMES, "sequence", "changed_at")
            .first()
            if self.pk
            else None
        )
        if stored is None:
            self.changed_at = self.changed_at or timezone.now()
        else:
            self.sequence = max(self.sequence, stored["sequence"])
            self.changed_at = stored["changed_at"] or self.changed_at
            if any(stored[name] != getattr(self, name) for name in SHIFT_TIMES):
                self.sequence += 1
                self.changed_at = timezone.now()
        super().save(*args, **kwargs)

    @property
    def starts(self) -> dt.datetime:
        return dt.datetime.combine(self.date, self.starts_at, tzinfo=ZoneInfo(settings.TIME_ZONE))

    @property
    def ends(self) -> dt.datetime:
        return dt.datetime.combine(self.date, self.ends_at, tzinfo=ZoneInfo(settings.TIME_ZONE))

    @property
    def hours(self) -> Decimal:
        return quarter_hours(self.starts_at, self.ends_at)
