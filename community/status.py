"""Where each of a group's pages stands, in the words its editor uses.

In the issue-16 trial an editor could not tell a submitted page from an unsaved one, and the
moderator's reason for sending a page back reached them only by email. Wagtail keeps all of it:
the page's active ``WorkflowState`` (in progress, or needing changes) and, on a rejection, the
``TaskState`` with the moderator's comment, who and when. This reads it for the dashboard panel
(``community.panels``) and the edit screen's banner (``community.wagtail_hooks``).

The reason stays shown while the workflow needs changes; resubmitting resumes it with a new task
state, and the reason is gone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import pgettext_lazy
from wagtail.models import Page, TaskState, WorkflowState

from .models import OrganizationSectionPage
from .services import pages_in_sections


class Stage(IntEnum):
    """Ordered as the dashboard lists them: what needs the editor first."""

    CHANGES_REQUESTED = 0
    DRAFT = 1
    SUBMITTED = 2
    LIVE_CHANGES_SUBMITTED = 3
    LIVE = 4

    @property
    def label(self) -> str:
        return str(_LABELS[self])


_LABELS = {
    Stage.CHANGES_REQUESTED: pgettext_lazy("editor's page status", "Sent back"),
    Stage.DRAFT: pgettext_lazy("editor's page status", "Draft"),
    Stage.SUBMITTED: pgettext_lazy("editor's page status", "Submitted, awaiting approval"),
    Stage.LIVE_CHANGES_SUBMITTED: pgettext_lazy(
        "editor's page status", "Live, changes awaiting approval"
    ),
    Stage.LIVE: pgettext_lazy("editor's page status", "Live"),
}


@dataclass(frozen=True)
class Rejection:
    """The moderator's reason for sending the page back."""

    comment: str
    by: str
    at: datetime | None


@dataclass(frozen=True)
class PageStatus:
    page: Page
    stage: Stage
    rejection: Rejection | None = None


def _rejection(state: WorkflowState) -> Rejection | None:
    task_state = state.current_task_state
    if task_state is None or task_state.status != TaskState.STATUS_REJECTED:
        return None
    moderator = task_state.finished_by
    name = (moderator.get_full_name() or moderator.get_username()) if moderator else ""
    return Rejection(comment=task_state.comment, by=name, at=task_state.finished_at)


def page_status(page: Page) -> PageStatus:
    """The page's stage, and the moderator's reason while it is sent back."""
    state = page.current_workflow_state
    if state is not None and state.status == WorkflowState.STATUS_NEEDS_CHANGES:
        return PageStatus(page, Stage.CHANGES_REQUESTED, _rejection(state))
    if state is not None:
        return PageStatus(page, Stage.LIVE_CHANGES_SUBMITTED if page.live else Stage.SUBMITTED)
    return PageStatus(page, Stage.LIVE if page.live else Stage.DRAFT)


def own_sections(user: Any) -> QuerySet[OrganizationSectionPage]:
    """The sections of the groups ``user`` edits for, never another group's."""
    return OrganizationSectionPage.objects.filter(organization__editors__group__user=user)


def own_group_pages(user: Any) -> QuerySet[Page]:
    """The pages in the sections of the groups ``user`` edits for, never another group's."""
    return pages_in_sections(own_sections(user))


def own_group_statuses(user: Any) -> list[PageStatus]:
    """Every page of the user's groups with its status, what needs them first."""
    pages = (
        own_group_pages(user)
        .prefetch_workflow_states()
        .order_by("-latest_revision_created_at", "title")
    )
    statuses = [page_status(page) for page in pages]
    return sorted(statuses, key=lambda status: status.stage)
