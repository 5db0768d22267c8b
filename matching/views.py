"""Admin action views about one client, and the host place's public answer page.

Admin views look the client up through ``visible_to`` (a 404 for anyone who may not see it),
let only those who may write the client act (``can_write_client``: its own team), write
through services, and record every page shown in the audit log. The answer page is the one
route without a login: it is opened by a signed one-time link and shows the activity and the
coordinator's summary, nothing else.
"""

from __future__ import annotations

from operator import attrgetter
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import FormView, TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from . import emails, services
from .access import can_write_client
from .audit import client_log
from .forms import (
    ConsentForm,
    PlacementCreateForm,
    PlacementStatusForm,
    PlanCloseForm,
    PlanForm,
    PlanReviewForm,
    ProposalSummaryForm,
    ReasonForm,
    ReferralForm,
    RespondForm,
)
from .gaps import near_misses
from .models import AnswerSeen, Client, Consent, Placement, Proposal, Referral, SupportPlan
from .selectors import (
    client_ranking,
    companion_choices,
    fit_label,
    host_email,
    placement_activities,
)
from .services import MatchingError
from .tokens import proposal_id_from_token

# Activities "one condition away" under the proposals: enough to ask one of them, not a report.
NEAR_MISSES_SHOWN = 5


def visible_client(request: HttpRequest, pk: Any) -> Client:
    """The client, if this user may see it; otherwise 404, as if it did not exist."""
    return get_object_or_404(Client.objects.visible_to(request.user), pk=pk)


def client_url(client: Client) -> str:
    return reverse("matching_client:inspect", args=[client.pk])


