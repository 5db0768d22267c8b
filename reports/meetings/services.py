"""Recording a meeting's decision on a plan, and moving the plan as decided.

One transaction: the write rule first (``ensure_can_write``: the client's own team), the client
and plan rows locked, the plan moved through matching's own services where one exists
(continue → ``plan_review``, end / interrupt → ``plan_close``; approve sets the draft agreed with
the meeting date here, as matching has no approval service), then the decision row and its audit
entry. A refused rule raises ``MatchingError`` with a Japanese message before anything is
written, and an error further on rolls the whole decision back.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from matching import services as matching
from matching.access import audit_user, ensure_can_write
from matching.audit import client_log
from matching.models import Client, PlanDecision, SupportPlan
from matching.services import MatchingError
from tsunagu.dates import is_plausible

from .audit import DECISION
from .rules import allowed_decisions, decision_label

Decision = PlanDecision.Decision
Status = SupportPlan.Status


def review_interval(plan: SupportPlan) -> dt.timedelta:
    """The plan's own review interval: from its last review (or agreement, or writing) to the
    review it set; ``PLAN_REVIEW_INTERVAL_DAYS`` (90) when it set none."""
    anchor = plan.reviewed_on or plan.meeting_date or timezone.localdate(plan.created_at)
    if plan.review_due is not None and plan.review_due > anchor:
        return plan.review_due - anchor
    return dt.timedelta(days=settings.PLAN_REVIEW_INTERVAL_DAYS)


def next_review_due(plan: SupportPlan, meeting_date: dt.date) -> dt.date:
    """When a plan continued at this meeting is reviewed next."""
    return meeting_date + review_interval(plan)


def _check(
    *,
    plan: SupportPlan,
    meeting: str,
    meeting_date: dt.date,
    decision: str,
    evaluation: str,
    next_review: dt.date | None,
) -> None:
    if meeting not in PlanDecision.Meeting.values:
        raise MatchingError(_("Choose the meeting."))
    if decision not in Decision.values:
        raise MatchingError(_("Choose the meeting's decision."))
    if not is_plausible(meeting_date) or meeting_date > timezone.localdate():
        raise MatchingError(_("Enter the date the meeting was held (not a future date)."))
    if meeting_date < timezone.localdate(plan.created_at):
        raise MatchingError(_("The meeting date is before the plan was written."))
    if decision != Decision.APPROVE and not evaluation.strip():
        raise MatchingError(_("Write the meeting's evaluation."))
    if next_review is not None and next_review <= meeting_date:
        raise MatchingError(_("The next review must come after the meeting date."))
    if decision not in allowed_decisions(plan.status):
        raise MatchingError(
            _("A plan that is “%(status)s” cannot get the decision “%(decision)s”.")
            % {"status": plan.get_status_display(), "decision": decision_label(decision)}
        )


@transaction.atomic
def decision_record(
    *,
    plan: SupportPlan,
    meeting: str,
    meeting_date: dt.date,
    decision: str,
    evaluation: str,
    by: Any,
    next_review: dt.date | None = None,
) -> PlanDecision:
    """Record what the meeting decided about the plan and move the plan accordingly.

    ``next_review`` (continue only) defaults to the meeting date plus the plan's own interval.
    """
    ensure_can_write(by, plan.client)
    client = Client.objects.select_for_update().get(pk=plan.client_id)
    plan = SupportPlan.objects.select_for_update().get(pk=plan.pk)
    _check(
        plan=plan,
        meeting=meeting,
        meeting_date=meeting_date,
        decision=decision,
        evaluation=evaluation,
        next_review=next_review,
    )
    if decision == Decision.APPROVE:
        plan.status, plan.meeting_date = Status.AGREED, meeting_date
        plan.save(update_fields=["status", "meeting_date"])
    elif decision == Decision.CONTINUE:
        matching.plan_review(
            plan=plan,
            reviewed_on=meeting_date,
            note=evaluation,
            review_due=next_review or next_review_due(plan, meeting_date),
            by=by,
        )
    elif decision in (Decision.END, Decision.INTERRUPT) and plan.status in SupportPlan.CURRENT:
        matching.plan_close(
            plan=plan,
            status=Status.ENDED if decision == Decision.END else Status.INTERRUPTED,
            reason=evaluation,
            closed_on=meeting_date,
            by=by,
        )
    record = PlanDecision.objects.create(
        plan=plan,
        meeting=meeting,
        meeting_date=meeting_date,
        decision=decision,
        evaluation=evaluation.strip(),
        recorded_by=audit_user(by),
    )
    client_log(
        client=client, action=DECISION, by=by, plan=plan.pk, decision=decision, meeting=meeting,
        meeting_date=meeting_date,
    )  # fmt: skip
    return record
