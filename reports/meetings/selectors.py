"""What the meeting papers show: one structure per pack, rendered as HTML and as PDF.

The two renderers (templates and ``pdf.py``) only format these frozen dataclasses; neither
touches a model, so what a pack may show is decided here, once.

**重層的支援会議** (``juso_pack``; consented clients only: latest consent 同意あり):

- *to decide*: draft plans, and agreed plans written or reviewed since the team's previous
  meeting (the latest of its recorded decisions and its plans' agreement dates before this one);
- *to evaluate*: agreed plans whose review falls due on or before the meeting, and plans ended
  or interrupted since the previous meeting, each with what happened (placements, check-ins,
  UCLA-3 and life-satisfaction scores);
- a plan already decided at this meeting stays in its section, showing the decision;
- the resource summary (``reports.sufficiency``) of every waiting client the user sees: it
  is about the town's resources, not the chosen teams' cases.

A case is named by its reference code, never by name: the pack is printed and carried.

**支援会議** (``shien_pack``; latest consent 支援会議のみ): the meeting shares cases without the
person's consent, under a secrecy duty, so a case shows only this whitelist — reference code,
team, age band, district, support fields, the current plan's goals and the support being
coordinated, its status and next review date, and the kind and date of the last decision (never
its evaluation text). Name, kana, year of birth, notes, consent records, proposals, placements,
check-ins and anything a host place wrote never enter ``ShienCase``.

**推進会議** (``annual_pack``): aggregates only, from the 実績 and the resource summary.
"""

from __future__ import annotations

import datetime as dt
import importlib
import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Max, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from followups.models import CheckIn
from followups.selectors import checkins_by_placement
from matching.access import can_write_team
from matching.models import AgeBand, Client, Consent, Placement, PlanDecision, SupportPlan, Team

from .rules import allowed_decisions, decision_label

Decision = PlanDecision.Decision
Meeting = PlanDecision.Meeting


# --- the structure -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseProfile:
    """Who the case is, as far as any meeting paper says: no name, no exact age."""

    client_id: uuid.UUID
    reference_code: str
    team: str
    age_band: str
    district: str
    fields: tuple[str, ...]


@dataclass(frozen=True)
class Score:
    """One check-in of a placement: the baseline or a follow-up point."""

    label: str
    due_on: dt.date
    done: bool
    ucla_total: int | None
    life_satisfaction: int | None


@dataclass(frozen=True)
class PlacementOutcome:
    activity: str
    started_on: dt.date | None
    status: str
    end_reason: str
    checkins_done: int
    checkins_planned: int
    scores: tuple[Score, ...]


@dataclass(frozen=True)
class DecisionRecord:
    meeting: str
    meeting_date: dt.date
    decision: str
    evaluation: str


@dataclass(frozen=True)
class PlanEntry:
    """A plan in the 重層的支援会議 pack, with what the meeting needs to decide or evaluate it."""

    plan_id: uuid.UUID
    case: CaseProfile
    reasons: tuple[str, ...]
    status: str
    created_on: dt.date
    agreed_on: dt.date | None
    review_due: dt.date | None
    reviewed_on: dt.date | None
    closed_on: dt.date | None
    goals: str
    support_details: str
    placements: tuple[PlacementOutcome, ...]
    history: tuple[DecisionRecord, ...]
    decided: DecisionRecord | None
    choices: tuple[tuple[str, str], ...]
    writable: bool


@dataclass(frozen=True)
class PreviousMeeting:
    team: str
    meeting_date: dt.date | None


@dataclass(frozen=True)
class JusoPack:
    meeting_date: dt.date
    teams: tuple[str, ...]
    previous: tuple[PreviousMeeting, ...]
    to_decide: tuple[PlanEntry, ...]
    to_evaluate: tuple[PlanEntry, ...]
    sufficiency: Any  # reports.sufficiency.selectors.summary(user), None while it is missing

    @property
    def client_ids(self) -> set[uuid.UUID]:
        return {entry.case.client_id for entry in (*self.to_decide, *self.to_evaluate)}


@dataclass(frozen=True)
class ShienCase:
    """A case at the 支援会議: the whitelist in the module docstring, and nothing else."""

    case: CaseProfile
    plan_id: uuid.UUID | None
    plan_status: str
    goals: str
    support_details: str
    review_due: dt.date | None
    last_decision: str
    last_decision_on: dt.date | None
    writable: bool


