"""Admin registration: the volunteers menu (register, sign-ups, hours) and its audit actions."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.models import Page

from .models import OpportunityPage, SignUp
from .viewsets import VolunteersAdminGroup


@hooks.register("register_admin_viewset")
def register_volunteers_admin() -> VolunteersAdminGroup:
    return VolunteersAdminGroup()


@hooks.register("register_log_actions")
def register_volunteer_log_actions(actions) -> None:
    actions.register_action("volunteers.approve", _("Approve volunteer"), _("Volunteer approved"))
    actions.register_action(
        "volunteers.withdraw", _("Withdraw volunteer"), _("Volunteer withdrawn and erased")
    )
    actions.register_action(
        "volunteers.issue_code", _("Issue sign-up code"), _("Sign-up code issued")
    )


@hooks.register("before_delete_page")
def keep_opportunities_with_signups(request: HttpRequest, page: Page) -> HttpResponse | None:
    """Sign-ups are the record of who helped: unpublish such an opportunity, don't delete it."""
    opportunities = OpportunityPage.objects.descendant_of(page, inclusive=True)
    if SignUp.objects.filter(shift__opportunity__in=opportunities).exists():
        messages.error(
            request,
            _("Volunteers have signed up for this opportunity. Unpublish it instead of deleting."),
        )
        return redirect("wagtailadmin_pages:edit", page.pk)
    return None
