"""Admin wiring of the meeting papers: their URLs, the Reports menu item 「会議資料」, and their
audit-log actions."""

from typing import Any

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.log_actions import LogActionRegistry

from matching.access import client_access
from matching.models import PlanDecision

from . import views
from .audit import ACTIONS

JUSO, SHIEN = PlanDecision.Meeting.SUPPORT_MEETING, PlanDecision.Meeting.CONFIDENTIAL

urls = (
    [
        path("", views.IndexView.as_view(), name="index"),
        *(
            route
            for meeting in (JUSO, SHIEN)
            for route in (
                path(f"{meeting}/", views.MeetingPackView.as_view(meeting=meeting), name=meeting),
                path(
                    f"{meeting}/pdf/",
                    views.MeetingPackView.as_view(meeting=meeting, as_pdf=True),
                    name=f"{meeting}_pdf",
                ),
            )
        ),
        path("annual/", views.AnnualPackView.as_view(), name="annual"),
        path("annual/pdf/", views.AnnualPackView.as_view(as_pdf=True), name="annual_pdf"),
        path("plans/<uuid:pk>/decision/", views.DecisionView.as_view(), name="decision"),
    ],
    "reports_meetings",
)


@hooks.register("register_admin_urls")
def register_admin_urls() -> list:
    return [path("reports/meetings/", include(urls))]


@hooks.register("register_log_actions")
def register_log_actions(actions: LogActionRegistry) -> None:
    for action, label in ACTIONS.items():
        actions.register_action(action, label, label)


class MeetingPapersMenuItem(MenuItem):
    def is_shown(self, request: Any) -> bool:
        return client_access(request.user).sees_any


@hooks.register("register_reports_menu_item")
def register_menu_item() -> MenuItem:
    return MeetingPapersMenuItem(
        _("Meeting papers"),
        reverse("reports_meetings:index"),
        name="meeting-papers",
        icon_name="doc-full",
        order=1300,
    )
