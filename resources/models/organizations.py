"""Operators (運営団体): the groups that run places and activities, and later edit them."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.search import index

from tsunagu.sites import town_field
from tsunagu.text import single_line


class Organization(index.Indexed, models.Model):
    """An operator (HSDS organization): 自治会・集落, NPO, 社協, 事業所, 行政, 任意団体."""

    class Kind(models.TextChoices):
        NEIGHBOURHOOD = "neighbourhood", _("Neighbourhood association / hamlet")
        NPO = "npo", _("NPO")
        SOCIAL_WELFARE_COUNCIL = "swc", _("Social welfare council")
        BUSINESS = "business", _("Business / service provider")
        GOVERNMENT = "government", _("Local government")
        VOLUNTARY = "voluntary", _("Voluntary group")
        # An imported operator whose legal status is none of the above (or not given).
        OTHER = "other", _("Other")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    external_id = models.CharField(
        _("external ID"),
        max_length=100,
        blank=True,
        db_index=True,
        help_text=_("The identifier in the town's own spreadsheet, kept across imports."),
    )
    # The town whose staff approve its pages and whose indexes hold its sections (issue 17).
    site = town_field(related_name="organizations")
    name = models.CharField(_("name"), max_length=200)
    kana = models.CharField(_("kana"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    description = models.TextField(_("description"), blank=True)
    phone = models.CharField(_("telephone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    website = models.URLField(_("website"), blank=True)
    assured_date = models.DateField(_("last verified"), null=True, blank=True)
    is_sample = models.BooleanField(_("sample data"), default=False)
    last_modified = models.DateTimeField(auto_now=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("kana"),
        FieldPanel("kind"),
        FieldPanel("description"),
        MultiFieldPanel(
            [FieldPanel("phone"), FieldPanel("email"), FieldPanel("website")],
            heading=_("contact"),
        ),
        FieldPanel("external_id"),
        FieldPanel("assured_date"),
        FieldPanel("is_sample"),
        # Moving a group to another town moves who approves it: the IT contact's call.
        FieldPanel("site", permission="superuser"),
    ]
    search_fields = [index.SearchField("name"), index.SearchField("kana")]

    class Meta:
        ordering = ["kana", "name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def save(self, *args, **kwargs):
        # The name titles the operator's iCalendar feed, where a line break breaks the file.
        self.name = single_line(self.name)
        return super().save(*args, **kwargs)

    def __str__(self) -> str:
        return self.name
