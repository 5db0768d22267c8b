"""Admin registration: the 2FA pages, the account-menu link, and two pages under Settings."""

from typing import Any

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .log_actions import ACTIONS
from .models import RESET_2FA_PERMISSION, UNLOCK_PERMISSION
from .views import DevicesView, LockoutsView, SetupView, StaffTwoFactorView, VerifyView


@hooks.register("register_admin_urls")
def register_accounts_urls() -> list:
    return [
        path("2fa/setup/", SetupView.as_view(), name="accounts_2fa_setup"),
        path("2fa/verify/", VerifyView.as_view(), name="accounts_2fa_verify"),
        path("2fa/", DevicesView.as_view(), name="accounts_2fa_devices"),
        path("2fa/staff/", StaffTwoFactorView.as_view(), name="accounts_staff_2fa"),
        path("lockouts/", LockoutsView.as_view(), name="accounts_lockouts"),
    ]


@hooks.register("register_account_menu_item")
def two_factor_account_item(request: Any) -> dict:
    return {
        "url": reverse("accounts_2fa_devices"),
        "label": _("Two-factor authentication"),
        "help_text": _("Your authenticator app and recovery codes."),
    }


class PermissionMenuItem(MenuItem):
    def __init__(self, *args: Any, permission: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.permission = permission

    def is_shown(self, request: Any) -> bool:
        return request.user.has_perm(self.permission)


@hooks.register("register_settings_menu_item")
def lockouts_menu_item() -> MenuItem:
    return PermissionMenuItem(
        _("Login lockouts"),
        reverse("accounts_lockouts"),
        icon_name="lock",
        order=910,
        permission=UNLOCK_PERMISSION,
    )


@hooks.register("register_settings_menu_item")
def staff_2fa_menu_item() -> MenuItem:
    return PermissionMenuItem(
        _("Staff two-factor authentication"),
        reverse("accounts_staff_2fa"),
        icon_name="key",
        order=920,
        permission=RESET_2FA_PERMISSION,
    )


@hooks.register("register_log_actions")
def register_security_log_actions(actions: Any) -> None:
    for action, (label, message) in ACTIONS.items():
        actions.register_action(action, label, message)
