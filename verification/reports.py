"""The staff report of stale listings: a Wagtail ReportView, filterable and exportable.

Visible only with ``verification.view_stale_report`` (town staff), not to community groups'
editors: the report shows every operator's listings, and which of them let theirs lapse. What
became of each listing's latest reminder is read from its outbox message.

Several towns (issue 17): like the 実績 report, the report lists the listings and offers the
districts of the user's towns only (their teams' sites); superusers, and everyone on an
install of one town, see every town.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import ContentTypeFilter, WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views.reports import ReportView
from wagtail.coreutils import get_content_type_label

from matching.access import user_town_ids, visible_areas
from outbox.models import Message
from resources.area_choices import TownAreaFilter
from resources.models import ListingPage, Organization
from tsunagu.exports import SafeSpreadsheetExportMixin
from tsunagu.island import in_towns, towns

from . import selectors
from .models import VerificationReminder

PERMISSION = "verification.view_stale_report"


def listing_content_types() -> QuerySet[ContentType]:
    """Content types of the concrete listing page types (places, activities, events, …)."""
    models = [m for m in ListingPage.__subclasses__() if not m._meta.abstract]
    models += [sub for m in list(models) for sub in m.__subclasses__()]
    ids = [ContentType.objects.get_for_model(m).pk for m in models]
    return ContentType.objects.filter(pk__in=ids).order_by("model")


class StaleListingsFilterSet(WagtailFilterSet):
    content_type = ContentTypeFilter(
        label=_("Type"), queryset=lambda request: listing_content_types()
    )
    area = TownAreaFilter(label=_("district"), queryset=lambda request: visible_areas(request.user))
    organization = django_filters.ModelChoiceFilter(
        label=_("operator"), queryset=Organization.objects.all()
    )

    class Meta:
        model = ListingPage
        fields = ["content_type", "area", "organization"]


Route = VerificationReminder.Route
Status = Message.Status
STATE_BY_STATUS = {
    Status.PENDING: _("Waiting to be sent"),
    Status.SENDING: _("Waiting to be sent"),
    Status.TO_CALL: _("Operator to be telephoned"),
    Status.CALLED: _("Operator telephoned"),
}


def reminder_state(route: str | None, status: str | None) -> str | Promise:
    """What became of a listing's latest reminder, in the staff's words.

    A reminder without a message went nowhere (no address), or was sent before the outbox
    existed; a sent message is labelled by where it went; failed, expired and no-longer-needed
    ones by the outbox's own label (its reason is in the outbox list).
    """
    if route is None:
        return _("Not reminded")
    if route == Route.NONE:
        return Route.NONE.label
    if status is None or status == Status.SENT:
        return _("Sent to the town office") if route == Route.TOWN else _("Sent to the operator")
    return STATE_BY_STATUS.get(status) or Status(status).label


def users_towns(user: Any) -> Q:
    """The listings of the user's towns (``matching.access.user_town_ids``), by their place in
    the page tree: no condition for those who see every town (superusers, and everyone on an
    install of one town); nothing for staff of a several-town install who are in no team."""
    town_ids = user_town_ids(user)
    if town_ids is None:
        return Q()
    return in_towns([town for town in towns() if town.site_id in town_ids])


def _edit_url(page: ListingPage) -> str:
    return reverse("wagtailadmin_pages:edit", args=[page.pk])


class StaleListingsView(SafeSpreadsheetExportMixin, ReportView):
    page_title = _("Stale listings")
    header_icon = "warning"
    index_url_name = "verification_stale_listings"
    index_results_url_name = "verification_stale_listings_results"
    filterset_class = StaleListingsFilterSet
    export_filename = "stale-listings"
    model = ListingPage
    columns = [
        TitleColumn("title", label=_("Title"), get_url=_edit_url),
        Column(
            "content_type",
            label=_("Type"),
            accessor=lambda page: get_content_type_label(page.content_type),
        ),
        Column("organization", label=_("operator")),
        Column("area", label=_("district")),
        DateColumn("cycle", label=_("last verified")),
        DateColumn("reminded_at", label=_("reminded on")),
        Column("reminder_outcome_label", label=_("reminder")),
    ]
    list_export = [
        "title",
        "content_type",
        "organization",
        "area",
        "cycle",
        "reminded_at",
        "reminder_outcome_label",
        "full_url",
    ]
    export_headings = {
        "title": _("Title"),
        "content_type": _("Type"),
        "organization": _("operator"),
        "area": _("district"),
        "cycle": _("last verified"),
        "reminded_at": _("reminded on"),
        "reminder_outcome_label": _("reminder"),
        "full_url": _("URL"),
    }

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.custom_field_preprocess = {
            **self.custom_field_preprocess,
            "content_type": {
                self.FORMAT_CSV: get_content_type_label,
                self.FORMAT_XLSX: get_content_type_label,
            },
        }

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(PERMISSION):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[ListingPage]:
        latest = VerificationReminder.objects.filter(page=OuterRef("pk")).order_by("-cycle", "-pk")
        return (
            selectors.stale_listings(today=timezone.localdate())
            .filter(users_towns(self.request.user))
            .select_related("content_type", "organization", "area")
            .annotate(
                reminded_at=Subquery(latest.values("claimed_at")[:1]),
                reminder_route=Subquery(latest.values("route")[:1]),
                reminder_status=Subquery(latest.values("message__status")[:1]),
            )
            .order_by("cycle", "title", "pk")
        )

    def decorate_paginated_queryset(self, object_list):
        for page in object_list:
            page.reminder_outcome_label = reminder_state(page.reminder_route, page.reminder_status)
        return object_list

    def to_row_dict(self, item):
        # Exports are not paginated, so decorate each row as it is written.
        if not hasattr(item, "reminder_outcome_label"):
            self.decorate_paginated_queryset([item])
        return super().to_row_dict(item)
