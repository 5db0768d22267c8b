"""The 実績 report in the admin: the page (exact figures, for the team), its exports and its A4
print version (both suppressed: they leave the team).

Who: anyone who sees clients (``client_access(user).sees_any``) — coordinators count their
own teams' clients, supervisors and view-all staff every client. Community groups' editors and
everyone else get 403; anonymous users never get past Wagtail's admin login.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from matching.access import client_access

from . import exports
from .figures import Results, results
from .forms import ResultsForm

TITLE = gettext_lazy("Results")


class ResultsAccessMixin:
    """Refuses everyone who sees no client, before any figure is computed."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not client_access(request.user).sees_any:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def form(self) -> ResultsForm:
        return ResultsForm(self.request.GET, user=self.request.user)

    def results(self) -> Results:
        form = self.form
        return results(
            self.request.user,
            form.period(),
            breakdown=form.cleaned_data["breakdown"],
            filters=form.filters(),
        )


class ResultsView(ResultsAccessMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "reports/results/index.html"
    page_title = TITLE
    header_icon = "table"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not self.form.is_valid():
            return self.render_to_response(self.get_context_data(), status=400)
        figures = self.results()
        export = request.GET.get("export")
        if export in ("csv", "xlsx"):
            return self.export(figures, export)
        return self.render_to_response(self.get_context_data(results=figures))

    def get_breadcrumbs_items(self) -> list[dict]:
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def export(self, figures: Results, kind: str) -> HttpResponse:
        heading = exports.preamble(str(TITLE), figures.description, figures.minimum_cell)
        name = f"results-{figures.period.fiscal_year}"
        if figures.period.month:
            name += f"-{figures.period.month:02d}"
        write = exports.csv_response if kind == "csv" else exports.xlsx_response
        return write(figures.public_tables, heading, name)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("export", None)
        context.update(
            form=self.form,
            query=query.urlencode(),
            print_url=reverse("reports_results_print"),
        )
        return context


class ResultsPrintView(ResultsAccessMixin, TemplateView):
    """The A4 print version: suppressed figures and charts, no admin around them."""

    template_name = "reports/results/print.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not self.form.is_valid():
            context = {"form": self.form, "title": TITLE}
            return render(request, self.template_name, context, status=400)
        context = {"results": self.results(), "title": TITLE}
        return render(request, self.template_name, context)
