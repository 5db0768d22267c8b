"""The meeting papers in the admin: choosing a pack, the pack as a print page and as PDF, and
recording a plan's decision.

Who: anyone who sees clients (``client_access(user).sees_any``) reads the packs of the teams
they see; recording a decision is for those who may write the client (``can_write_client``: its
own team), so view-all users read and never write. Every client in a rendered pack gets one
audit entry (bulk) per rendering, HTML or PDF; no response is stored (``never_cache``:
no-store).

The pack page is a document of its own (no admin chrome) because it is made to be printed;
the choice page and the decision page are ordinary admin pages.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import FormView, TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from matching.access import can_write_client, client_access
from matching.audit import client_log, client_log_many
from matching.models import Client, PlanDecision, SupportPlan
from matching.services import MatchingError

from . import pdf, selectors, services
from .audit import PACK_READ
from .forms import AnnualForm, DecisionForm, PackForm
from .rules import decision_label

SUFFICIENCY_INCLUDE = "reports/sufficiency/_summary.html"
RESULTS_INCLUDE = "reports/results/_summary.html"
INDEX = "reports_meetings:index"


class ClientReadersOnly:
    """Only users who see some client's records; editors and volunteers are turned away."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not client_access(request.user).sees_any:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def include_html(template: str, context: dict, request: HttpRequest) -> str | None:
    """Another part's include rendered, or None while that part does not exist."""
    try:
        get_template(template)
    except TemplateDoesNotExist:
        return None
    return render_to_string(template, context, request)


def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- choosing a pack ------------------------------------------------------------------------


