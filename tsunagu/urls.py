from django.conf import settings
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from accounts.views import LogoutView
from community import urls as community_urls
from resources import furigana

from . import admin_exports, seo
from .health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("robots.txt", seo.robots_txt, name="robots"),
    path("sitemap.xml", sitemap, name="sitemap"),
    # Before Wagtail's own: this report would show community group editors other groups' pages.
    path("admin/reports/page-types-usage/", include(community_urls.guarded_admin_reports)),
    # Before Wagtail's own: its move confirmation shows any page to anyone with admin access.
    path("admin/pages/", include(community_urls.guarded_admin_pages)),
    # Before Wagtail's own: its exporting lists again, with formula-safe CSV (admin_exports.py).
    path("admin/", include(admin_exports)),
    # Before Wagtail's own: logout by POST only, and it ends the server-side session.
    path("admin/logout/", LogoutView.as_view(), name="wagtailadmin_logout"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("volunteers/", include("volunteers.urls")),
    path("api/hsds/", include("resources.hsds.urls")),
    path("ical/", include("events.urls")),
    path("matching/", include("matching.urls")),
    path("followups/", include("followups.urls")),
    path("verification/", include("verification.urls")),
    path("community/", include("community.urls")),
    path("furigana/", furigana.ruby, name="furigana"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]
