"""The group editor's dashboard panel: shortcuts to add a page, and their group's pages.

First 「催しを追加」 and its siblings, straight to Wagtail's add view in the group's own section
(issue 16: a weekly event in at most 8 clicks from the dashboard); then what was sent back (with
the moderator's reason, who and when: the editor's 「差し戻された提出」), then every page of their
groups. Only the sections of the groups the user edits for, never another group's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.components import Component

from .models import OrganizationSectionPage
from .status import PageStatus, Stage

# What an editor adds, in the order the dashboard offers it; a section offers the ones it allows.
ADD_LABELS: dict[str, Promise] = {
    "events.eventpage": _("Add an event"),
    "resources.activitypage": _("Add an activity"),
    "resources.placepage": _("Add a place"),
    "volunteers.opportunitypage": _("Add a volunteer opportunity"),
}


@dataclass(frozen=True)
class AddShortcut:
    label: str
    url: str


def add_shortcuts(user: Any, sections: QuerySet[OrganizationSectionPage]) -> list[AddShortcut]:
    """Links to add each page type the user's sections allow them to add, in ADD_LABELS order."""
    found: dict[str, AddShortcut] = {}
    for section in sections.specific():
        if not section.permissions_for_user(user).can_add_subpage():
            continue
        for model in section.specific_class.allowed_subpage_models():
            key = model._meta.label_lower
            if key in ADD_LABELS and key not in found:
                url = reverse(
                    "wagtailadmin_pages:add",
                    args=(model._meta.app_label, model._meta.model_name, section.pk),
                )
                found[key] = AddShortcut(str(ADD_LABELS[key]), url)
    return [found[key] for key in ADD_LABELS if key in found]


class GroupPagesPanel(Component):
    name = "community_group_pages"
    order = 50  # above Wagtail's own panels (100 and up)
    template_name = "community/admin/group_pages_panel.html"

    def __init__(self, statuses: list[PageStatus], shortcuts: list[AddShortcut]) -> None:
        self.statuses = statuses
        self.shortcuts = shortcuts

    def get_context_data(self, parent_context: Mapping[str, Any] | None = None) -> dict:
        return {
            "shortcuts": self.shortcuts,
            "sent_back": [s for s in self.statuses if s.stage == Stage.CHANGES_REQUESTED],
            "statuses": self.statuses,
        }
