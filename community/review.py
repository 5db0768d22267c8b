"""The review screen where town staff decide on a submitted page (「公開前の確認」).

Not the edit form: the page as it would be published (a preview of the latest revision), what
changed since the published version (Wagtail's revision comparison), the required checks
(``checks.review_checks``) and two decisions, 「承認して公開」 and 「差し戻す（理由必須）」. The
decision goes through the task's own ``on_action``, so Wagtail writes the log entries,
publishes the revision and sends its notifications as for any workflow action.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView
from wagtail.admin.action_menu import ActionMenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.home import WorkflowObjectsToModeratePanel
from wagtail.models import Page, TaskState
from wagtail.utils.decorators import xframe_options_sameorigin_override

from .checks import Check, review_checks
from .moderation import under_review

APPROVE = "approve"
REJECT = "reject"


def review_url(page: Page) -> str:
    return reverse("community_review", args=[page.pk])


def user_can_review(task_state: TaskState, user) -> bool:
    """The task decides who may moderate (its groups, superusers), as on Wagtail's dashboard."""
    task = task_state.task.specific
    return task.get_task_states_user_can_moderate(user).filter(pk=task_state.pk).exists()


def _reviewable(request: HttpRequest, page_id: int) -> tuple[Page, TaskState | None]:
    """The page and its task state awaiting a decision; refused to anyone the task does not
    let moderate it (group editors, other groups' editors)."""
    page = get_object_or_404(Page, pk=page_id).specific
    task_state = page.current_workflow_task_state
    if task_state is not None and not user_can_review(task_state, request.user):
        raise PermissionDenied
    return page, task_state


def changes_since_live(request: HttpRequest, page: Page, draft: Page) -> list:
    """Wagtail's field-by-field comparison of the published page with the draft; empty for a
    page never published (everything in it is new)."""
    if not page.live:
        return []
    panel = page.get_edit_handler().get_bound_panel(instance=page, request=request, form=None)
    diffs = (comparison(page, draft) for comparison in panel.get_comparison())
    return [diff for diff in diffs if diff.has_changed()]


class ReviewDecisionForm(forms.Form):
    """Approve (only when every check passes) or send back with a reason; the revision is the
    one the reviewer saw, so an edit made meanwhile is not approved unseen."""

    decision = forms.ChoiceField(choices=[(APPROVE, APPROVE), (REJECT, REJECT)])
    comment = forms.CharField(
        label=gettext_lazy("Reason for sending it back"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "aria-required": "true"}),
        help_text=gettext_lazy("The editor sees this reason with the page."),
    )
    revision = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, checks: list[Check], latest_revision_id: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.checks = checks
        self.latest_revision_id = latest_revision_id

    def clean(self) -> dict:
        data = super().clean()
        if data.get("revision") not in (None, self.latest_revision_id):
            raise ValidationError(
                _("The page was changed while you were reviewing it. Review it again.")
            )
        if data.get("decision") == APPROVE and any(not check.passed for check in self.checks):
            raise ValidationError(_("It cannot be approved until every check passes."))
        if data.get("decision") == REJECT and not data.get("comment", "").strip():
            self.add_error("comment", _("Write why it is sent back: the editor needs to know."))
        return data


class ReviewView(WagtailAdminTemplateMixin, FormView):
    """The review screen: preview, changes, checklist and the two decisions."""

    template_name = "community/admin/review.html"
    form_class = ReviewDecisionForm
    header_icon = "tasks"

    def dispatch(self, request: HttpRequest, page_id: int, *args, **kwargs) -> HttpResponse:
        self.page, self.task_state = _reviewable(request, page_id)
        if self.task_state is None:
            messages.info(request, _("This page is not awaiting review."))
            return redirect("wagtailadmin_home")
        self.draft = under_review(self.page)
        self.checks = review_checks(self.draft)
        return super().dispatch(request, page_id, *args, **kwargs)

    def get_page_title(self) -> str:
        return _("Review before publishing")

    def get_page_subtitle(self) -> str:
        return self.draft.get_admin_display_title()

    def get_breadcrumbs_items(self) -> list[dict]:
        return [
            *super().get_breadcrumbs_items(),
            {"url": "", "label": self.get_page_title(), "sublabel": self.get_page_subtitle()},
        ]

    def get_form_kwargs(self) -> dict:
        latest = self.page.get_latest_revision()
        return {
            **super().get_form_kwargs(),
            "checks": self.checks,
            "latest_revision_id": latest.pk,
            "initial": {"revision": latest.pk},
        }

    def get_context_data(self, **kwargs) -> dict:
        return {
            **super().get_context_data(**kwargs),
            "page": self.page,
            "draft": self.draft,
            "task_state": self.task_state,
            "checks": self.checks,
            "can_approve": all(check.passed for check in self.checks),
            "comparison": changes_since_live(self.request, self.page, self.draft),
            "preview_url": reverse("community_review_preview", args=[self.page.pk]),
            "edit_url": reverse("wagtailadmin_pages:edit", args=[self.page.pk]),
        }

    def form_invalid(self, form: ReviewDecisionForm) -> HttpResponse:
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def form_valid(self, form: ReviewDecisionForm) -> HttpResponse:
        decision = form.cleaned_data["decision"]
        comment = form.cleaned_data["comment"].strip() if decision == REJECT else ""
        task = self.task_state.task.specific
        task.on_action(self.task_state, self.request.user, decision, comment=comment)
        title = self.draft.get_admin_display_title()
        if decision == APPROVE:
            text = _("“%(title)s” approved and published.")
        else:
            text = _("“%(title)s” sent back to the editor.")
        messages.success(self.request, text % {"title": title})
        return redirect("wagtailadmin_home")


@method_decorator(xframe_options_sameorigin_override, name="get")
class ReviewPreviewView(View):
    """The latest revision rendered as the public page, for the review screen's frame."""

    def get(self, request: HttpRequest, page_id: int) -> HttpResponse:
        page, task_state = _reviewable(request, page_id)
        if task_state is None:
            raise PermissionDenied
        draft = under_review(page)
        response = draft.make_preview_request(request, draft.default_preview_mode)
        # Wagtail ran the page through the middleware on its own dummy request, before this view
        # allowed framing: the policy says frame-ancestors 'none' there (and carries that
        # request's script nonce, so it is amended rather than rebuilt).
        if policy := response.get("Content-Security-Policy"):
            framed = policy.replace("frame-ancestors 'none'", "frame-ancestors 'self'")
            response["Content-Security-Policy"] = framed
        return response


class ReviewQueuePanel(WorkflowObjectsToModeratePanel):
    """Wagtail's "awaiting your review" dashboard panel, each page leading to the review
    screen instead of offering approve and reject without the checks; what is missing is named
    so staff see at a glance which submissions can only be sent back."""

    template_name = "community/admin/review_queue_panel.html"

    def get_context_data(self, parent_context: dict) -> dict:
        context = super().get_context_data(parent_context)
        for state in context["states"]:
            if isinstance(state["obj"], Page):
                state["review_url"] = review_url(state["obj"])
                checks = review_checks(under_review(state["obj"].specific))
                state["missing"] = [check.name for check in checks if not check.passed]
        return context


class ReviewMenuItem(ActionMenuItem):
    """The edit form's way to the decision, replacing the workflow's approve/reject."""

    label = gettext_lazy("Review: approve or send back")
    name = "action-community-review"
    icon_name = "tasks"

    def get_url(self, parent_context: dict) -> str:
        return review_url(parent_context["page"])
