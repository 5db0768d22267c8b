"""Admin registration: the client permission policy, the audit log model and actions, and
the participation-support menu."""

from wagtail import hooks
from wagtail.log_actions import LogActionRegistry
from wagtail.permissions import register_permission_policy

from .audit import ACTIONS
from .models import Client, ClientLogEntry
from .permissions import ClientPermissionPolicy
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