@dataclass(frozen=True)
class ShienPack:
    meeting_date: dt.date
    teams: tuple[str, ...]
    cases: tuple[ShienCase, ...]

    @property
    def client_ids(self) -> set[uuid.UUID]:
        return {case.case.client_id for case in self.cases}


@dataclass(frozen=True)
class AnnualPack:
    fiscal_year: int  # April of this year to March of the next
    results: Any  # reports.results.figures.fiscal_year(...), None while it is missing
    sufficiency: Any


# --- shared pieces -----------------------------------------------------------------------------


def optional_part(module: str, function: str) -> Any:
    """A function another part of the reports provides, or None while it does not exist."""
    try:
        return getattr(importlib.import_module(module), function)
    except (ImportError, AttributeError):
        return None


def sufficiency_summary(user: Any) -> Any:
    summary = optional_part("reports.sufficiency.selectors", "summary")
    return None if summary is None else summary(user)


def _age_band(client: Client, on: dt.date) -> str:
    if client.birth_year is not None:
        decade = min(max(on.year - client.birth_year, 0) // 10 * 10, AgeBand.NINETIES)
        return str(AgeBand(decade).label)
    if client.age_band is not None:
        return str(AgeBand(client.age_band).label)
    return ""


def case_profile(client: Client, on: dt.date) -> CaseProfile:
    return CaseProfile(
        client_id=client.pk,
        reference_code=client.reference_code,
        team=client.team.name,
        age_band=_age_band(client, on),
        district=client.area.name if client.area else "",
        fields=tuple(client.field_labels()),
    )


def _clients(user: Any, teams: Sequence[Team], stage: str) -> Any:
    """The user's clients in these teams whose latest consent is at ``stage``, not erased."""
    return (
        Client.objects.visible_to(user)
        .filter(team__in=teams, erased_at__isnull=True)
        .with_consent_stage()
        .filter(consent_stage=stage)
    )


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def _decision_record(decision: PlanDecision) -> DecisionRecord:
    return DecisionRecord(
        meeting=decision.get_meeting_display(),
        meeting_date=decision.meeting_date,
        decision=decision_label(decision.decision),
        evaluation=decision.evaluation,
    )


def previous_meetings(teams: Sequence[Team], before: dt.date) -> dict[uuid.UUID, dt.date]:
    """Team id → the date of its last 重層的支援会議 before ``before``: a recorded decision,
    or a plan's agreement date (plans agreed before decisions were recorded count too)."""
    found: dict[uuid.UUID, dt.date] = {}
    decided = (
        PlanDecision.objects.filter(
            meeting=Meeting.SUPPORT_MEETING,
            plan__client__team__in=teams,
            meeting_date__lt=before,
        )
        .values("plan__client__team")
        .annotate(last=Max("meeting_date"))
    )
    agreed = (
        SupportPlan.objects.filter(client__team__in=teams, meeting_date__lt=before)
        .values("client__team")
        .annotate(last=Max("meeting_date"))
    )
    for team_id, last in [
        *((row["plan__client__team"], row["last"]) for row in decided),
        *((row["client__team"], row["last"]) for row in agreed),
    ]:
        found[team_id] = max(last, found.get(team_id, last))
    return found


# --- 重層的支援会議 -----------------------------------------------------------------------------


def _after_previous(
    teams: Sequence[Team], previous: dict[uuid.UUID, dt.date], after: Callable[[dt.date], Q]
) -> Q:
    """``after(last)`` for each team's plans; every plan of a team without a previous meeting."""
    condition = Q(pk__in=[])
    for team in teams:
        last = previous.get(team.pk)
        condition |= Q(client__team=team) & (Q() if last is None else after(last))
    return condition


def _written_or_reviewed_after(last: dt.date) -> Q:
    return Q(created_at__gte=_start_of(last + dt.timedelta(days=1))) | Q(reviewed_on__gt=last)


def _closed_after(last: dt.date) -> Q:
    return Q(closed_on__gt=last)


def _placements(plans: Sequence[SupportPlan]) -> dict[uuid.UUID, list[PlacementOutcome]]:
    """Client id → what happened in its placements during its plans (two queries)."""
    client_ids = {plan.client_id for plan in plans}
    since: dict[uuid.UUID, dt.date] = {}
    for plan in plans:
        written = timezone.localdate(plan.created_at)
        since[plan.client_id] = min(written, since.get(plan.client_id, written))
    placements = [
        placement
        for placement in Placement.objects.filter(client_id__in=client_ids)
        .select_related("activity")
        .order_by("started_on", "created_at")
        if placement.ended_on is None or placement.ended_on >= since[placement.client_id]
    ]
    checkins = checkins_by_placement(placements)
    outcomes: dict[uuid.UUID, list[PlacementOutcome]] = defaultdict(list)
    for placement in placements:
        rows = [c for c in checkins[placement.pk] if c.status != CheckIn.Status.CANCELLED]
        outcomes[placement.client_id].append(
            PlacementOutcome(
                activity=placement.activity.title,
                started_on=placement.started_on,
                status=placement.get_status_display(),
                end_reason=placement.get_end_reason_display() if placement.end_reason else "",
                checkins_done=sum(c.status == CheckIn.Status.DONE for c in rows),
                checkins_planned=len(rows),
                scores=tuple(_score(c) for c in rows),
            )
        )
    return outcomes


def _score(checkin: CheckIn) -> Score:
    if checkin.kind == CheckIn.Kind.BASELINE:
        label = str(CheckIn.Kind.BASELINE.label)
    else:
        label = _("%(days)s days after the start") % {"days": checkin.offset_days}
    return Score(
        label=label,
        due_on=checkin.due_on,
        done=checkin.status == CheckIn.Status.DONE,
        ucla_total=checkin.ucla_total,
        life_satisfaction=checkin.life_satisfaction,
    )


def juso_pack(*, user: Any, meeting_date: dt.date, teams: Sequence[Team]) -> JusoPack:
    """The 重層的支援会議 pack for this date and these teams (bounded queries whatever the size)."""
    previous = previous_meetings(teams, meeting_date)
    before_end = _start_of(meeting_date + dt.timedelta(days=1))
    decided_here = Q(
        decisions__meeting=Meeting.SUPPORT_MEETING, decisions__meeting_date=meeting_date
    )
    current = Q(status__in=SupportPlan.CURRENT, created_at__lt=before_end)
    drafts = current & Q(status=SupportPlan.Status.DRAFT)
    review = current & Q(status=SupportPlan.Status.AGREED, review_due__lte=meeting_date)
    changed = (
        current
        & Q(status=SupportPlan.Status.AGREED)
        & _after_previous(teams, previous, _written_or_reviewed_after)
    )
    closed = Q(
        status__in=(SupportPlan.Status.ENDED, SupportPlan.Status.INTERRUPTED),
        closed_on__lte=meeting_date,
    ) & _after_previous(teams, previous, _closed_after)
    clients = _clients(user, teams, Consent.Stage.CONSENTED)
    decisions = PlanDecision.objects.filter(meeting_date__lte=meeting_date).order_by(
        "-meeting_date", "-recorded_at"
    )
    plans = list(
        SupportPlan.objects.filter(client__in=clients.values("pk"))
        .filter(drafts | review | changed | closed | decided_here)
        .distinct()
        .select_related("client__team", "client__area")
        .prefetch_related(Prefetch("decisions", queryset=decisions, to_attr="pack_decisions"))
        .order_by("client__reference_code", "created_at")
    )
    outcomes = _placements(plans)
    to_decide, to_evaluate = [], []
    for plan in plans:
        entry = _plan_entry(plan, user, meeting_date, previous, outcomes[plan.client_id])
        (to_decide if _to_decide(plan, meeting_date) else to_evaluate).append(entry)
    names = {team.pk: team.name for team in teams}
    return JusoPack(
        meeting_date=meeting_date,
        teams=tuple(names.values()),
        previous=tuple(PreviousMeeting(names[pk], previous.get(pk)) for pk in names),
        to_decide=tuple(to_decide),
        to_evaluate=tuple(to_evaluate),
        sufficiency=sufficiency_summary(user),
    )


def _decided_here(plan: SupportPlan, meeting_date: dt.date) -> PlanDecision | None:
    for decision in plan.pack_decisions:  # latest first
        if decision.meeting == Meeting.SUPPORT_MEETING and decision.meeting_date == meeting_date:
            return decision
    return None


def _review_due(plan: SupportPlan, meeting_date: dt.date) -> bool:
    return plan.review_due is not None and plan.review_due <= meeting_date


def _to_decide(plan: SupportPlan, meeting_date: dt.date) -> bool:
    """Which section: a plan decided at this meeting stays where the decision puts it."""
    decided = _decided_here(plan, meeting_date)
    if decided is not None and decided.decision == Decision.APPROVE:
        return True
    if decided is not None and decided.decision != Decision.REVISE:
        return False
    return plan.status == SupportPlan.Status.DRAFT or (
        plan.status == SupportPlan.Status.AGREED and not _review_due(plan, meeting_date)
    )


def _reasons(plan: SupportPlan, meeting_date: dt.date, last: dt.date | None) -> tuple[str, ...]:
    """Why the plan is in the pack, in the meeting's words."""
    reasons = []
    if plan.status == SupportPlan.Status.DRAFT:
        reasons.append(_("New plan (draft) to approve"))
    elif plan.status == SupportPlan.Status.AGREED:
        if _review_due(plan, meeting_date):
            reasons.append(_("Review due"))
        if last is None:
            reasons.append(_("Not yet discussed at a meeting"))
        else:
            if timezone.localdate(plan.created_at) > last:
                reasons.append(_("Revised since the previous meeting"))
            if plan.reviewed_on and plan.reviewed_on > last:
                reasons.append(_("Reviewed since the previous meeting"))
    elif plan.status in (SupportPlan.Status.ENDED, SupportPlan.Status.INTERRUPTED):
        reasons.append(_("Ended since the previous meeting: to evaluate"))
    if not reasons:
        reasons.append(_("Decided at this meeting"))
    return tuple(reasons)


def _plan_entry(
    plan: SupportPlan,
    user: Any,
    meeting_date: dt.date,
    previous: dict[uuid.UUID, dt.date],
    placements: list[PlacementOutcome],
) -> PlanEntry:
    decided = _decided_here(plan, meeting_date)
    return PlanEntry(
        plan_id=plan.pk,
        case=case_profile(plan.client, meeting_date),
        reasons=_reasons(plan, meeting_date, previous.get(plan.client.team_id)),
        status=plan.get_status_display(),
        created_on=timezone.localdate(plan.created_at),
        agreed_on=plan.meeting_date,
        review_due=plan.review_due,
        reviewed_on=plan.reviewed_on,
        closed_on=plan.closed_on,
        goals=plan.goals,
        support_details=plan.support_details,
        placements=tuple(placements),
        history=tuple(_decision_record(d) for d in plan.pack_decisions if d != decided),
        decided=_decision_record(decided) if decided else None,
        choices=tuple((d.value, decision_label(d)) for d in allowed_decisions(plan.status)),
        writable=can_write_team(user, plan.client.team_id),
    )


# --- 支援会議 ----------------------------------------------------------------------------------


def shien_pack(*, user: Any, meeting_date: dt.date, teams: Sequence[Team]) -> ShienPack:
    """The 支援会議 pack: the cases without consent, in the whitelist only (three queries)."""
    plans = SupportPlan.objects.filter(status__in=SupportPlan.CURRENT).order_by("-created_at")
    decisions = PlanDecision.objects.filter(meeting_date__lte=meeting_date).order_by(
        "-meeting_date", "-recorded_at"
    )
    clients = (
        _clients(user, teams, Consent.Stage.SUPPORT_MEETING)
        .exclude(status=Client.Status.CLOSED)
        .select_related("team", "area")
        .prefetch_related(
            Prefetch("plans", queryset=plans, to_attr="pack_plans"),
            Prefetch("pack_plans__decisions", queryset=decisions, to_attr="pack_decisions"),
        )
        .order_by("reference_code")
    )
    return ShienPack(
        meeting_date=meeting_date,
        teams=tuple(team.name for team in teams),
        cases=tuple(_shien_case(client, user, meeting_date) for client in clients),
    )


def _shien_case(client: Client, user: Any, meeting_date: dt.date) -> ShienCase:
    plan = client.pack_plans[0] if client.pack_plans else None
    last = plan.pack_decisions[0] if plan is not None and plan.pack_decisions else None
    return ShienCase(
        case=case_profile(client, meeting_date),
        plan_id=plan.pk if plan else None,
        plan_status=plan.get_status_display() if plan else "",
        goals=plan.goals if plan else "",
        support_details=plan.support_details if plan else "",
        review_due=plan.review_due if plan else None,
        last_decision=decision_label(last.decision) if last else "",
        last_decision_on=last.meeting_date if last else None,
        writable=can_write_team(user, client.team_id),
    )


# --- 推進会議 ----------------------------------------------------------------------------------


def annual_pack(*, user: Any, fiscal_year: int) -> AnnualPack:
    figures = optional_part("reports.results.figures", "fiscal_year")
    return AnnualPack(
        fiscal_year=fiscal_year,
        results=None if figures is None else figures(user, fiscal_year),
        sufficiency=sufficiency_summary(user),
    )
