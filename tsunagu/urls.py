from django.conf import settings
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from community import urls as community_urls

from .health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # Before Wagtail's own: this report would show community group editors other groups' pages.
    path("admin/reports/page-types-usage/", include(community_urls.guarded_admin_reports)),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("volunteers/", include("volunteers.urls")),
    path("api/hsds/", include("resources.hsds.urls")),
    path("ical/", include("events.urls")),
    path("matching/", include("matching.urls")),
    path("followups/", include("followups.urls")),
    path("verification/", include("verification.urls")),
    path("community/", include("community.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]
