"""Admin: the "verification.confirmed" log action and the stale-listings report (staff only)."""

from django.contrib.auth.models import Permission
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .reports import PERMISSION, StaleListingsView
from .services import CONFIRMED_ACTION


@hooks.register("register_log_actions")
def register_verification_actions(actions) -> None:
    actions.register_action(
        CONFIRMED_ACTION,
        _("Confirm still correct"),
        _("Confirmed still correct by the operator"),
    )


@hooks.register("register_admin_urls")
def register_report_urls():
    return [
        path(
            "reports/stale-listings/",
            StaleListingsView.as_view(),
            name="verification_stale_listings",
        ),
        path(
            "reports/stale-listings/results/",
            StaleListingsView.as_view(results_only=True),
            name="verification_stale_listings_results",
        ),
    ]


class StaleReportMenuItem(MenuItem):
    def is_shown(self, request) -> bool:
        return request.user.has_perm(PERMISSION)


@hooks.register("register_reports_menu_item")
def register_stale_report_menu_item():
    return StaleReportMenuItem(
        _("Stale listings"),
        reverse("verification_stale_listings"),
        name="stale-listings",
        icon_name="warning",
        order=1150,
    )


@hooks.register("register_permissions")
def register_report_permission():
    # Lets administrators grant the report to a group on Wagtail's group editing page.
    return Permission.objects.filter(
        content_type__app_label="verification", codename="view_stale_report"
    )
