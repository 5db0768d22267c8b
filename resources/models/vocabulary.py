"""The tag vocabulary: one controlled list of terms shared by listings, volunteers and clients.

Kinds separate what a term describes (an interest, a support need, an audience, an accommodation)
so the matcher can compare like with like; the parent link gives partial credit (花き栽培 ⊂ 農作業).
"""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from taggit.models import ItemBase, TagBase
from wagtail.admin.panels import FieldPanel
from wagtail.search import index

from tsunagu.text import single_line


class Term(index.Indexed, TagBase):
    """A vocabulary term, used as a django-taggit tag."""

    class Kind(models.TextChoices):
        INTEREST = "interest", _("Interest / activity")
        NEED = "need", _("Support need")
        AUDIENCE = "audience", _("Audience")
        ACCOMMODATION = "accommodation", _("Accommodation")

    # Editors pick from the vocabulary; new terms are added deliberately, in the snippet admin.
    free_tagging = False

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.INTEREST)
    kana = models.CharField(_("kana"), max_length=100, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("broader term"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
    )
    synonyms = models.CharField(
        _("synonyms"),
        max_length=300,
        blank=True,
        help_text=_("Other words people use for this, separated by commas (、 or ,)."),
    )

    # A term imported from another vocabulary (an HSDS taxonomy Tsunagu does not use), kept so
    # that it can be mapped to ours: --term-map, or merged here in the admin.
    source_taxonomy = models.CharField(_("from taxonomy"), max_length=200, blank=True)
    source_code = models.CharField(_("code in that taxonomy"), max_length=100, blank=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("kana"),
        FieldPanel("kind"),
        FieldPanel("parent"),
        FieldPanel("synonyms"),
        FieldPanel("source_taxonomy", read_only=True),
        FieldPanel("source_code", read_only=True),
    ]
    search_fields = [
        index.SearchField("name"),
        index.SearchField("kana"),
        index.SearchField("synonyms"),
        index.AutocompleteField("name"),
    ]

    class Meta:
        ordering = ["kind", "kana", "name"]
        verbose_name = _("term")
        verbose_name_plural = _("vocabulary")

    def save(self, *args, **kwargs):
        # The name titles the tag's iCalendar feed, where a line break breaks the file.
        self.name = single_line(self.name)
        return super().save(*args, **kwargs)

    def synonym_list(self) -> list[str]:
        return [s.strip() for s in self.synonyms.replace("、", ",").split(",") if s.strip()]


class ListingTag(ItemBase):
    """Links a listing page to a vocabulary term (through model for ClusterTaggableManager)."""

    tag = models.ForeignKey(Term, related_name="tagged_listings", on_delete=models.CASCADE)
    content_object = ParentalKey(
        "resources.ListingPage", related_name="tagged_items", on_delete=models.CASCADE
    )

    class Meta:
        unique_together = [("tag", "content_object")]