class ClientPageMixin(WagtailAdminTemplateMixin):
    """A page about one client: scoped lookup, writes for its own team only, every GET audited."""

    page_name = ""
    # A page that is first a record to read shows it (without its forms) to everyone who may
    # read the client; other pages, and every POST, are for those who may write it.
    readable = False
    # A page about one of the client's records (a plan, proposal, placement, check-in): the
    # record's model (with a ``visible_to`` scope), what to fetch with it, the path to the client.
    record_model: Any = None
    record_related: tuple[str, ...] = ()
    client_path = "client"

    def setup(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().setup(request, *args, **kwargs)
        self.object = self.get_object()
        self.client = self.get_client()

    def get_object(self) -> Any:
        if self.record_model is None:
            return visible_client(self.request, self.kwargs["pk"])
        records = self.record_model.objects.visible_to(self.request.user)
        return get_object_or_404(records.select_related(*self.record_related), pk=self.kwargs["pk"])

    def get_client(self) -> Client:
        if self.record_model is None:
            return self.object
        return attrgetter(self.client_path.replace("__", "."))(self.object)

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.can_write = can_write_client(request.user, self.client)
        if not self.can_write and not (self.readable and request.method in ("GET", "HEAD")):
            raise PermissionDenied
        if request.method == "GET":
            client_log(client=self.client, action="matching.client.view", by=request.user,
                       page=self.page_name)  # fmt: skip
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self) -> str:
        return str(self.client)

    def get_context_data(self, **kwargs: Any) -> dict:
        return {**super().get_context_data(**kwargs), "can_write": self.can_write}

    def get_breadcrumbs_items(self) -> list[dict]:
        return [
            *self.breadcrumbs_items,
            {"url": reverse("matching_client:index"), "label": Client._meta.verbose_name_plural},
            {"url": client_url(self.client), "label": str(self.client)},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_success_url(self) -> str:
        return client_url(self.client)


class ClientFormView(ClientPageMixin, FormView):
    """A form whose valid submission calls one service; a refused rule shows as a form error."""

    template_name = "matching/admin/form.html"
    success_message = ""

    def perform(self, form: Any) -> None:
        raise NotImplementedError

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            self.perform(form)
        except MatchingError as exc:
            form.add_error(None, str(exc))
            return self.form_invalid(form)
        messages.success(self.request, self.success_message)
        return HttpResponseRedirect(self.get_success_url())

    def get_context_data(self, **kwargs: Any) -> dict:
        context = super().get_context_data(**kwargs)
        context.update(
            client=self.client,
            action_url=self.request.get_full_path(),
            submit_button_label=_("Save"),
        )
        return context


class ConsentView(ClientFormView):
    page_title = _("Record consent")
    page_name = "consent"
    form_class = ConsentForm
    success_message = _("The consent record was added.")

    def get_initial(self) -> dict:
        stage = self.request.GET.get("stage")
        return {"stage": stage} if stage in Consent.Stage.values else {}

    def perform(self, form: ConsentForm) -> None:
        data = dict(form.cleaned_data)
        placements = data.pop("placements")
        if data["stage"] != Consent.Stage.WITHDRAWN:
            services.consent_record(client=self.client, by=self.request.user, **data)
            return
        done = services.consent_withdraw(
            client=self.client,
            obtained_on=data["obtained_on"],
            method=data["method"],
            reason=data["note"],
            placements=placements,
            by=self.request.user,
        )
        self.success_message = _(
            "The withdrawal was recorded: %(proposals)d proposal(s) closed, %(ended)d "
            "placement(s) ended, %(paused)d paused. What host places already received is listed "
            "under Consent."
        ) % {
            "proposals": done.proposals_closed,
            "ended": done.placements_ended,
            "paused": done.placements_paused,
        }

    def get_success_url(self) -> str:
        return client_url(self.client) + "#consent-heading"


class ReferralView(ClientFormView):
    """Refer the client to another team (usually of another town), with their consent."""

    page_title = _("Refer to another team")
    page_name = "referral"
    form_class = ReferralForm
    success_message = _("The referral was recorded: the team can now read this record.")

    def get_form_kwargs(self) -> dict:
        return {**super().get_form_kwargs(), "client": self.client}

    def perform(self, form: ReferralForm) -> None:
        services.referral_create(client=self.client, by=self.request.user, **form.cleaned_data)

    def get_success_url(self) -> str:
        return client_url(self.client) + "#referrals-heading"


class ReferralEndView(ClientFormView):
    """End a referral: the other team's access ends at once."""

    page_title = _("End referral")
    page_name = "referral_end"
    form_class = forms.Form
    record_model = Referral
    record_related = ("client", "to_team")
    success_message = _("The referral was ended: the team can no longer read this record.")

    def perform(self, form: forms.Form) -> None:
        services.referral_end(referral=self.object, by=self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict:
        context = super().get_context_data(**kwargs)
        context["submit_button_label"] = _("End referral")
        return context

    def get_success_url(self) -> str:
        return client_url(self.client) + "#referrals-heading"


class PlanCreateView(ClientFormView):
    page_title = _("Write support plan")
    page_name = "plan"
    form_class = PlanForm
    success_message = _("The support plan was saved.")

    def get_initial(self) -> dict:
        # A revision starts from the current plan; the old one stays as history.
        plan = self.client.current_plan()
        if plan is None:
            return {}
        return {name: getattr(plan, name) for name in PlanForm.Meta.fields}

    def perform(self, form: PlanForm) -> None:
        services.plan_create(client=self.client, by=self.request.user, **form.cleaned_data)


class PlanActionView(ClientFormView):
    record_model = SupportPlan
    record_related = ("client",)


class PlanReviewView(PlanActionView):
    page_title = _("Review support plan")
    page_name = "plan_review"
    form_class = PlanReviewForm
    success_message = _("The review was recorded.")

    def perform(self, form: PlanReviewForm) -> None:
        services.plan_review(plan=self.object, by=self.request.user, **form.cleaned_data)


class PlanCloseView(PlanActionView):
    page_title = _("End support plan")
    page_name = "plan_close"
    form_class = PlanCloseForm
    success_message = _("The plan was closed.")

    def perform(self, form: PlanCloseForm) -> None:
        services.plan_close(plan=self.object, by=self.request.user, **form.cleaned_data)


class ProposeView(ClientPageMixin, TemplateView):
    """提案を作成: the matcher's ranked candidates explained in words (never the score or the
    directory's ids), one click makes a draft; under them the activities that one condition
    keeps out, with that condition (matching/gaps.py)."""

    page_title = _("Create a proposal")
    page_name = "propose"
    template_name = "matching/admin/propose.html"

    def get_context_data(self, **kwargs: Any) -> dict:
        context = super().get_context_data(**kwargs)
        latest = self.client.latest_consent()
        context["client"] = self.client
        context["can_propose"] = bool(latest and latest.allows_placement)
        if context["can_propose"]:
            client_log(client=self.client, action="matching.client.propose", by=self.request.user)
            ranking = client_ranking(client=self.client, top=services.PROPOSAL_CHOICES)
            context["ranked"] = ranking.activities
            context["ranking"] = ranking
            context["open_activity_ids"] = set(
                self.client.proposals.filter(status__in=Proposal.OPEN).values_list(
                    "activity_id", flat=True
                )
            )
            context["near_misses"] = near_misses(self.client, limit=NEAR_MISSES_SHOWN)
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            activity_id = int(request.POST.get("activity", ""))
            proposal = services.proposal_create(
                client=self.client, activity_id=activity_id, by=request.user
            )
        except ValueError:
            raise Http404 from None
        except MatchingError as exc:
            messages.error(request, str(exc))
            return redirect("matching_client:propose", pk=self.client.pk)
        messages.success(request, _("A draft proposal was created. Write the summary and send it."))
        return redirect("matching_client:proposal", pk=proposal.pk)


class ProposalView(ClientPageMixin, TemplateView):
    """A proposal: reasons, the summary for the host, send or withdraw."""

    page_title = _("Proposal")
    page_name = "proposal"
    template_name = "matching/admin/proposal.html"
    record_model = Proposal
    record_related = ("client", "activity")

    @cached_property
    def companions(self) -> list:
        return companion_choices(client=self.client)

    def summary_form(self, data: Any = None) -> ProposalSummaryForm:
        initial = {"summary": self.object.summary, "companion": self.object.companion_id}
        return ProposalSummaryForm(data, initial=initial, companions=self.companions)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # Opening the proposal takes its answer off this user's dashboard notice.
        if self.object.responded_at is not None:
            AnswerSeen.objects.mark(user=request.user, proposal=self.object)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict:
        context = super().get_context_data(**kwargs)
        context.setdefault("summary_form", self.summary_form())
        context.setdefault("withdraw_form", ReasonForm())
        context.update(
            proposal=self.object,
            client=self.client,
            fit=fit_label(self.object.score),
            host_email=host_email(self.object.activity),
            emails=emails.history(self.object),
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        action = request.POST.get("action")
        try:
            if action in ("save", "send"):
                form = self.summary_form(request.POST)
                if not form.is_valid():
                    return self.render_to_response(self.get_context_data(summary_form=form))
                services.proposal_update(
                    proposal=self.object,
                    summary=form.cleaned_data["summary"],
                    companion_id=form.cleaned_data["companion"],
                    by=request.user,
                )
                if action == "send":
                    services.proposal_send(proposal=self.object, by=request.user)
                    messages.success(request, _("The proposal was sent to the host place."))
                else:
                    messages.success(request, _("The summary was saved."))
            elif action == "withdraw":
                form = ReasonForm(request.POST)
                if not form.is_valid():
                    return self.render_to_response(self.get_context_data(withdraw_form=form))
                services.proposal_withdraw(
                    proposal=self.object, reason=form.cleaned_data["reason"], by=request.user
                )
                messages.success(request, _("The proposal was withdrawn."))
            else:
                raise Http404
        except MatchingError as exc:
            messages.error(request, str(exc))
        return redirect("matching_client:proposal", pk=self.object.pk)


class PlacementCreateView(ClientFormView):
    """Record a placement agreed outside the system (e.g. by telephone with the host)."""

    page_title = _("Record a placement")
    page_name = "placement_create"
    success_message = _("The placement was recorded.")

    def get_form(self, form_class: Any = None) -> PlacementCreateForm:
        return PlacementCreateForm(activities=placement_activities(), **self.get_form_kwargs())

    def perform(self, form: PlacementCreateForm) -> None:
        services.placement_create(
            client=self.client, activity=form.cleaned_data["activity"], by=self.request.user
        )


class PlacementView(ClientFormView):
    page_title = _("Placement")
    page_name = "placement"
    template_name = "matching/admin/placement.html"
    success_message = _("The placement status was changed.")
    record_model = Placement
    record_related = ("client", "activity")

    def get_form(self, form_class: Any = None) -> PlacementStatusForm:
        return PlacementStatusForm(placement=self.object, **self.get_form_kwargs())

    def get_context_data(self, **kwargs: Any) -> dict:
        context = super().get_context_data(**kwargs)
        context["placement"] = self.object
        context["changes"] = self.object.status_changes.select_related("changed_by")
        return context

    def perform(self, form: PlacementStatusForm) -> None:
        data, by = form.cleaned_data, self.request.user
        status = data["status"]
        if status == Placement.Status.ACCEPTED:
            services.placement_accept(placement=self.object, by=by)
        elif status == Placement.Status.ACTIVE:
            services.placement_activate(
                placement=self.object, by=by, started_on=data.get("started_on")
            )
        else:
            services.placement_close(
                placement=self.object, status=status, reason=data["reason"],
                end_reason=data.get("end_reason", ""), by=by,
            )  # fmt: skip


def signed_link_headers(response: HttpResponse) -> HttpResponse:
    """Keep a page opened from an emailed link out of caches and search engines, its token
    out of every Referer.

    "strict-origin", not "no-referrer": under no-referrer a browser's form POST says
    "Origin: null", which Django's CSRF check refuses (403), so the form could never be sent.
    """
    patch_cache_control(response, private=True, no_store=True)
    response["Referrer-Policy"] = "strict-origin"
    response["X-Robots-Tag"] = "noindex"
    return response


@method_decorator(never_cache, name="dispatch")
class RespondView(View):
    """The host place's answer: no login, a signed link, single use until the deadline."""

    template_name = "matching/respond.html"

    @cached_property
    def proposal(self) -> Proposal:
        proposal_id = proposal_id_from_token(self.kwargs["token"])
        if proposal_id is None:
            raise Http404
        proposals = Proposal.objects.select_related("activity", "client__team")
        return get_object_or_404(proposals, pk=proposal_id)

    def render(self, form: RespondForm | None = None, error: str = "") -> HttpResponse:
        proposal = self.proposal
        context = {
            # Only these reach the template: never the client object itself.
            "activity_title": proposal.activity.title,
            "summary": proposal.summary,
            "deadline": proposal.deadline,
            "status": proposal.status,
            "team": proposal.client.team,
            "form": form or RespondForm(),
            "error": error,
        }
        return signed_link_headers(render(self.request, self.template_name, context))

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render()

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = RespondForm(request.POST)
        if not form.is_valid():
            return self.render(form)
        try:
            services.proposal_respond(
                proposal_id=self.proposal.pk,
                accept=form.cleaned_data["decision"] == "accept",
                comment=form.cleaned_data["comment"],
            )
        except MatchingError:
            # The rule's own message may speak of the person (consent); the host gets a
            # neutral one and the coordinator sees the proposal still open.
            return self.render(
                form,
                error=str(
                    _(
                        "This request cannot be accepted at the moment. "
                        "The coordinator will contact you."
                    )
                ),
            )
        del self.proposal
        return self.render()
