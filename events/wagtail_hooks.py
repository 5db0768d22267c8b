"""Admin: the organisers' list of sign-ups (view, export, delete; no add or edit).

Sign-ups are only made through the public form's service, which enforces capacity and the
deadline; letting the admin add or edit them would bypass both.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.views.generic import IndexView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from .models import EventSignup


class SignupPermissionPolicy(ModelPermissionPolicy):
    """Model permissions (view/delete), but never add or change: writes go through services."""

    def user_has_permission(self, user, action: str) -> bool:
        if action in {"add", "change"}:
            return False
        return super().user_has_permission(user, action)


register_permission_policy(EventSignup, SignupPermissionPolicy(EventSignup))


class SignupIndexView(IndexView):
    def get_base_queryset(self):
        # Anonymised rows hold nothing an organiser can act on.
        return super().get_base_queryset().select_related("event").filter(erased_at__isnull=True)


class EventSignupViewSet(ModelViewSet):
    model = EventSignup
    index_view_class = SignupIndexView
    icon = "group"
    menu_label = _("event sign-ups")
    add_to_admin_menu = True
    menu_order = 310
    copy_view_enabled = False
    inspect_view_enabled = True
    inspect_view_fields = ["event", "name", "kana", "phone", "email", "party_size", "note",
                           "created_at", "cancelled_at"]  # fmt: skip
    form_fields = ["name", "kana", "phone", "email", "party_size", "note"]
    list_display = ["name", "event", "party_size", "phone", "email", "created_at", "cancelled_at"]
    list_filter = ["event"]
    list_export = ["event", "name", "kana", "phone", "email", "party_size", "note", "created_at",
                   "cancelled_at"]  # fmt: skip
    export_filename = "event-signups"
    ordering = ["-created_at"]


@hooks.register("register_admin_viewset")
def register_event_signup_viewset() -> EventSignupViewSet:
    return EventSignupViewSet("event_signups")
