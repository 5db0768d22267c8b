"""Districts (大字・地区・集落): loaded per town from a data file, never hard-wired."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.search import index

from tsunagu.sites import town_field


class Area(index.Indexed, models.Model):
    """A district (大字・地区・集落); loaded per town, never hard-wired."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # The town (issue 17); two towns may both have a district of the same name.
    site = town_field(related_name="areas")
    name = models.CharField(_("name"), max_length=60)
    kana = models.CharField(_("kana"), max_length=120, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)
    order = models.PositiveSmallIntegerField(_("display order"), default=0)
    # The town's own code for the district (e.g. a 大字コード), kept for its exports.
    code = models.CharField(_("code"), max_length=20, blank=True)

    panels = [
        FieldPanel("site"),
        FieldPanel("name"),
        FieldPanel("kana"),
        FieldPanel("latitude"),
        FieldPanel("longitude"),
        FieldPanel("order"),
        FieldPanel("code"),
    ]
    search_fields = [index.SearchField("name"), index.SearchField("kana")]

    class Meta:
        ordering = ["order", "kana", "name"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        constraints = [
            models.UniqueConstraint(fields=["site", "name"], name="resources_area_name_per_site")
        ]

    def __str__(self) -> str:
        return self.name
