"""Admin pages of the follow-up flow, and the host place's public form.

Admin pages reuse matching's client page mixin: the placement or check-in is looked up through
``visible_to`` (a 404 for anyone who may not see the client), only those who may write the
client act (``can_write_client``), and every page shown is in the client's audit log. The host
form is the one route without a login, opened by a signed link for one check-in, and shows the
activity's name — nothing about the person.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from matching import services as matching_services
from matching.models import Placement
from matching.services import MatchingError
from matching.views import ClientFormView, ClientPageMixin, signed_link_headers

from . import selectors, services
from .forms import CheckInForm, CloseForm, HostAnswerForm, RescheduleForm
from .models import CheckIn
from .services import FollowUpError
from .tokens import checkin_id_from_token


def placement_url(placement_id: Any) -> str:
    return reverse("followups_admin:placement", args=[placement_id])


class PlacementFollowUpView(ClientPageMixin, TemplateView):
    """A placement's follow-ups: schedule, scores over time, the host's answers, actions."""

    page_title = _("Follow-ups")
    page_name = "followups"
    template_name = "followups/admin/placement.html"
    readable = True  # supervisors and read-all holders see it, without the actions
    record_model = Placement
    record_related = ("client__team", "activity")

    def get_context_data(self, **kwargs: Any) -> dict:
        context = super().get_context_data(**kwargs)
        placement = self.object
        checkins = selectors.placement_checkins(placement)
        recorded = [c for c in checkins if c.status == CheckIn.Status.DONE]
        stopped = (
            placement.status == Placement.Status.ACTIVE
            and services.latest_attendance(placement) == CheckIn.Attendance.STOPPED
        )
        context.update(
            placement=placement,
            client=placement.client,
            checkins=checkins,
            recorded=recorded,
            loneliness_line=selectors.sparkline(
                [c.ucla_total for c in recorded], low=3, high=12,
                label=gettext("Loneliness (3–12, lower is better)"),
            ),
            satisfaction_line=selectors.sparkline(
                [c.life_satisfaction for c in recorded], low=0, high=10,
                label=gettext("Life satisfaction (0–10)"),
            ),
            can_record=self.can_write and placement.status == Placement.Status.ACTIVE,
            stopped=stopped,
            close_form=kwargs.get("close_form") or CloseForm(),
            reschedule_form=RescheduleForm(),
            is_closed=placement.status in Placement.CLOSED,
        )  # fmt: skip
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """End or interrupt after the person stopped; then offer a new round of proposals."""
        form = CloseForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(close_form=form))
        try:
            matching_services.placement_close(
                placement=self.object, status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"], end_reason=form.cleaned_data["end_reason"],
                by=request.user,
            )  # fmt: skip
        except MatchingError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request, _("The placement was closed. You can now look for another activity.")
            )
        return redirect(placement_url(self.object.pk))


class CheckInActionMixin:
    record_model = CheckIn
    record_related = ("placement__client__team", "placement__activity")
    client_path = "placement__client"

    def get_success_url(self) -> str:
        return placement_url(self.object.placement_id)


class CheckInRecordView(CheckInActionMixin, ClientFormView):
    page_title = _("Record a check-in")
    page_name = "checkin_record"
    template_name = "followups/admin/record.html"
    success_message = _("The check-in was recorded.")

    def get_form(self, form_class: Any = None) -> CheckInForm:
        return CheckInForm(checkin=self.object, **self.get_form_kwargs())

    def get_context_data(self, **kwargs: Any) -> dict:
        context = super().get_context_data(**kwargs)
        context.update(checkin=self.object, placement=self.object.placement)
        return context

    def form_valid(self, form: CheckInForm) -> HttpResponse:
        try:
            services.checkin_record(checkin=self.object, by=self.request.user, **form.cleaned_data)
        except FollowUpError as exc:
            form.add_error(None, str(exc))
            return self.form_invalid(form)
        messages.success(self.request, self.success_message)
        return HttpResponseRedirect(self.get_success_url())


class CheckInRescheduleView(CheckInActionMixin, ClientPageMixin, View):
    """Move one check-in's date (POST only, from the follow-up page)."""

    page_name = "checkin_reschedule"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = RescheduleForm(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        else:
            try:
                services.checkin_reschedule(
                    checkin=self.object, due_on=form.cleaned_data["due_on"], by=request.user
                )
            except FollowUpError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("The check-in was moved."))
        return redirect(self.get_success_url())


@method_decorator(never_cache, name="dispatch")
class HostAnswerView(View):
    """The host place's three questions: no login, a signed link, answered once."""

    template_name = "followups/host.html"

    @cached_property
    def checkin(self) -> CheckIn | None:
        """The link's check-in; None when the link is forged, expired or not for a host."""
        checkin_id = checkin_id_from_token(self.kwargs["token"])
        if checkin_id is None:
            return None
        checkins = CheckIn.objects.select_related("placement__activity", "placement__client__team")
        return checkins.filter(pk=checkin_id, with_host=True).first()

    def render(self, form: HostAnswerForm | None = None, *, thanks: bool = False) -> HttpResponse:
        checkin = self.checkin
        if checkin is None:
            # A page of our own, in Japanese: the host needs to know whom to ask, not "404".
            response = render(self.request, self.template_name, {"invalid": True}, status=404)
        else:
            team = checkin.placement.client.team
            context = {
                # Only these reach the template: never the client object itself.
                "activity_title": checkin.placement.activity.title,
                "team": {"name": team.name, "phone": team.phone, "email": team.email},
                "answered": checkin.host_answered_at is not None,
                "closed": checkin.status == CheckIn.Status.CANCELLED
                or checkin.placement.status != Placement.Status.ACTIVE,
                "thanks": thanks,
                "form": form or HostAnswerForm(),
            }
            response = render(self.request, self.template_name, context)
        return signed_link_headers(response)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render()

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if self.checkin is None:
            return self.render()
        form = HostAnswerForm(request.POST)
        if not form.is_valid():
            return self.render(form)
        saved = services.host_answer(checkin_id=self.checkin.pk, **form.cleaned_data)
        del self.checkin
        return self.render(thanks=saved)
