"""Admin registration: the follow-up pages, their audit actions, and the dashboard panel."""

from __future__ import annotations

from typing import Any

from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.components import Component
from wagtail.log_actions import LogActionRegistry

from . import views
from .selectors import dashboard

ACTIONS = {
    "followups.schedule.create": _("Schedule follow-up check-ins"),
    "followups.checkin.record": _("Record check-in"),
    "followups.checkin.reschedule": _("Move check-in"),
    "followups.host.answer": _("Host place answered follow-up"),
}

admin_urls = (
    [
        path("placements/<uuid:pk>/", views.PlacementFollowUpView.as_view(), name="placement"),
        path("checkins/<uuid:pk>/record/", views.CheckInRecordView.as_view(), name="record"),
        path("checkins/<uuid:pk>/move/", views.CheckInRescheduleView.as_view(), name="reschedule"),
    ],
    "followups_admin",
)


@hooks.register("register_admin_urls")
def register_admin_urls() -> list:
    return [path("followups/", include(admin_urls))]


@hooks.register("register_log_actions")
def register_log_actions(actions: LogActionRegistry) -> None:
    for action, label in ACTIONS.items():
        actions.register_action(action, label, label)


class FollowUpPanel(Component):
    """Due this week, overdue, failed sends, placements by state — the user's clients only."""

    name = "followups"
    order = 90
    template_name = "followups/panels/dashboard.html"

    def __init__(self, data: Any) -> None:
        self.data = data

    def get_context_data(self, parent_context: Any = None) -> dict:
        return {"dashboard": self.data}


@hooks.register("construct_homepage_panels")
def add_followup_panel(request: Any, panels: list) -> None:
    data = dashboard(request.user)
    if data is not None:
        panels.append(FollowUpPanel(data))
