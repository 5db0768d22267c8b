"""/api/hsds/…: the paths of HSDS 3.0's openapi.json (a trailing slash is accepted too)."""

from django.urls import path, re_path

from . import views

app_name = "hsds"

urlpatterns = [
    path("", views.root, name="root"),
    re_path(r"^services/?$", views.service_list, name="services"),
    re_path(r"^services/(?P<id>[^/]+)/?$", views.service_detail, name="service"),
    re_path(r"^organizations/?$", views.organization_list, name="organizations"),
    re_path(r"^organizations/(?P<id>[^/]+)/?$", views.organization_detail, name="organization"),
    re_path(
        r"^service_at_locations/?$",
        views.service_at_location_list,
        name="service_at_locations",
    ),
    re_path(
        r"^service_at_locations/(?P<id>[^/]+)/?$",
        views.service_at_location_detail,
        name="service_at_location",
    ),
    re_path(r"^taxonomies/?$", views.taxonomy_list, name="taxonomies"),
    re_path(r"^taxonomies/(?P<id>[^/]+)/?$", views.taxonomy_detail, name="taxonomy"),
    re_path(r"^taxonomy_terms/?$", views.taxonomy_term_list, name="taxonomy_terms"),
    re_path(r"^taxonomy_terms/(?P<id>[^/]+)/?$", views.taxonomy_term_detail, name="taxonomy_term"),
]
