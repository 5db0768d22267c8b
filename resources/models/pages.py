"""Directory page types: places (HSDS location) and activities (HSDS service).

Both inherit the concrete ``ListingPage``, so the directory filters, searches and pages through
one queryset, whichever kind each result is. Personal data never lives here (DESIGN.md).
"""

import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page
from wagtail.search import index

from community.page_forms import GroupPageForm
from tsunagu import seo
from tsunagu.page_cache import PublicPageMixin
from tsunagu.text import index_terms, ngram_terms, single_line

from ..editor_form import editor_aware_tabs, simple_panels
from ..schedule_widget import PlainSchedulePanel, RulesSchedulePageForm
from .areas import Area
from .vocabulary import ListingTag

AUDIENCE_FLAGS = ("for_elderly", "for_disabled", "for_children", "for_poverty", "for_everyone")
ACCESSIBILITY_FLAGS = (
    "barrier_free",
    "accessible_toilet",
    "parking",
    "pickup",
    "hearing_support",
    "vision_support",
)
SUPPORT_FLAGS = ("tour_ok", "companion_ok", "short_time_ok")


class ListingPage(PublicPageMixin, Page):
    """What places and activities share: where, who for, access, cost, tags, verification."""

    class Cost(models.TextChoices):
        FREE = "free", _("Free")
        PAID = "paid", _("Paid")
        DONATION = "donation", _("Donation")

    hsds_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    external_id = models.CharField(
        _("external ID"),
        max_length=100,
        blank=True,
        db_index=True,
        help_text=_("The identifier in the town's own spreadsheet, kept across imports."),
    )
    kana = models.CharField(_("kana"), max_length=255, blank=True)
    summary = models.TextField(_("summary"), max_length=400, blank=True)
    body = RichTextField(_("body"), blank=True, features=["bold", "link", "ol", "ul", "h3"])
    image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("photo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    area = models.ForeignKey(
        "resources.Area",
        verbose_name=_("district"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="listings",
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    organization = models.ForeignKey(
        "resources.Organization",
        verbose_name=_("operator"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="listings",
    )
    phone = models.CharField(_("telephone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    contact_note = models.CharField(_("how to contact"), max_length=255, blank=True)

    cost = models.CharField(_("cost"), max_length=10, choices=Cost.choices, default=Cost.FREE)
    cost_note = models.CharField(_("cost details"), max_length=255, blank=True)

    for_elderly = models.BooleanField(_("older people"), default=False)
    for_disabled = models.BooleanField(_("people with disabilities"), default=False)
    for_children = models.BooleanField(_("children and families"), default=False)
    for_poverty = models.BooleanField(_("people in financial hardship"), default=False)
    for_everyone = models.BooleanField(_("everyone"), default=True)
    min_age = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)

    barrier_free = models.BooleanField(_("step-free access"), default=False)
    accessible_toilet = models.BooleanField(_("accessible toilet"), default=False)
    parking = models.BooleanField(_("parking"), default=False)
    pickup = models.BooleanField(_("pick-up service"), default=False)
    hearing_support = models.BooleanField(_("support for hearing impairment"), default=False)
    vision_support = models.BooleanField(_("support for visual impairment"), default=False)
    near_bus_stop = models.BooleanField(_("near a bus stop"), default=False)
    accessibility_note = models.TextField(_("accessibility details"), blank=True)

    tags = ClusterTaggableManager(verbose_name=_("tags"), through=ListingTag, blank=True)
    assured_date = models.DateField(
        _("last verified"),
        null=True,
        blank=True,
        help_text=_("The date a person last confirmed this information with the operator."),
    )
    is_sample = models.BooleanField(_("sample data"), default=False)

    search_fields = [
        *Page.search_fields,
        index.SearchField("search_text"),
        index.SearchField("search_ngrams"),
        index.FilterField("area_id"),
        index.FilterField("organization_id"),
        index.FilterField("cost"),
        *(index.FilterField(flag) for flag in AUDIENCE_FLAGS + ACCESSIBILITY_FLAGS),
        index.FilterField("near_bus_stop"),
    ]

    place_panels = [
        FieldPanel("area"),
        FieldPanel("address"),
        FieldRowPanel([FieldPanel("latitude"), FieldPanel("longitude")]),
    ]
    audience_panels = [
        FieldRowPanel([FieldPanel(flag) for flag in AUDIENCE_FLAGS[:3]]),
        FieldRowPanel([FieldPanel(flag) for flag in AUDIENCE_FLAGS[3:]]),
        FieldRowPanel([FieldPanel("min_age"), FieldPanel("max_age")]),
    ]
    accessibility_panels = [
        FieldRowPanel([FieldPanel(flag) for flag in ACCESSIBILITY_FLAGS[:3]]),
        FieldRowPanel([FieldPanel(flag) for flag in ACCESSIBILITY_FLAGS[3:]]),
        FieldPanel("near_bus_stop"),
        FieldPanel("accessibility_note"),
    ]
    common_panels = [
        FieldPanel("kana"),
        FieldPanel("summary"),
        FieldPanel("body"),
        FieldPanel("image"),
        # Town staff choose; in a group's section the section decides (community app).
        FieldPanel("organization", permission="resources.change_organization"),
        MultiFieldPanel(
            [FieldPanel("phone"), FieldPanel("email"), FieldPanel("contact_note")],
            heading=_("contact"),
        ),
        InlinePanel("schedule_rules", heading=_("schedule"), label=_("schedule")),
        InlinePanel("schedule_exceptions", heading=_("exceptions"), label=_("schedule exception")),
        MultiFieldPanel([FieldPanel("cost"), FieldPanel("cost_note")], heading=_("cost")),
        MultiFieldPanel(audience_panels, heading=_("who it is for")),
        MultiFieldPanel(accessibility_panels, heading=_("accessibility")),
        FieldPanel("tags"),
        MultiFieldPanel(
            [FieldPanel("assured_date"), FieldPanel("external_id"), FieldPanel("is_sample")],
            heading=_("verification"),
        ),
    ]

    is_creatable = False
    # Free slugs for titles a sibling has, and a Japanese "what to do" on a refused save.
    base_form_class = GroupPageForm

    class Meta:
        verbose_name = _("listing")
        indexes = [models.Index(fields=["assured_date"])]

    def _single_line_titles(self) -> None:
        """Titles go into iCalendar lines and mail subjects, where a line break breaks them."""
        self.title = single_line(self.title or "")
        self.draft_title = single_line(self.draft_title or "")
        self.seo_title = single_line(self.seo_title or "")

    def full_clean(self, *args, **kwargs) -> None:
        self._single_line_titles()
        super().full_clean(*args, **kwargs)

    def save(self, *args, **kwargs):
        self._single_line_titles()  # also when saved with clean=False
        return super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        if self.min_age is not None and self.max_age is not None and self.max_age < self.min_age:
            raise ValidationError({"max_age": _("The maximum age must not be below the minimum.")})
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError(
                {"longitude": _("Enter both latitude and longitude, or neither.")}
            )

    def search_parts(self) -> list[str]:
        """What a resident might type to find this listing, as written: its name, what it
        says, its district, operator and tags (with the vocabulary's synonyms)."""
        parts = [self.title, self.summary, strip_tags(self.body or "")]
        if self.area_id:
            parts.append(self.area.name)
        if self.organization_id:
            parts.append(self.organization.name)
        for term in self.tags.all():
            parts += [term.name, *term.synonym_list()]
        return [part for part in parts if part]

    def search_readings(self) -> list[str]:
        """The kana readings of those names: the listing's, its district's, operator's and
        tags'."""
        readings = [self.kana]
        if self.area_id:
            readings.append(self.area.kana)
        if self.organization_id:
            readings.append(self.organization.kana)
        readings += [term.kana for term in self.tags.all()]
        return [reading for reading in readings if reading]

    def search_text(self) -> str:
        """Sudachi terms of ``search_parts``. Not of the readings: the analyser cuts a
        reading it does not know into wrong words (きびる → きび + る, which would find
        さとうきび); readings are found by their characters (``search_ngrams``).

        The name's terms come twice, so a listing named for the words ranks above one that
        only mentions them (both SQLite's bm25 and PostgreSQL's ts_rank count repeats).
        """
        name = index_terms(self.title)
        return f"{name} {index_terms(' '.join(self.search_parts()))}"

    def search_ngrams(self) -> str:
        """Two- and three-character n-grams (``tsunagu.text.ngram_terms``) of the parts and
        readings, the name twice as in ``search_text``: any two or more characters in a row
        find the listing, whichever kana script or width they were typed in."""
        texts = [self.title, self.kana, *self.search_parts(), *self.search_readings()]
        return ngram_terms("\n".join(text for text in texts if text))


class DirectoryDetailMixin:
    """Places' and activities' own pages (not other apps' listings): with their schedule."""

    def get_context(self, request: HttpRequest, *args, **kwargs) -> dict:
        # Imported here: the page views build on these models.
        from ..views import listing_detail_context

        context = super().get_context(request, *args, **kwargs)
        context.update(listing_detail_context(self, request))
        return context


class PlacePage(DirectoryDetailMixin, ListingPage):
    """A place to belong (居場所): 公民館, 集落センター, サロン, 子ども食堂, 農園, カフェ…"""

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(ListingPage.place_panels, heading=_("location")),
        *ListingPage.common_panels,
        InlinePanel("gallery", heading=_("more photos"), label=_("photo")),
    ]
    base_form_class = RulesSchedulePageForm
    edit_handler = editor_aware_tabs(
        content_panels,
        simple_panels(
            when=[PlainSchedulePanel()],
            where=[FieldPanel("address"), FieldPanel("area")],
            audience=ListingPage.audience_panels,
            more=[
                InlinePanel("gallery", heading=_("more photos"), label=_("photo")),
                MultiFieldPanel(ListingPage.accessibility_panels, heading=_("accessibility")),
            ],
        ),
        base_form_class=base_form_class,
    )
    # Or inside a group's section of the directory (community app), where its editors work.
    parent_page_types = ["resources.DirectoryIndexPage", "community.DirectorySectionPage"]
    subpage_types: list[str] = []
    template = "resources/place_page.html"

    class Meta:
        verbose_name = _("place")
        verbose_name_plural = _("places")

    def structured_data(self, request: HttpRequest) -> dict:
        """schema.org Place, with its operator as an Organization."""
        data = seo.place_data(self.title, self.address, self.latitude, self.longitude)
        return seo.with_context(
            {
                **data,
                "description": self.summary,
                "telephone": self.phone,
                "url": self.get_full_url(request),
                "maintainer": seo.organization_data(self.organization)
                if self.organization_id
                else None,
            }
        )


class PlaceImage(Orderable):
    page = ParentalKey(PlacePage, related_name="gallery", on_delete=models.CASCADE)
    image = models.ForeignKey("wagtailimages.Image", on_delete=models.CASCADE, related_name="+")
    caption = models.CharField(_("caption"), max_length=200, blank=True)

    panels = [FieldPanel("image"), FieldPanel("caption")]


class ActivityPage(DirectoryDetailMixin, ListingPage):
    """A recurring activity held at a place; the host (受け入れ先) of a placement."""

    place = models.ForeignKey(
        PlacePage,
        verbose_name=_("place"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
    )
    what_to_bring = models.CharField(_("what to bring"), max_length=255, blank=True)
    accepts_placements = models.BooleanField(
        _("accepts participation-support placements"), default=False
    )
    placement_capacity = models.PositiveSmallIntegerField(
        _("placement capacity"), default=0, help_text=_("How many people it can take at a time.")
    )
    acceptance_conditions = models.TextField(_("acceptance conditions"), blank=True)
    tour_ok = models.BooleanField(_("visits to look around welcome"), default=False)
    companion_ok = models.BooleanField(_("a companion may come along"), default=False)
    short_time_ok = models.BooleanField(_("short stays are fine"), default=False)

    content_panels = [
        *Page.content_panels,
        FieldPanel("place"),
        MultiFieldPanel(ListingPage.place_panels, heading=_("location (if not at the place)")),
        *ListingPage.common_panels,
        FieldPanel("what_to_bring"),
        MultiFieldPanel(
            [
                FieldPanel("accepts_placements"),
                FieldPanel("placement_capacity"),
                FieldPanel("acceptance_conditions"),
                FieldRowPanel([FieldPanel(flag) for flag in SUPPORT_FLAGS]),
            ],
            heading=_("participation support"),
        ),
    ]
    base_form_class = RulesSchedulePageForm
    edit_handler = editor_aware_tabs(
        content_panels,
        simple_panels(
            when=[PlainSchedulePanel()],
            where=[FieldPanel("place"), FieldPanel("address"), FieldPanel("area")],
            audience=ListingPage.audience_panels,
            more=[
                FieldPanel("what_to_bring"),
                MultiFieldPanel(ListingPage.accessibility_panels, heading=_("accessibility")),
                content_panels[-1],  # participation support
            ],
        ),
        base_form_class=base_form_class,
    )
    search_fields = [
        *ListingPage.search_fields,
        index.FilterField("accepts_placements"),
        index.FilterField("place_id"),
    ]
    # Or inside a group's section of the directory (community app), where its editors work.
    parent_page_types = ["resources.DirectoryIndexPage", "community.DirectorySectionPage"]
    subpage_types: list[str] = []
    template = "resources/activity_page.html"

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")

    def search_parts(self) -> list[str]:
        """Also the place where it is held, and that place's district: 喜美留公民館 finds
        what happens there."""
        parts = super().search_parts()
        if self.place_id:
            area = self._place_area()
            parts += [self.place.title, area.name if area else ""]
        return [part for part in parts if part]

    def search_readings(self) -> list[str]:
        """Also the kana of the place and of its district."""
        readings = super().search_readings()
        if self.place_id:
            area = self._place_area()
            readings += [self.place.kana, area.kana if area else ""]
        return [reading for reading in readings if reading]

    def _place_area(self) -> Area | None:
        """The place's district when it is not the activity's own (usually it is: ``save``)."""
        place = self.place
        return place.area if place.area_id and place.area_id != self.area_id else None

    def fill_from_place(self) -> None:
        """Activities held at a place are found where the place is, without a join per query
        (and an import compares a page after this, as it will be saved)."""
        if self.place_id:
            place = self.place
            self.area_id = self.area_id or place.area_id
            self.address = self.address or place.address
            if self.latitude is None:
                self.latitude, self.longitude = place.latitude, place.longitude

    def save(self, *args, **kwargs):
        self.fill_from_place()
        return super().save(*args, **kwargs)


class DirectoryIndexPage(PublicPageMixin, RoutablePageMixin, Page):
    """The directory: every place and activity, filtered, searched, listed, mapped, printed."""

    intro = models.TextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["tsunagu.HomePage"]
    subpage_types = ["resources.PlacePage", "resources.ActivityPage"]
    max_count_per_parent = 1  # one per town's home page
    template = "resources/directory_index_page.html"

    class Meta:
        verbose_name = _("directory")

    # The page views build on these models, hence the imports inside the routes.
    @path("", name="results")
    def results(self, request: HttpRequest) -> HttpResponse:
        from ..views import directory_context

        context = directory_context(self, request)
        return _refused_if(context, self.render(request, context_overrides=context))

    @path("print/", name="print")
    def print_list(self, request: HttpRequest) -> HttpResponse:
        from ..views import directory_print_context

        context = directory_print_context(self, request)
        response = self.render(
            request, template="resources/directory_print.html", context_overrides=context
        )
        return _refused_if(context, response)

    @path("map/", name="map")
    def map_data(self, request: HttpRequest) -> JsonResponse:
        from ..views import directory_map_data

        data = directory_map_data(self, request)
        return JsonResponse(data, status=400 if "error" in data else 200)


def _refused_if(context: dict, response: HttpResponse) -> HttpResponse:
    """Keywords over the caps: the page still shows (with the message), answered as a 400."""
    if context.get("search_error"):
        response.status_code = 400
    return response
