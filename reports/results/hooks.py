"""Admin wiring of the 実績 report: its URLs and its item in the Reports menu."""

from typing import Any

from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from matching.access import client_access

from .views import TITLE, ResultsPrintView, ResultsView


@hooks.register("register_admin_urls")
def register_results_urls() -> list:
    return [
        path("reports/results/", ResultsView.as_view(), name="reports_results"),
        path("reports/results/print/", ResultsPrintView.as_view(), name="reports_results_print"),
    ]


class ResultsMenuItem(MenuItem):
    def is_shown(self, request: Any) -> bool:
        return client_access(request.user).sees_any


@hooks.register("register_reports_menu_item")
def register_results_menu_item() -> MenuItem:
    return ResultsMenuItem(
        TITLE, reverse("reports_results"), name="results", icon_name="table", order=100
    )
