"""The whole public directory as one HSDS 3.0 document (``manage.py export_directory``).

Shape: ``{"version": "3.0", "organizations": [...], "locations": [...], "services": [...],
"taxonomies": [...], "taxonomy_terms": [...]}``. Each list holds exactly what the API's detail
endpoint returns for its items (organizations with their places and one-to-one services;
services fully nested, with schedules and service_at_locations with their locations);
``locations`` adds every public place, including those no activity is held at.
``import_directory`` reads this document back.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Q
from django.http import HttpRequest
from wagtail.models import Site

from . import queries
from .serializers import Doc, Serializer
from .taxonomies import HSDS_VERSION


def directory_document(*, request: HttpRequest | None = None, site: Site | None = None) -> Doc:
    """Every town's public listings, or with ``site`` (on an install of several towns) that
    town's only, with its operators and those of its listings: what ``import_directory
    --site`` of the same town reads back. The vocabulary is the install's, whole, either way."""
    visibility = queries.Visibility.load(site=site)
    serializer = Serializer(visibility=visibility, request=request)
    services = list(queries.with_service_details(queries.services(visibility)))
    places = list(queries.places(visibility))
    locations = [serializer.location_full(str(p.hsds_id), p) for p in places]
    services_of: dict[int, list[Doc]] = defaultdict(list)
    for activity in services:
        services_of[activity.organization_id].append(serializer.service(activity))
    locations_of: dict[int, list[Doc]] = defaultdict(list)
    for place, doc in zip(places, locations, strict=True):
        locations_of[place.organization_id].append(doc)
    organizations = queries.organizations()
    if visibility.towns is not None:
        # A town's operators: its own groups (with no public listing yet, too) and whoever
        # operates its listings (an island-wide 社協 may belong to the other town).
        sites = [town.site_id for town in visibility.towns]
        organizations = organizations.filter(
            Q(site__in=sites) | Q(pk__in=[*services_of, *locations_of])
        )
    return {
        "version": HSDS_VERSION,
        "organizations": [
            serializer.organization_full(
                org, services=services_of[org.pk], locations=locations_of[org.pk]
            )
            for org in organizations
        ],
        "locations": locations,
        "services": [serializer.service_full(activity) for activity in services],
        "taxonomies": serializer.taxonomies(),
        "taxonomy_terms": serializer.all_terms(queries.terms()),
    }
