"""Which decision a meeting may take on a plan in which state: the form offers these, the
service refuses any other.

A draft is approved, sent back for revision or dropped; an agreed plan is continued, revised,
ended or interrupted; a plan the coordinator already ended or interrupted is evaluated with the
same decision, so the meeting's evaluation of it is on record too.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy

from matching.models import PlanDecision, SupportPlan

Decision = PlanDecision.Decision
Status = SupportPlan.Status

ALLOWED: dict[str, tuple[Decision, ...]] = {
    Status.DRAFT: (Decision.APPROVE, Decision.REVISE, Decision.INTERRUPT),
    Status.AGREED: (Decision.CONTINUE, Decision.REVISE, Decision.END, Decision.INTERRUPT),
    Status.ENDED: (Decision.END,),
    Status.INTERRUPTED: (Decision.INTERRUPT,),
}


# The papers' own words for the decisions: "Continue" alone is a button's 続ける elsewhere.
LABELS: dict[str, Promise] = {
    Decision.APPROVE: pgettext_lazy("meeting decision", "Approve"),
    Decision.CONTINUE: pgettext_lazy("meeting decision", "Continue"),
    Decision.REVISE: pgettext_lazy("meeting decision", "Revise"),
    Decision.END: pgettext_lazy("meeting decision", "End"),
    Decision.INTERRUPT: pgettext_lazy("meeting decision", "Interrupt"),
}


def decision_label(decision: str) -> str:
    return str(LABELS[decision])


def allowed_decisions(status: str) -> tuple[Decision, ...]:
    """The decisions open for a plan in this status (none for a superseded plan)."""
    return ALLOWED.get(status, ())
