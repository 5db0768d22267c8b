"""The site shell's page types and the town's own settings."""

from __future__ import annotations

import uuid

from django.core.cache import cache
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField
from wagtail.models import Page, Site
from wagtail.url_routing import RouteResult

from resources.caching import SERVER_SECONDS, generation

from . import routing, seo
from .page_cache import PublicPageMixin


class HomePage(PublicPageMixin, Page):
    """The town's front door: what the site is for, and the ways in."""

    lead = models.CharField(_("lead"), max_length=200, blank=True)
    body = RichTextField(_("body"), blank=True, features=["bold", "link", "ol", "ul", "h2", "h3"])

    content_panels = [*Page.content_panels, FieldPanel("lead"), FieldPanel("body")]
    parent_page_types = ["wagtailcore.Page"]

    class Meta:
        verbose_name = _("home page")

    @classmethod
    def can_create_at(cls, parent: Page) -> bool:
        """One home per town (issue 17): a new home goes directly under the tree's root, and only
        while every existing home is a site's root, so a town's IT contact can build a second
        town in the admin (home, then its site in Settings → Sites) but never leave strays."""
        return (
            super().can_create_at(parent)
            and parent.is_root()
            and not cls.objects.filter(sites_rooted_here__isnull=True).exists()
        )

    def route(self, request: HttpRequest, path_components: list[str]) -> RouteResult:
        """Every public URL is routed from here: the answer is kept (``tsunagu.routing``)."""
        return routing.remembered_route(
            self, path_components, lambda: super(HomePage, self).route(request, path_components)
        )

    def structured_data(self, request: HttpRequest) -> dict:
        """schema.org Organization: who runs the site and how to reach them."""
        town = TownSettings.for_request(request)
        return seo.with_context(
            {
                "@type": "Organization",
                "name": town.office_name or town.town_name or self.title,
                "address": seo.postal_address(town.address),
                "telephone": town.phone,
                "email": town.email,
                "url": self.get_full_url(request),
            }
        )


class SectionPage(PublicPageMixin, Page):
    """A section of the site (directory, events, volunteering) whose own page type is not built yet.

    Shown to residents with a clear "being prepared" notice so nobody takes it for a finished
    feature; the section's app replaces it with its real index page.
    """

    intro = models.TextField(_("introduction"), blank=True)
    in_preparation = models.BooleanField(
        _("in preparation"),
        default=True,
        help_text=_("Shows residents that this section is not available yet."),
    )

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("in_preparation")]
    parent_page_types = ["tsunagu.HomePage"]

    class Meta:
        verbose_name = _("section page")


@register_setting(icon="home")
class TownSettings(BaseSiteSetting):
    """Who runs this installation and how residents reach them; shown in every page's footer."""

    town_name = models.CharField(_("municipality"), max_length=60, default="")
    town_kana = models.CharField(_("municipality (kana)"), max_length=120, blank=True)
    office_name = models.CharField(_("office in charge"), max_length=120, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("telephone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=120, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    sample_data = models.BooleanField(
        _("sample data"),
        default=False,
        help_text=_("This site holds demonstration data; every page says so."),
    )
    share_with_island = models.BooleanField(
        _("share with the island"),
        default=False,
        help_text=_(
            "Show this town's places, activities, events and volunteer opportunities on the other "
            "towns' sites of this installation, and theirs here. Sharing is mutual: a town's "
            "listings appear here only when that town shares too."
        ),
    )

    panels = [
        MultiFieldPanel(
            [
                FieldPanel("town_name"),
                FieldPanel("town_kana"),
                FieldPanel("office_name"),
                FieldPanel("address"),
            ],
            heading=_("municipality"),
        ),
        MultiFieldPanel(
            [FieldPanel("phone"), FieldPanel("email"), FieldPanel("opening_hours")],
            heading=_("contact"),
        ),
        MultiFieldPanel([FieldPanel("latitude"), FieldPanel("longitude")], heading=_("location")),
        FieldPanel("sample_data"),
        FieldPanel("share_with_island"),
    ]

    @classmethod
    def for_request(cls, request: HttpRequest) -> TownSettings:
        """Every public page's footer reads this: cached until a setting or page changes.

        Saving any site setting replaces the page-cache generation (resources/signals.py).
        """
        attr = cls.get_cache_attr_name()
        if not hasattr(request, attr):
            site = Site.find_for_request(request)
            key = f"tsunagu:town-settings:{site.pk if site else None}:{generation()}"
            instance = cache.get_or_set(key, lambda: cls.for_site(site), SERVER_SECONDS)
            instance._request = request
            setattr(request, attr, instance)
        return getattr(request, attr)

    class Meta:
        verbose_name = _("town settings")


class Installation(models.Model):
    """This install's own identity: one row holding a random id made once, on first use.

    Calendar UIDs are built from it, not from the Host header: an address change or a second
    hostname must not turn every event into a new one, and two installs (two towns on one
    island, or a staging copy) must never collide in a resident's calendar.
    """

    uid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("installation")

    def __str__(self) -> str:
        return str(self.uid)


def install_id() -> str:
    """The install's id as a UID domain part (``<32 hex>.tsunagu``), created on first use."""
    row = Installation.objects.order_by("pk").first()
    if row is None:
        row, _created = Installation.objects.get_or_create(pk=1)
    return f"{row.uid.hex}.tsunagu"
