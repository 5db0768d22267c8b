"""The coordinator's workspace in the Wagtail admin: clients (scoped) and teams.

Every client view fetches through ``Client.objects.visible_to(user)``, so a record the user
may not see is a 404 — the same answer as a record that does not exist. There are no delete,
copy or usage routes: erasure is a command, and usage would list records across teams.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic import history
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.admin.widgets import Button, HeaderButton

from tsunagu.exports import SafeSpreadsheetExportMixin

from . import emails, views
from .access import can_write_client, client_access, ensure_can_write, visible_referrals
from .audit import client_log, client_log_many, client_search_log
from .filters import ClientFilterSet
from .forms import ClientForm
from .models import Client, Consent, Team
from .models.clients import FIELD_FLAGS, PREFERENCE_FLAGS
from .selectors import client_page


def _consent_label(client: Client) -> str:
    stage = getattr(client, "consent_stage", None)
    return Consent.Stage(stage).label if stage else _("Not recorded")


class ClientIndexView(SafeSpreadsheetExportMixin, generic.IndexView):
    def get_base_queryset(self) -> Any:
        return (
            Client.objects.visible_to(self.request.user)
            .with_consent_stage()
            .select_related("team", "area")
            # Neither the list nor its export shows them: no decryption per row.
            .defer("name", "kana", "notes")
        )

    def search_queryset(self, queryset: Any) -> Any:
        """By part of the name, reading or codes, among the (filtered) clients the user may see;
        each search is audit-logged without its text (``client_search_log``)."""
        if not self.is_searching:
            return queryset
        found, searched = queryset.search_pks(self.search_query)
        client_search_log(by=self.request.user, searched=searched, matched=len(found))
        return queryset.filter(pk__in=found)

    def get_edit_url(self, instance: Client) -> str | None:
        # Rows open the client page, not the edit form.
        return self.get_inspect_url(instance)

    def stream_csv(self, queryset: Any) -> Any:
        yield "\ufeff"  # a BOM, so Excel opens the UTF-8 file as UTF-8
        yield from super().stream_csv(queryset)

    def as_spreadsheet(self, queryset: Any, spreadsheet_format: str) -> HttpResponse:
        client_log_many(
            clients=queryset, action="matching.client.export", by=self.request.user,
            format=spreadsheet_format,
        )  # fmt: skip
        return super().as_spreadsheet(queryset, spreadsheet_format)


class ClientCreateView(generic.CreateView):
    def get_success_url(self) -> str:
        return reverse("matching_client:inspect", args=[self.object.pk])


class ClientEditView(generic.EditView):
    def get_queryset(self) -> Any:
        return Client.objects.visible_to(self.request.user)

    def get_object(self, queryset: Any = None) -> Client:
        # Read but not write (a supervisor of another team, the read-all permission): 403.
        client = super().get_object(queryset)
        ensure_can_write(self.request.user, client)
        return client

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().get(request, *args, **kwargs)
        client_log(client=self.object, action="matching.client.view", by=request.user, page="edit")
        return response

    def get_history_url(self) -> str | None:
        access = client_access(self.request.user)
        return super().get_history_url() if access.audits_town(self.object.team.site_id) else None

    def get_success_url(self) -> str:
        return reverse("matching_client:inspect", args=[self.object.pk])


class ClientDetailView(generic.InspectView):
    """The client page: record, consent, plan, proposals, placements and check-ins at once."""

    template_name = "matching/admin/client_detail.html"
    any_permission_required = ["view"]

    def get_object(self, queryset: Any = None) -> Client:
        return views.visible_client(self.request, self.pk)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().get(request, *args, **kwargs)
        client_log(
            client=self.object, action="matching.client.view", by=request.user, page="detail"
        )
        return response

    def get_page_title(self) -> str:
        return str(self.object)

    def get_page_subtitle(self) -> str:
        return ""

    @cached_property
    def can_write(self) -> bool:
        return can_write_client(self.request.user, self.object)

    def get_edit_url(self) -> str | None:
        # Wagtail asks the model-wide "change"; the edit link is for this client's writers.
        return super().get_edit_url() if self.can_write else None

    @cached_property
    def header_buttons(self) -> list:
        if not self.can_write:
            return []
        return [
            HeaderButton(
                _("Edit record"),
                url=reverse("matching_client:edit", args=[self.object.pk]),
                icon_name="edit",
            )
        ]

    @cached_property
    def header_more_buttons(self) -> list:
        if not client_access(self.request.user).audits_town(self.object.team.site_id):
            return []
        return [
            Button(
                _("Audit log"),
                url=reverse("matching_client:history", args=[self.object.pk]),
                icon_name="history",
            )
        ]

    def get_fields_context(self) -> list:
        return []  # the template lays the record out itself

    def get_context_data(self, **kwargs: Any) -> dict:
        context = super().get_context_data(**kwargs)
        context.update(client_page(client=self.object))
        context["can_write"] = self.can_write
        context["sent_to_hosts"] = emails.sent_to_hosts(self.object)
        context["referrals"] = list(
            visible_referrals(self.request.user, self.object).select_related(
                "to_team__site", "created_by"
            )
        )
        return context


class ClientHistoryView(history.HistoryView):
    """The client's audit log, for those who see every client (supervisors)."""

    any_permission_required = None
    permission_required = "audit"

    def get_base_object_queryset(self) -> Any:
        return Client.objects.visible_to(self.request.user)


