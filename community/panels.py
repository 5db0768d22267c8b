"""The group editor's dashboard panel: their group's pages with where each stands.

First what was sent back (with the moderator's reason, who and when: the editor's
「差し戻された提出」), then every page of their groups. Only pages in the sections of the
groups the user edits for (``status.own_group_statuses``), never another group's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from wagtail.admin.ui.components import Component

from .status import PageStatus, Stage


class GroupPagesPanel(Component):
    name = "community_group_pages"
    order = 50  # above Wagtail's own panels (100 and up)
    template_name = "community/admin/group_pages_panel.html"

    def __init__(self, statuses: list[PageStatus]) -> None:
        self.statuses = statuses

    def get_context_data(self, parent_context: Mapping[str, Any] | None = None) -> dict:
        return {
            "sent_back": [s for s in self.statuses if s.stage == Stage.CHANGES_REQUESTED],
            "statuses": self.statuses,
        }
