"""The town's own readings of place names, for furigana where the dictionary reads them wrongly.

Sudachi knows 喜美留 but reads 手々知名 as てて ちめい; a town keeps its list here (表記 → 読み),
and it wins over the dictionary wherever the written form occurs (tsunagu.text.ruby_segments).
"""

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel

from tsunagu.text import has_kanji, normalize, to_hiragana

from .. import caching

_READING = re.compile("[\u3041-\u3096\u30fc]+")


def reading_of(text: str) -> str:
    """A reading as stored: hiragana, no spaces, whatever width or script it was typed in."""
    return to_hiragana(normalize(text)).replace(" ", "")


class PlaceNameReading(models.Model):
    """One written form (表記) and how the town reads it (読み)."""

    written = models.CharField(
        _("written form"),
        max_length=60,
        unique=True,
        help_text=_("As it is written in listings, e.g. 喜美留."),
    )
    reading = models.CharField(_("reading"), max_length=120, help_text=_("In kana, e.g. きびる."))

    panels = [FieldPanel("written"), FieldPanel("reading")]

    class Meta:
        ordering = ["reading", "written"]
        verbose_name = _("place-name reading")
        verbose_name_plural = _("place-name readings")

    def __str__(self) -> str:
        return f"{self.written}（{self.reading}）"

    def clean(self) -> None:
        self.written = normalize(self.written)
        self.reading = reading_of(self.reading)
        errors = {}
        if not _READING.fullmatch(self.reading):
            errors["reading"] = _("Enter the reading in kana only, e.g. きびる.")
        if not has_kanji(self.written):
            errors["written"] = _("Enter a written form with kanji: kana needs no furigana.")
        if errors:
            raise ValidationError(errors)


@receiver([post_save, post_delete], sender=PlaceNameReading, dispatch_uid="resources-readings")
def _readings_changed(**kwargs: Any) -> None:
    # Furigana answers are memoised per cache generation (resources/furigana.py); a new
    # generation is the one switch that reaches every process. Edits here are rare.
    caching.invalidate()
