"""Admin: the organisers' list of sign-ups (view, export, delete; no add or edit).

Sign-ups are only made through the public form's service, which enforces capacity and the
deadline; letting the admin add or edit them would bypass both. Each user sees the sign-ups of
the events they may edit (Wagtail's page permissions): a community group's editors their own
group's events, town staff every event.
"""

import django_filters
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permission_policies.pages import PagePermissionPolicy
from wagtail.permissions import register_permission_policy

from tsunagu.exports import SafeSpreadsheetExportMixin

from .models import EventPage, EventSignup


def editable_event_ids(user):
    """The ids of events the user may edit, as a subquery (all of them for a superuser)."""
    pages = PagePermissionPolicy().instances_user_has_permission_for(user, "change")
    return pages.filter(content_type__model="eventpage").values("pk")


def signups_visible_to(user, queryset):
    if user.is_superuser:
        return queryset
    return queryset.filter(event_id__in=editable_event_ids(user))


class SignupPermissionPolicy(ModelPermissionPolicy):
    """Model permissions (view/delete), but never add or change: writes go through services.

    Per sign-up, the user must also be able to edit its event.
    """

    def user_has_permission(self, user, action: str) -> bool:
        if action in {"add", "change"}:
            return False
        return super().user_has_permission(user, action)

    def user_has_permission_for_instance(self, user, action: str, instance) -> bool:
        return self.user_has_permission(user, action) and (
            signups_visible_to(user, EventSignup.objects.filter(pk=instance.pk)).exists()
        )

    def instances_user_has_any_permission_for(self, user, actions):
        if not any(self.user_has_permission(user, action) for action in actions):
            return EventSignup.objects.none()
        return signups_visible_to(user, EventSignup.objects.all())


register_permission_policy(EventSignup, SignupPermissionPolicy(EventSignup))


def _events_filter_choices(request):
    # Only the user's own events in the filter: other groups' event titles (drafts too) stay hidden.
    if request is None:
        return EventPage.objects.none()
    return EventPage.objects.filter(pk__in=editable_event_ids(request.user)).order_by("title")


class SignupFilterSet(WagtailFilterSet):
    event = django_filters.ModelChoiceFilter(
        label=_("event"), queryset=_events_filter_choices, field_name="event"
    )

    class Meta:
        model = EventSignup
        fields = ["event"]


class SignupIndexView(SafeSpreadsheetExportMixin, IndexView):
    def get_base_queryset(self):
        # Anonymised rows hold nothing an organiser can act on.
        queryset = (
            super().get_base_queryset().select_related("event").filter(erased_at__isnull=True)
        )
        return signups_visible_to(self.request.user, queryset)


class SignupInspectView(InspectView):
    def get_object(self, queryset=None):
        signup = super().get_object(queryset)
        if not signups_visible_to(
            self.request.user, EventSignup.objects.filter(pk=signup.pk)
        ).exists():
            raise Http404
        return signup


class EventSignupViewSet(ModelViewSet):
    model = EventSignup
    index_view_class = SignupIndexView
    inspect_view_class = SignupInspectView
    filterset_class = SignupFilterSet
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
    list_export = ["event", "name", "kana", "phone", "email", "party_size", "note", "created_at",
                   "cancelled_at"]  # fmt: skip
    export_filename = "event-signups"
    ordering = ["-created_at"]


@hooks.register("register_admin_viewset")
def register_event_signup_viewset() -> EventSignupViewSet:
    return EventSignupViewSet("event_signups")
