"""Admin registration: the outbox under Settings, the call list in the main menu."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .viewsets import MessageViewSet

message_viewset = MessageViewSet("outbox")


@hooks.register("register_admin_viewset")
def register_outbox_admin() -> MessageViewSet:
    return message_viewset


class PermissionMenuItem(MenuItem):
    def __init__(self, *args, permission: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.permission = permission

    def is_shown(self, request) -> bool:
        return request.user.has_perm(self.permission)


@hooks.register("register_settings_menu_item")
def outbox_menu_item() -> MenuItem:
    return PermissionMenuItem(
        _("Outgoing messages"),
        reverse(message_viewset.get_url_name("index")),
        icon_name="mail",
        order=900,
        permission="outbox.view_message",
    )


@hooks.register("register_admin_menu_item")
def calls_menu_item() -> MenuItem:
    return PermissionMenuItem(
        _("People to telephone"),
        reverse(message_viewset.get_url_name("calls")),
        icon_name="mobile-alt",
        order=700,
        permission="outbox.call_message",
    )
