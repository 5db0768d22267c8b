"""社会資源の充足状況 in the admin: the aggregate for the meeting (exact on screen; exports and the
A4 print version suppressed, as they leave the team), the per-person list for coordinators, and
the 受け入れを打診 action.

Who: anyone who sees clients (``client_access(user).sees_any``), over the waiting clients they
may see; community groups' editors and everyone else get 403, anonymous users never get past
Wagtail's admin login. Asking a place to open: those who may write for at least one team. The
aggregate shows no person, so only the per-person list is written to the clients' audit log.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from matching.access import client_access
from matching.audit import client_log_many
from matching.gaps import NearMiss, Opening, gaps_by_client
from matching.selectors import host_email, host_phone
from reports.results import exports
from resources.models import ActivityPage

from ..models import OpeningRequest
from . import services
from .selectors import Summary, summary, waiting_for
from .tables import opening_reasons, short_list

TITLE = gettext_lazy("Sufficiency of social resources")
PEOPLE_PER_PAGE = 50


class SufficiencyAccessMixin:
    """Refuses everyone who sees no client, before anything is computed."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not client_access(request.user).sees_any:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


def _scope(user: Any) -> str:
    if client_access(user).sees_all:
        return _("People waiting for a place: every team's.")
    return _("People waiting for a place: your teams' only.")


def _as_of(day: dt.date) -> str:
    return _("As of %(date)s") % {"date": formats.date_format(day, "DATE_FORMAT")}


@dataclass(frozen=True)
class OpeningRow:
    """One place to ask, as the page shows it: the figures, the contact, and what may be done."""

    opening: Opening
    reasons: str
    terms: str
    email: str
    phone: str
    last: OpeningRequest | None
    next_ask: dt.date | None  # while asked within the last 30 days

    @property
    def can_be_asked(self) -> bool:
        return self.next_ask is None and bool(self.email or self.phone)


def opening_rows(data: Summary) -> list[OpeningRow]:
    rows = []
    for opening in data.gaps.openings:
        activity = opening.activity
        last = data.requested.get(activity.pk)
        next_ask = None
        if last is not None:
            next_ask = last.requested_on + dt.timedelta(days=services.REPEAT_AFTER_DAYS)
            next_ask = next_ask if next_ask > data.as_of else None
        rows.append(
            OpeningRow(
                opening=opening,
                reasons=opening_reasons(opening),
                terms=short_list(opening.terms),
                email=host_email(activity),
                phone=host_phone(activity),
                last=last,
                next_ask=next_ask,
            )
        )
    return rows


class SufficiencyView(SufficiencyAccessMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "reports/sufficiency/index.html"
    page_title = TITLE
    header_icon = "table"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        export = request.GET.get("export")
        if export not in (None, "csv", "xlsx"):
            return HttpResponse(_("Unknown download format."), status=400)
        data = summary(request.user)
        if export:
            return self.export(data, export)
        return self.render_to_response(self.get_context_data(summary=data))

    def export(self, data: Summary, kind: str) -> HttpResponse:
        facts = [_as_of(data.as_of), _scope(self.request.user)]
        heading = exports.preamble(str(TITLE), facts, data.minimum_cell)
        write = exports.csv_response if kind == "csv" else exports.xlsx_response
        return write(data.public_tables, heading, f"sufficiency-{data.as_of:%Y%m%d}")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        data = kwargs["summary"]
        context.update(
            as_of=_as_of(data.as_of),
            scope=_scope(self.request.user),
            openings=opening_rows(data),
            can_ask=client_access(self.request.user).can_write,
        )
        return context


class SufficiencyPrintView(SufficiencyAccessMixin, TemplateView):
    """The A4 print version: the meeting papers' summary, suppressed, no admin around it."""

    template_name = "reports/sufficiency/print.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        context = {"summary": summary(request.user), "title": TITLE, "scope": _scope(request.user)}
        return render(request, self.template_name, context)


@dataclass(frozen=True)
class PersonRow:
    reference_code: str
    url: str
    interests: str
    needs: str
    near_misses: tuple[NearMiss, ...]


class ClientGapsView(SufficiencyAccessMixin, WagtailAdminTemplateMixin, TemplateView):
    """Each waiting person the user may see (reference code only): what no suitable activity
    offers them, and the activities that fail one condition. Every person shown is logged."""

    template_name = "reports/sufficiency/clients.html"
    page_title = gettext_lazy("Unmet interests and needs per person")
    header_icon = "user"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        mine = self.request.GET.get("mine") == "1"
        clients = waiting_for(user)
        if mine:
            clients = clients.filter(coordinators=user)
        page = Paginator(clients, PEOPLE_PER_PAGE).get_page(self.request.GET.get("p"))
        people = list(page.object_list)
        gaps = gaps_by_client(people)
        client_log_many(clients=people, action="matching.client.view", by=user, page="sufficiency")
        context.update(
            page_obj=page,
            mine=mine,
            rows=[
                PersonRow(
                    reference_code=person.reference_code,
                    url=reverse("matching_client:inspect", args=[person.pk]),
                    interests=short_list(t.name for t in gaps[person].unmet_interests),
                    needs=short_list(t.name for t in gaps[person].unmet_needs),
                    near_misses=gaps[person].near_misses,
                )
                for person in people
            ],
        )
        return context

    def get_breadcrumbs_items(self) -> list[dict]:
        return [
            *self.breadcrumbs_items,
            {"url": reverse("reports_sufficiency"), "label": TITLE},
            {"url": "", "label": self.get_page_title()},
        ]


class OpeningRequestView(SufficiencyAccessMixin, View):
    """POST: ask one place to open (``services.opening_request_create``), then back to the list."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, activity_id: int) -> HttpResponse:
        activities = ActivityPage.objects.live().select_related("place", "organization")
        activity = get_object_or_404(activities, pk=activity_id)
        try:
            services.opening_request_create(activity=activity, by=request.user)
        except services.OpeningRequestError as exc:
            messages.error(request, str(exc))
        else:
            if host_email(activity):
                text = _("%(title)s was asked to open: the email is on its way.")
            else:
                text = _(
                    "%(title)s has no email address: the request is on the call list. "
                    "Telephone %(phone)s."
                )
            values = {"title": activity.title, "phone": host_phone(activity)}
            messages.success(request, text % values)
        return redirect("reports_sufficiency")
