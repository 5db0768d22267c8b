"""Wagtail's own exporting admin lists, with formula-safe CSV (see ``tsunagu.exports``).

Page titles, object labels (a volunteer's name in the site history) and redirect paths reach
these CSV files too. ``tsunagu/urls.py`` mounts these routes ahead of Wagtail's admin URLs at
the same paths, so Wagtail's menus and URL names lead here; the views are Wagtail's, with the
mixin in front.
"""

from django.urls import path
from wagtail.admin.auth import require_admin_access
from wagtail.admin.views.reports.aging_pages import AgingPagesView
from wagtail.admin.views.reports.audit_logging import LogEntriesView
from wagtail.admin.views.reports.locked_pages import LockedPagesView
from wagtail.admin.views.reports.workflows import WorkflowTasksView, WorkflowView
from wagtail.contrib.redirects.views import IndexView as RedirectIndexView
from wagtail.utils.urlpatterns import decorate_urlpatterns

from .exports import SafeSpreadsheetExportMixin


def _safe(view: type) -> type:
    return type(view.__name__, (SafeSpreadsheetExportMixin, view), {"__module__": __name__})


# (path under admin/, Wagtail's view): each is mounted with its "results/" twin.
WAGTAIL_EXPORTS = {
    "reports/locked/": _safe(LockedPagesView),
    "reports/workflow/": _safe(WorkflowView),
    "reports/workflow_tasks/": _safe(WorkflowTasksView),
    "reports/site-history/": _safe(LogEntriesView),
    "reports/aging-pages/": _safe(AgingPagesView),
    "redirects/": _safe(RedirectIndexView),
}

# Decorated as Wagtail decorates its own (the view class stays visible to tests/tsunagu).
urlpatterns = decorate_urlpatterns(
    [
        pattern
        for route, view in WAGTAIL_EXPORTS.items()
        for pattern in (
            path(route, view.as_view()),
            path(route + "results/", view.as_view(results_only=True)),
        )
    ],
    require_admin_access,
)
