"""/community/…: the invitee's one-time link to set a password (public: no login yet)."""

from django.urls import path
from wagtail.admin.auth import require_admin_access

from . import views

app_name = "community"

urlpatterns = [
    path("invite/<uidb64>/<token>/", views.SetPasswordView.as_view(), name="set_password"),
    path("invite/done/", views.SetPasswordDoneView.as_view(), name="set_password_done"),
]

# Mounted by tsunagu/urls.py at admin/reports/page-types-usage/, ahead of Wagtail's admin URLs;
# the names stay Wagtail's, so its menu and links reach the guarded view.
guarded_admin_reports = (
    [
        path(
            "",
            require_admin_access(views.PageTypesUsageReportView.as_view()),
            name="page_types_usage",
        ),
        path(
            "results/",
            require_admin_access(views.PageTypesUsageReportView.as_view(results_only=True)),
            name="page_types_usage_results",
        ),
    ],
    "community_reports",
)

# Mounted by tsunagu/urls.py at admin/pages/, ahead of Wagtail's admin URLs, the same way.
guarded_admin_pages = (
    [
        path(
            "<int:page_to_move_id>/move/<int:destination_id>/confirm/",
            require_admin_access(views.MoveConfirmView.as_view()),
            name="move_confirm",
        ),
    ],
    "community_pages",
)
