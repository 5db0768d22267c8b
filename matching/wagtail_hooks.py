"""Admin registration: the client permission policy, the audit log model and actions, the
participation-support menu, and the dashboard's notice of host answers."""

from typing import Any

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component
from wagtail.log_actions import LogActionRegistry
from wagtail.permissions import register_permission_policy

from .access import client_access
from .audit import ACTIONS
from .audit_export import AuditExportView
from .models import Client, ClientLogEntry
from .permissions import ClientPermissionPolicy
from .selectors import answer_notices
from .viewsets import MatchingViewSetGroup

# Registered before any view asks, so Wagtail never falls back to Django model permissions.
register_permission_policy(Client, ClientPermissionPolicy(Client))


@hooks.register("register_log_actions")
def register_client_log(actions: LogActionRegistry) -> None:
    actions.register_model(Client, ClientLogEntry)
    for action, label in ACTIONS.items():
        actions.register_action(action, label, label)


@hooks.register("register_admin_viewset")
def register_viewsets() -> MatchingViewSetGroup:
    return MatchingViewSetGroup()


class AuditExportMenuItem(MenuItem):
    def is_shown(self, request: Any) -> bool:
        return client_access(request.user).sees_all


@hooks.register("register_admin_urls")
def register_audit_export_url() -> list:
    return [path("client-audit-log/", AuditExportView.as_view(), name="matching_audit_export")]


@hooks.register("register_reports_menu_item")
def register_audit_export_menu_item() -> MenuItem:
    return AuditExportMenuItem(
        _("Client audit log (XLSX)"), reverse("matching_audit_export"), icon_name="history"
    )


class AnswerNoticePanel(Component):
    """Host answers the user has not opened yet: reference code, activity, answer, when."""

    name = "matching_answers"
    order = 80  # above the follow-ups: an answer waits for the coordinator's next step
    template_name = "matching/panels/answers.html"

    def __init__(self, answers: list) -> None:
        self.answers = answers

    def get_context_data(self, parent_context: Any = None) -> dict:
        return {"answers": self.answers}


@hooks.register("construct_homepage_panels")
def add_answer_notice_panel(request: Any, panels: list) -> None:
    if answers := answer_notices(request.user):
        panels.append(AnswerNoticePanel(answers))