class IndexView(ClientReadersOnly, WagtailAdminTemplateMixin, TemplateView):
    """会議資料: the three packs, each with its form."""

    template_name = "reports/meetings/index.html"
    page_title = _("Meeting papers")
    header_icon = "doc-full"

    def get_breadcrumbs_items(self) -> list[dict]:
        return [*super().get_breadcrumbs_items(), {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs: Any) -> dict:
        user = self.request.user
        forms = {
            "juso_form": PackForm(user=user, auto_id="juso_%s"),
            "shien_form": PackForm(user=user, auto_id="shien_%s"),
            "annual_form": AnnualForm(auto_id="annual_%s"),
            **self.kwargs.get("bound", {}),
        }
        return {**super().get_context_data(**kwargs), **forms}


def _invalid(request: HttpRequest, name: str, form: Any) -> HttpResponse:
    """The choice page again with this form's errors (400: nothing was rendered)."""
    response = IndexView.as_view()(request, bound={name: form})
    response.status_code = 400
    return response


# --- the packs ------------------------------------------------------------------------------


@method_decorator(never_cache, name="dispatch")
class MeetingPackView(ClientReadersOnly, View):
    """A 重層的支援会議 or 支援会議 pack for a date and teams: the print page, or the PDF."""

    meeting = PlanDecision.Meeting.SUPPORT_MEETING
    as_pdf = False

    def get(self, request: HttpRequest) -> HttpResponse:
        if not request.GET:
            return redirect(INDEX)
        form = PackForm(request.GET, user=request.user, auto_id=f"{self.meeting}_%s")
        if not form.is_valid():
            return _invalid(request, f"{self.meeting}_form", form)
        meeting_date, teams = form.cleaned_data["meeting_date"], list(form.cleaned_data["teams"])
        build = (
            selectors.juso_pack
            if self.meeting == PlanDecision.Meeting.SUPPORT_MEETING
            else selectors.shien_pack
        )
        pack = build(user=request.user, meeting_date=meeting_date, teams=teams)
        client_log_many(
            clients=Client.objects.filter(pk__in=pack.client_ids).only("pk", "reference_code"),
            action=PACK_READ,
            by=request.user,
            meeting=self.meeting,
            meeting_date=meeting_date,
            format="pdf" if self.as_pdf else "html",
        )
        if self.meeting == PlanDecision.Meeting.SUPPORT_MEETING:
            return self._juso(request, pack)
        return self._shien(request, pack)

    def _juso(self, request: HttpRequest, pack: selectors.JusoPack) -> HttpResponse:
        sufficiency = _sufficiency_html(request, pack.sufficiency)
        if self.as_pdf:
            content = pdf.juso_pdf(pack, sufficiency_html=sufficiency)
            return _pdf_response(content, f"juso-{pack.meeting_date:%Y%m%d}.pdf")
        context = self._context(request, pack, sufficiency_html=sufficiency)
        return render(request, "reports/meetings/juso.html", context)

    def _shien(self, request: HttpRequest, pack: selectors.ShienPack) -> HttpResponse:
        if self.as_pdf:
            return _pdf_response(pdf.shien_pdf(pack), f"shien-{pack.meeting_date:%Y%m%d}.pdf")
        context = self._context(request, pack)
        return render(request, "reports/meetings/shien.html", context)

    def _context(self, request: HttpRequest, pack: Any, **extra: Any) -> dict:
        title = (
            _("Multi-agency support meeting papers")
            if self.meeting == PlanDecision.Meeting.SUPPORT_MEETING
            else _("Support meeting papers")
        )
        query = {"meeting": self.meeting, "date": pack.meeting_date.isoformat()}
        return {
            **_document(
                request,
                title=str(title),
                when=date_format(pack.meeting_date, "DATE_FORMAT"),
                pdf_url=reverse(f"reports_meetings:{self.meeting}_pdf"),
            ),
            "pack": pack,
            "decision_query": urlencode({**query, "next": request.get_full_path()}),
            **extra,
        }


def _document(request: HttpRequest, *, title: str, when: str, pdf_url: str) -> dict:
    """What every pack page has: its title, the printed pages' running header, its links."""
    return {
        "title": title,
        "running_header": css_string(f"{title}　{when}"),
        "running_notice": css_string(str(_("Handle with care"))),
        "pdf_url": f"{pdf_url}?{request.GET.urlencode()}",
        "back_url": reverse(INDEX),
    }


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string that cannot end its rule or the <style> element."""
    escaped = "".join(f"\\{ord(char):x} " if char in "\\\"<>&'\n\r" else char for char in text)
    return mark_safe(f'"{escaped}"')  # safe: every character that could end it is escaped


def _sufficiency_html(request: HttpRequest, summary: Any) -> str | None:
    if summary is None:
        return None
    return include_html(SUFFICIENCY_INCLUDE, {"summary": summary}, request)


@method_decorator(never_cache, name="dispatch")
class AnnualPackView(ClientReadersOnly, View):
    """The 推進会議 pack for a fiscal year: aggregates only, so no client is logged as read."""

    as_pdf = False

    def get(self, request: HttpRequest) -> HttpResponse:
        if not request.GET:
            return redirect(INDEX)
        form = AnnualForm(request.GET, auto_id="annual_%s")
        if not form.is_valid():
            return _invalid(request, "annual_form", form)
        pack = selectors.annual_pack(
            user=request.user, fiscal_year=form.cleaned_data["fiscal_year"]
        )
        results = (
            None
            if pack.results is None
            else include_html(RESULTS_INCLUDE, {"results": pack.results}, request)
        )
        sufficiency = _sufficiency_html(request, pack.sufficiency)
        if self.as_pdf:
            content = pdf.annual_pdf(pack, results_html=results, sufficiency_html=sufficiency)
            return _pdf_response(content, f"suishin-{pack.fiscal_year}.pdf")
        period = _("FY %(year)d (April %(year)d to March %(next)d)") % {
            "year": pack.fiscal_year,
            "next": pack.fiscal_year + 1,
        }
        context = {
            **_document(
                request,
                title=str(_("Programme evaluation papers")),
                when=period,
                pdf_url=reverse("reports_meetings:annual_pdf"),
            ),
            "pack": pack,
            "period": period,
            "results_html": results,
            "sufficiency_html": sufficiency,
        }
        return render(request, "reports/meetings/annual.html", context)


# --- recording a decision -------------------------------------------------------------------


@method_decorator(never_cache, name="dispatch")
class DecisionView(WagtailAdminTemplateMixin, FormView):
    """One plan at a meeting: its decisions so far, and the form to record this meeting's.

    Readers of the client see the page; only writers get (and may post) the form.
    """

    template_name = "reports/meetings/decision.html"
    form_class = DecisionForm
    page_title = _("Meeting decision")
    header_icon = "doc-full"

    def setup(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().setup(request, *args, **kwargs)
        plans = SupportPlan.objects.visible_to(request.user).select_related("client__team")
        self.plan = get_object_or_404(plans, pk=kwargs["pk"])

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.can_write = can_write_client(request.user, self.plan.client)
        if request.method not in ("GET", "HEAD") and not self.can_write:
            raise PermissionDenied
        if request.method == "GET":
            client_log(client=self.plan.client, action=PACK_READ, by=request.user,
                       page="decision", plan=self.plan.pk)  # fmt: skip
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self) -> str:
        return str(self.plan.client)

    def get_breadcrumbs_items(self) -> list[dict]:
        return [
            *super().get_breadcrumbs_items(),
            {"url": reverse(INDEX), "label": _("Meeting papers")},
            {"url": "", "label": f"{self.page_title}: {self.plan.client}"},
        ]

    def get_form_kwargs(self) -> dict:
        return {**super().get_form_kwargs(), "plan": self.plan}

    def get_initial(self) -> dict:
        meeting = self.request.GET.get("meeting")
        initial: dict[str, Any] = {
            "meeting": meeting
            if meeting in PlanDecision.Meeting.values
            else PlanDecision.Meeting.SUPPORT_MEETING
        }
        try:
            initial["meeting_date"] = dt.date.fromisoformat(self.request.GET.get("date", ""))
        except ValueError:
            pass
        return initial

    def _next_url(self) -> str:
        target = self.request.POST.get("next") or self.request.GET.get("next", "")
        if target and url_has_allowed_host_and_scheme(
            target, allowed_hosts={self.request.get_host()}, require_https=self.request.is_secure()
        ):
            return target
        return reverse("reports_meetings:decision", args=[self.plan.pk])

    def form_valid(self, form: DecisionForm) -> HttpResponse:
        try:
            services.decision_record(plan=self.plan, by=self.request.user, **form.cleaned_data)
        except MatchingError as exc:
            form.add_error(None, str(exc))
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("The decision “%(decision)s” was recorded for %(code)s.")
            % {"decision": decision_label(form.cleaned_data["decision"]), "code": self.plan.client},
        )
        return HttpResponseRedirect(self._next_url())

    def form_invalid(self, form: DecisionForm) -> HttpResponse:
        response = super().form_invalid(form)
        response.status_code = 400
        return response

    def get_context_data(self, **kwargs: Any) -> dict:
        plan = self.plan
        decisions = plan.decisions.select_related("recorded_by").order_by(
            "-meeting_date", "-recorded_at"
        )
        return {
            **super().get_context_data(**kwargs),
            "plan": plan,
            "can_write": self.can_write,
            "decisions": [(d, decision_label(d.decision)) for d in decisions],
            "next_url": self.request.GET.get("next", ""),
            "default_next_review": services.next_review_due(
                plan, self.get_initial().get("meeting_date") or timezone.localdate()
            ),
        }
