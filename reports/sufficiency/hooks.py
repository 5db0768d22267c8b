"""Admin wiring of the 社会資源の充足状況: its URLs and its item in the Reports menu."""

from typing import Any

from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from matching.access import client_access

from .views import (
    TITLE,
    ClientGapsView,
    OpeningRequestView,
    SufficiencyPrintView,
    SufficiencyView,
)


@hooks.register("register_admin_urls")
def register_sufficiency_urls() -> list:
    return [
        path("reports/sufficiency/", SufficiencyView.as_view(), name="reports_sufficiency"),
        path(
            "reports/sufficiency/print/",
            SufficiencyPrintView.as_view(),
            name="reports_sufficiency_print",
        ),
        path(
            "reports/sufficiency/clients/",
            ClientGapsView.as_view(),
            name="reports_sufficiency_clients",
        ),
        path(
            "reports/sufficiency/ask/<int:activity_id>/",
            OpeningRequestView.as_view(),
            name="reports_sufficiency_ask",
        ),
    ]


class SufficiencyMenuItem(MenuItem):
    def is_shown(self, request: Any) -> bool:
        return client_access(request.user).sees_any


@hooks.register("register_reports_menu_item")
def register_sufficiency_menu_item() -> MenuItem:
    return SufficiencyMenuItem(
        TITLE, reverse("reports_sufficiency"), name="sufficiency", icon_name="table", order=110
    )