class ClientViewSet(ModelViewSet):
    model = Client
    name = "matching_client"
    url_prefix = "clients"
    icon = "user"
    menu_order = 100
    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = True
    index_view_class = ClientIndexView
    add_view_class = ClientCreateView
    edit_view_class = ClientEditView
    inspect_view_class = ClientDetailView
    history_view_class = ClientHistoryView
    filterset_class = ClientFilterSet
    # Part of the codes, the name or the reading, matched in Python over the user's own clients
    # (ClientQuerySet.search_pks): these fields only make Wagtail show the search box. The query
    # string stays out of the access log (tsunagu/gunicorn_conf.py).
    search_fields = ["reference_code", "external_id"]
    search_backend_name = None
    list_per_page = 50
    list_display = [
        "reference_code",
        "status",
        "team",
        "area",
        Column("fields", label=_("fields"), accessor=lambda c: "・".join(c.field_labels())),
        Column("consent", label=_("consent"), accessor=_consent_label),
        DateColumn("updated_at", label=_("updated"), sort_key="updated_at"),
    ]
    list_export = ["reference_code", "external_id", "status", "team", "area", *FIELD_FLAGS]
    export_filename = "clients"
    edit_handler = ObjectList(
        [
            MultiFieldPanel(
                [
                    FieldRowPanel([FieldPanel("name"), FieldPanel("kana")]),
                    FieldRowPanel(
                        [FieldPanel("birth_year"), FieldPanel("age_band"), FieldPanel("gender")]
                    ),
                    # A plain list of the team's town's districts, not the snippet chooser,
                    # whose modal would list every town's (ClientForm narrows the choices).
                    FieldPanel("area", widget=forms.Select),
                    FieldRowPanel([FieldPanel("reference_code"), FieldPanel("external_id")]),
                ],
                heading=_("person"),
            ),
            MultiFieldPanel(
                [FieldRowPanel([FieldPanel(f) for f in FIELD_FLAGS])], heading=_("fields")
            ),
            MultiFieldPanel(
                [
                    FieldPanel("interests", widget=forms.CheckboxSelectMultiple),
                    FieldPanel("needs", widget=forms.CheckboxSelectMultiple),
                    FieldPanel("accommodations", widget=forms.CheckboxSelectMultiple),
                ],
                heading=_("interests and needs"),
            ),
            FieldPanel("availability"),
            MultiFieldPanel(
                [
                    FieldRowPanel(
                        [
                            FieldPanel("max_distance_km"),
                            FieldPanel("has_transport"),
                            FieldPanel("needs_pickup"),
                        ]
                    )
                ],
                heading=_("travel"),
            ),
            MultiFieldPanel(
                [FieldRowPanel([FieldPanel(f) for f in PREFERENCE_FLAGS])],
                heading=_("wishes"),
            ),
            MultiFieldPanel(
                [
                    FieldRowPanel(
                        [FieldPanel("referred_on"), FieldPanel("status"), FieldPanel("team")]
                    ),
                    FieldPanel("coordinators", widget=forms.CheckboxSelectMultiple),
                    FieldPanel("notes"),
                ],
                heading=_("support"),
            ),
        ],
        base_form_class=ClientForm,
    )

    def get_common_view_kwargs(self, **kwargs: Any) -> dict:
        view_kwargs = super().get_common_view_kwargs(**kwargs)
        for name in ("delete_url_name", "usage_url_name"):
            view_kwargs.pop(name, None)
        return view_kwargs

    def get_urlpatterns(self) -> list:
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("new/", self.add_view, name="add"),
            path("<uuid:pk>/", self.inspect_view, name="inspect"),
            path("<uuid:pk>/edit/", self.edit_view, name="edit"),
            path("<uuid:pk>/history/", self.history_view, name="history"),
            path("<uuid:pk>/history/results/", self.history_results_view, name="history_results"),
            path("<uuid:pk>/consent/", views.ConsentView.as_view(), name="consent"),
            path("<uuid:pk>/plan/", views.PlanCreateView.as_view(), name="plan_create"),
            path("<uuid:pk>/refer/", views.ReferralView.as_view(), name="referral_create"),
            path("referrals/<uuid:pk>/end/", views.ReferralEndView.as_view(), name="referral_end"),
            path("<uuid:pk>/propose/", views.ProposeView.as_view(), name="propose"),
            path(
                "<uuid:pk>/placement/", views.PlacementCreateView.as_view(), name="placement_create"
            ),
            path("plans/<uuid:pk>/review/", views.PlanReviewView.as_view(), name="plan_review"),
            path("plans/<uuid:pk>/close/", views.PlanCloseView.as_view(), name="plan_close"),
            path("proposals/<uuid:pk>/", views.ProposalView.as_view(), name="proposal"),
            path("placements/<uuid:pk>/", views.PlacementView.as_view(), name="placement"),
        ]


class TeamViewSet(ModelViewSet):
    """Teams and their members; managed by whoever holds the Django team permissions."""

    model = Team
    icon = "group"
    menu_order = 200
    add_to_reference_index = False
    copy_view_enabled = False
    list_display = ["name", "site", "kind", "phone", "email"]
    search_fields = ["name"]
    search_backend_name = None


class MatchingViewSetGroup(ModelViewSetGroup):
    menu_label = _("Participation support")
    menu_icon = "user"
    menu_order = 250
    items = (ClientViewSet, TeamViewSet)
