"""Staff's admin views (the editors of each group, inviting one) and the invitee's link."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.pages import move
from wagtail.admin.views.reports import page_types_usage as reports
from wagtail.models import Page

from resources.selectors import organizations_for_staff

from . import services
from .forms import InviteForm

INVITE_PERMISSION = "community.invite_editor"


class StaffOnlyMixin:
    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.has_perm(INVITE_PERMISSION):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class EditorsIndexView(StaffOnlyMixin, WagtailAdminTemplateMixin, TemplateView):
    """Every organisation with its editors, and a link to invite one (staff only)."""

    template_name = "community/admin/editors_index.html"
    page_title = gettext_lazy("Group editors")
    header_icon = "group"

    def get_breadcrumbs_items(self):
        return [*super().get_breadcrumbs_items(), {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs) -> dict:
        from django.contrib.auth import get_user_model

        users = (
            get_user_model().objects.order_by("username").only("username", "email", "last_login")
        )
        # A town's staff manage their own town's groups only (issue 17).
        organizations = (
            organizations_for_staff(self.request.user)
            .select_related("editors__group")
            .prefetch_related(
                Prefetch("editors__group__user_set", queryset=users, to_attr="members")
            )
        )
        return {**super().get_context_data(**kwargs), "organizations": organizations}


class InviteView(StaffOnlyMixin, WagtailAdminTemplateMixin, FormView):
    """Invite an editor for one organisation by email (団体の編集者を招待)."""

    template_name = "community/admin/invite.html"
    form_class = InviteForm
    header_icon = "mail"

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.has_perm(INVITE_PERMISSION):
            raise PermissionDenied
        # Another town's group is not there for this town's staff.
        self.organization = get_object_or_404(
            organizations_for_staff(request.user), pk=kwargs["organization_id"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self) -> str:
        return _("Invite an editor for %(name)s") % {"name": self.organization.name}

    def get_breadcrumbs_items(self):
        return [
            *super().get_breadcrumbs_items(),
            {"url": reverse("community_editors"), "label": _("Group editors")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs) -> dict:
        return {**super().get_context_data(**kwargs), "organization": self.organization}

    def form_valid(self, form: InviteForm) -> HttpResponse:
        try:
            invitation = services.editor_invite(
                organization=self.organization,
                email=form.cleaned_data["email"],
                by=self.request.user,
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("email", message)
            return self.form_invalid(form)
        if invitation.needs_password:
            text = _("Invitation sent to %(email)s. The link to set a password works once.")
        else:
            text = _("%(email)s already has an account and can now edit this group's pages.")
        messages.success(self.request, text % {"email": invitation.user.email})
        return redirect("community_editors")


class SetPasswordView(auth_views.PasswordResetConfirmView):
    """The invitee sets a password; Django's token makes the link single-use and expiring."""

    template_name = "community/set_password.html"
    success_url = reverse_lazy("community:set_password_done")
    post_reset_login = False
    reset_url_token = "set-password"


class SetPasswordDoneView(TemplateView):
    template_name = "community/set_password_done.html"


class GroupEditorsKeptOutMixin:
    """For Wagtail admin views that summarise every page: group editors get a 403."""

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if services.is_group_editor_only(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class PageTypesUsageReportView(GroupEditorsKeptOutMixin, reports.PageTypesUsageReportView):
    """Wagtail's report names the last edited page of each type site-wide, whoever's it is."""


class MoveConfirmView(move.MoveConfirmView):
    """Wagtail 8.0.1 shows the page to move (and names its slug on a clash) before it checks
    any permission: anyone with admin access could read another group's draft titles."""

    def dispatch(
        self, request: HttpRequest, page_to_move_id: int, destination_id: int, *args, **kwargs
    ) -> HttpResponse:
        page = get_object_or_404(Page, id=page_to_move_id)
        destination = get_object_or_404(Page, id=destination_id)
        if not page.permissions_for_user(request.user).can_move_to(destination):
            raise PermissionDenied
        return super().dispatch(request, page_to_move_id, destination_id, *args, **kwargs)
