"""The admin form of the pages group editors create (places, activities, events, opportunities).

Two sheets of the issue-16 trial ended in a draft that never reached moderation: a title whose
slug a sibling already had, refused with an English error on the hidden プロモート tab. Here a
slug Wagtail made from the title gets a free ``-2``, ``-3``… suffix; a slug the editor typed
is not changed behind their back, but the error shows next to the title too, in Japanese. Any
refused save also says what to do, above the form (``wagtail.admin.messages.validation_error``
lists every field's error when the form has a non-field one).

Deliberately free of this app's models: the page models of other apps subclass it.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.models import Page

UNSAVED = _(
    "Nothing was saved or sent yet. Correct the items listed here (they are marked in red in the "
    "form, some may be on another tab), then press the same button again."
)
SLUG_TAKEN = _(
    "Another page in this place already uses the web address “%(slug)s”. Change the slug on "
    "the Promote tab, or make it the same as the title's to get a free one automatically."
)


def _slugified(text: str) -> str:
    return slugify(text or "", allow_unicode=getattr(settings, "WAGTAIL_ALLOW_UNICODE_SLUGS", True))


class GroupPageForm(WagtailAdminPageForm):
    """Base form of every listing page type (``ListingPage.base_form_class``)."""

    def clean(self) -> dict:
        slug = self.cleaned_data.get("slug")
        if slug and not Page._slug_is_available(slug, self.parent_page, self.instance):
            if self._made_from_title(slug):
                self.cleaned_data["slug"] = self._free_slug(slug)
            else:
                # add_error drops the slug from cleaned_data: Wagtail's own check is skipped.
                message = SLUG_TAKEN % {"slug": slug}
                self.add_error("title", message)
                self.add_error("slug", message)
        return super().clean()

    def full_clean(self) -> None:
        super().full_clean()
        if self.is_bound and self._errors:
            self.add_error(None, UNSAVED)

    def _made_from_title(self, slug: str) -> bool:
        """Wagtail's editor copies the title into the slug until the editor edits the slug.

        Compared slugified on both sides: the browser's slugify and Django's differ in small
        ways (full-width letters, punctuation).
        """
        title = self.cleaned_data.get("title") or ""
        return bool(title) and _slugified(slug) == _slugified(title)

    def _free_slug(self, base: str) -> str:
        suffix = 2
        while not Page._slug_is_available(f"{base}-{suffix}", self.parent_page, self.instance):
            suffix += 1
        return f"{base}-{suffix}"
