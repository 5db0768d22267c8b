"""Writes with rules: consent, support plans, proposals, placements.

Every service that takes ``by`` first applies the write rule (``access.ensure_can_write``: the
client's own team, superusers, the system), whatever view, command or task called it; ``by=None``
is the host place's signed link or a scheduled job, authorised by its caller.

Every service is one transaction that locks the client row first (then the proposal or
placement, then the activity), so a consent withdrawal and a placement never interleave and
two acceptances never overfill an activity. On SQLite, which ignores row locks, the write
transaction itself serialises them. Emails are outbox rows written in the same transaction
(``outbox/services.py``), holding ids only; closing a proposal cancels what was not sent yet.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import Max, Model
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from outbox.services import Spec, cancel, enqueue
from resources.importing.files import ImportRejected
from resources.models import ActivityPage

from . import emails, signals
from .access import audit_user, ensure_can_write, ensure_can_write_team
from .audit import client_log, client_log_batched
from .imports import ClientRow
from .models import (
    Client,
    Consent,
    Placement,
    PlacementStatusChange,
    Proposal,
    Referral,
    SupportPlan,
    Team,
)
from .selectors import client_rank, client_sites, host_email, placement_activities

logger = logging.getLogger(__name__)

# How many ranked candidates the coordinator chooses from; proposal_create re-ranks as many.
PROPOSAL_CHOICES = 20


def _days(name: str, default: int) -> dt.timedelta:
    return dt.timedelta(days=getattr(settings, name, default))


def proposal_deadline() -> dt.timedelta:
    return _days("MATCHING_PROPOSAL_DEADLINE_DAYS", 14)


def proposal_reminder_after() -> dt.timedelta:
    return _days("MATCHING_PROPOSAL_REMINDER_DAYS", 7)


class MatchingError(Exception):
    """A rule refused the operation; the message is shown to the coordinator as it is."""


class CapacityFull(MatchingError):
    pass


def _lock(client: Client) -> Client:
    return Client.objects.select_for_update().get(pk=client.pk)


def _require_consent(client: Client) -> None:
    consent = client.latest_consent()
    if consent is None or not consent.allows_placement:
        raise MatchingError(
            _("No consent from the person (or it was withdrawn): no proposal or placement.")
        )


# --- clients ---------------------------------------------------------------------------------


@transaction.atomic
def clients_import(*, rows: list[ClientRow], team: Team, by: Any) -> Counter[str]:
    """Create or update the team's clients by external ID, all rows or none."""
    ensure_can_write_team(by, team.pk)
    ids = [row.external_id for row in rows]
    existing = {c.external_id: c for c in Client.objects.filter(external_id__in=ids)}
    foreign = [row for row in rows if row.external_id in existing
               and existing[row.external_id].team_id != team.pk]  # fmt: skip
    if foreign:
        raise ImportRejected(
            [
                _("Row %(row)s: the external ID %(id)s belongs to a client of another team.")
                % {"row": row.line, "id": row.external_id}
                for row in foreign
            ]
        )
    counts: Counter[str] = Counter()
    with client_log_batched():
        _import_rows(rows, existing=existing, team=team, by=by, counts=counts)
    return counts


def _import_rows(
    rows: list[ClientRow],
    *,
    existing: dict[str, Client],
    team: Team,
    by: Any,
    counts: Counter[str],
) -> None:
    new_terms: defaultdict[str, list[Model]] = defaultdict(list)
    for row in rows:
        client = existing.get(row.external_id) or Client(external_id=row.external_id, team=team)
        created = client._state.adding
        for name, value in row.fields.items():
            setattr(client, name, value)
        client.save()
        for column, term_ids in row.terms.items():
            if created:  # nothing to compare with: the links go in one insert below
                new_terms[column] += _term_links(client, column, term_ids)
            else:
                getattr(client, column).set(term_ids)
        client_log(client=client, action="matching.client.import", by=by, created=created)
        counts["created" if created else "updated"] += 1
        if row.consent and (created or not _same_consent(client, row.consent)):
            consent_record(client=client, by=by, **row.consent)
            counts["consents"] += 1
        if row.plan and (created or not _same_plan(client, row.plan)):
            plan_create(client=client, by=by, **row.plan)
            counts["plans"] += 1
    for column, links in new_terms.items():
        Client._meta.get_field(column).remote_field.through.objects.bulk_create(links)


def _term_links(client: Client, column: str, term_ids: list[int]) -> list[Model]:
    """Rows of the many-to-many table linking a new client to its terms."""
    field = Client._meta.get_field(column)
    through = field.remote_field.through
    own, other = f"{field.m2m_field_name()}_id", f"{field.m2m_reverse_field_name()}_id"
    return [through(**{own: client.pk, other: term_id}) for term_id in dict.fromkeys(term_ids)]


def _same_consent(client: Client, record: dict[str, Any]) -> bool:
    """Whether the client's latest consent says what the imported row says: importing the
    same file again must not add a record."""
    latest = client.latest_consent()
    return latest is not None and all(
        getattr(latest, name) == value for name, value in record.items()
    )


def _same_plan(client: Client, plan: dict[str, Any]) -> bool:
    current = client.current_plan()
    return current is not None and all(
        getattr(current, name) == value for name, value in plan.items()
    )


# --- consent ---------------------------------------------------------------------------------


class OnWithdrawal(models.TextChoices):
    """What a consent withdrawal does to the open placements; the coordinator chooses."""

    END = "end", gettext_lazy("End them and stop all contact with the host place")
    PAUSE = (
        "pause",
        gettext_lazy(
            "Pause them: no contact with the host place and no check-ins until consent is "
            "given again"
        ),
    )


@dataclass(frozen=True)
class Withdrawal:
    consent: Consent
    proposals_closed: int
    placements_ended: int
    placements_paused: int


def _append_consent(client: Client, *, stage: str, by: Any, **fields: Any) -> Consent:
    seq = (client.consents.aggregate(last=Max("seq"))["last"] or 0) + 1
    return Consent.objects.create(
        client=client, seq=seq, stage=stage, recorded_by=audit_user(by), **fields
    )


def _close_open_proposals(client: Client, *, by: Any) -> int:
    proposals = list(client.proposals.select_for_update().filter(status__in=Proposal.OPEN))
    for proposal in proposals:
        _close_proposal(
            proposal, Proposal.Status.WITHDRAWN, by=by, reason=_("Consent is no longer given.")
        )
    return len(proposals)


@transaction.atomic
def consent_record(
    *,
    client: Client,
    stage: str,
    obtained_on: dt.date,
    by: Any,
    scope: str = "",
    method: str = "",
    note: str = "",
) -> Consent:
    """Append a consent record; anything but 同意あり withdraws the open proposals at once.

    A withdrawal (同意撤回) is ``consent_withdraw``'s: the note is its required reason, and the
    open placements end.
    """
    ensure_can_write(by, client)
    if stage == Consent.Stage.WITHDRAWN:
        return consent_withdraw(
            client=client, obtained_on=obtained_on, by=by, reason=note, method=method
        ).consent
    client = _lock(client)
    if stage == Consent.Stage.CONSENTED and not scope.strip():
        raise MatchingError(_("Record what the person agreed to (the scope)."))
    consent = _append_consent(
        client, stage=stage, by=by, scope=scope, obtained_on=obtained_on, method=method, note=note
    )
    client_log(client=client, action="matching.consent.record", by=by, consent=consent.pk,
               stage=stage)  # fmt: skip
    if stage != Consent.Stage.CONSENTED:
        _close_open_proposals(client, by=by)
    return consent


@transaction.atomic
def consent_withdraw(
    *,
    client: Client,
    obtained_on: dt.date,
    by: Any,
    reason: str,
    placements: str = OnWithdrawal.END,
    method: str = "",
) -> Withdrawal:
    """The person withdrew consent: from this moment nobody contacts a host place about them.

    One transaction: the withdrawal (who recorded it, and why, in the consent's note), its
    open proposals closed (their unsent emails cancelled), and each open placement ended or,
    if the coordinator chose so, paused (follow-ups stop its reminders and the host's
    questions until it is resumed with consent). A placement the host never agreed to is
    ended either way: there is nothing to keep.
    """
    ensure_can_write(by, client)
    if not reason.strip():
        raise MatchingError(_("Give the reason for the withdrawal."))
    if placements not in OnWithdrawal.values:
        raise MatchingError(_("Choose whether to end or pause the placements."))
    client = _lock(client)
    consent = _append_consent(
        client,
        stage=Consent.Stage.WITHDRAWN,
        by=by,
        obtained_on=obtained_on,
        method=method,
        note=reason,
    )
    client_log(
        client=client, action="matching.consent.withdraw", by=by, consent=consent.pk,
        stage=Consent.Stage.WITHDRAWN, placements=placements,
    )  # fmt: skip
    closed = _close_open_proposals(client, by=by)
    ended = paused = 0
    open_placements = client.placements.filter(status__in=Placement.OPEN).order_by("created_at")
    for placement in open_placements:
        if placements == OnWithdrawal.PAUSE and placement.status in Placement.PAUSABLE:
            placement_pause(placement=placement, by=by, reason=_("Consent was withdrawn."))
            paused += 1
        elif placements == OnWithdrawal.END or placement.status != Placement.Status.PAUSED:
            placement_close(
                placement=placement,
                status=Placement.Status.ENDED,
                end_reason=Placement.EndReason.CONSENT,
                reason=_("Consent was withdrawn."),
                by=by,
            )
            ended += 1
    return Withdrawal(
        consent=consent, proposals_closed=closed, placements_ended=ended, placements_paused=paused
    )


# --- support plans ---------------------------------------------------------------------------


@transaction.atomic
def plan_create(
    *,
    client: Client,
    by: Any,
    goals: str,
    support_details: str = "",
    meeting_date: dt.date | None = None,
    meeting_organisations: str = "",
    review_due: dt.date | None = None,
) -> SupportPlan:
    """Write a plan; the current one is kept as superseded history."""
    ensure_can_write(by, client)
    client = _lock(client)
    client.plans.filter(status__in=SupportPlan.CURRENT).update(status=SupportPlan.Status.SUPERSEDED)
    plan = SupportPlan.objects.create(
        client=client,
        goals=goals,
        support_details=support_details,
        meeting_date=meeting_date,
        meeting_organisations=meeting_organisations,
        review_due=review_due,
        status=SupportPlan.Status.AGREED if meeting_date else SupportPlan.Status.DRAFT,
        created_by=audit_user(by),
    )
    client_log(client=client, action="matching.plan.create", by=by, plan=plan.pk)
    return plan


def _lock_open_plan(plan: SupportPlan) -> SupportPlan:
    _lock(plan.client)
    plan = SupportPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status not in SupportPlan.CURRENT:
        raise MatchingError(_("This plan is no longer current."))
    return plan


@transaction.atomic
def plan_review(
    *,
    plan: SupportPlan,
    reviewed_on: dt.date,
    note: str,
    by: Any,
    review_due: dt.date | None = None,
) -> SupportPlan:
    ensure_can_write(by, plan.client)
    plan = _lock_open_plan(plan)
    plan.reviewed_on, plan.review_note, plan.review_due = reviewed_on, note, review_due
    plan.save(update_fields=["reviewed_on", "review_note", "review_due"])
    client_log(client=plan.client, action="matching.plan.review", by=by, plan=plan.pk)
    return plan


@transaction.atomic
def plan_close(
    *, plan: SupportPlan, status: str, reason: str, closed_on: dt.date, by: Any
) -> SupportPlan:
    """End or interrupt the current plan, with the reason."""
    ensure_can_write(by, plan.client)
    if status not in (SupportPlan.Status.ENDED, SupportPlan.Status.INTERRUPTED):
        raise MatchingError(_("A plan can only be ended or interrupted."))
    if not reason.strip():
        raise MatchingError(_("Give the reason."))
    plan = _lock_open_plan(plan)
    plan.status, plan.close_reason, plan.closed_on = status, reason, closed_on
    plan.save(update_fields=["status", "close_reason", "closed_on"])
    client_log(client=plan.client, action="matching.plan.close", by=by, plan=plan.pk, status=status)
    return plan


# --- proposals -------------------------------------------------------------------------------


@transaction.atomic
def proposal_create(*, client: Client, activity_id: int, by: Any) -> Proposal:
    """A draft proposal for one of the client's ranked candidates, re-ranked now.

    Re-ranking (rather than trusting the form) means a candidate that no longer fits — full,
    withdrawn from placements, ruled out by a changed profile — is refused.
    """
    ensure_can_write(by, client)
    client = _lock(client)
    _require_consent(client)
    ranked = {r.activity_id: r for r in client_rank(client=client, top=PROPOSAL_CHOICES)}
    if activity_id not in ranked:
        raise MatchingError(_("This activity is no longer among the person's candidates."))
    if client.proposals.filter(activity_id=activity_id, status__in=Proposal.OPEN).exists():
        raise MatchingError(_("There is already an open proposal for this activity."))
    choice = ranked[activity_id]
    proposal = Proposal.objects.create(
        client=client,
        activity_id=activity_id,
        score=choice.score,
        reasons=list(choice.reasons),
        created_by=audit_user(by),
    )
    client_log(
        client=client, action="matching.proposal.create", by=by, proposal=proposal.pk,
        activity=activity_id,
    )  # fmt: skip
    return proposal


def _lock_proposal(proposal: Proposal) -> tuple[Client, Proposal]:
    client = _lock(proposal.client)
    # of=("self",): lock the proposal, not the activity's page rows (editors publish those).
    locked = Proposal.objects.select_for_update(of=("self",)).select_related("activity")
    return client, locked.get(pk=proposal.pk)


@transaction.atomic
def proposal_update(
    *, proposal: Proposal, summary: str, by: Any, companion_id: int | None = None
) -> Proposal:
    """The summary for the host place, and the volunteer going along (if any)."""
    ensure_can_write(by, proposal.client)
    client, proposal = _lock_proposal(proposal)
    if proposal.status != Proposal.Status.DRAFT:
        raise MatchingError(_("Only a draft can be edited."))
    proposal.summary, proposal.companion_id = summary, companion_id
    proposal.save(update_fields=["summary", "companion"])
    client_log(client=client, action="matching.proposal.update", by=by, proposal=proposal.pk)
    return proposal


@transaction.atomic
def proposal_send(*, proposal: Proposal, by: Any) -> Proposal:
    """Send the summary to the host place's contact; the email goes out after commit.

    The request and its reminder are queued together: the outbox is the reminder's schedule,
    and both stop being useful at the deadline.
    """
    ensure_can_write(by, proposal.client)
    client, proposal = _lock_proposal(proposal)
    if proposal.status != Proposal.Status.DRAFT:
        raise MatchingError(_("Only a draft can be sent."))
    _require_consent(client)
    if not proposal.summary.strip():
        raise MatchingError(_("Write the summary for the host place first."))
    _require_host(client, proposal.activity_id)
    if not host_email(proposal.activity):
        raise MatchingError(
            _("The activity has no contact email. Contact the host place by telephone.")
        )
    now = timezone.now()
    proposal.status, proposal.sent_at = Proposal.Status.SENT, now
    proposal.deadline = now + proposal_deadline()
    proposal.save(update_fields=["status", "sent_at", "deadline"])
    client_log(client=client, action="matching.proposal.send", by=by, proposal=proposal.pk)
    pk, topic = proposal.pk, emails.topic(proposal.pk)
    enqueue(
        Spec(
            kind=emails.PROPOSAL,
            object_id=pk,
            key=emails.proposal_key(pk),
            topic=topic,
            expires_at=proposal.deadline,
        )
    )
    remind_at = now + proposal_reminder_after()
    if remind_at < proposal.deadline:
        enqueue(
            Spec(
                kind=emails.REMINDER,
                object_id=pk,
                key=emails.reminder_key(pk),
                topic=topic,
                due_at=remind_at,
                expires_at=proposal.deadline,
            )
        )
    return proposal


@transaction.atomic
def proposal_withdraw(*, proposal: Proposal, reason: str, by: Any) -> Proposal:
    ensure_can_write(by, proposal.client)
    _, proposal = _lock_proposal(proposal)
    if proposal.status not in Proposal.OPEN:
        raise MatchingError(_("This proposal is already closed."))
    _close_proposal(proposal, Proposal.Status.WITHDRAWN, by=by, reason=reason)
    return proposal


def _close_proposal(proposal: Proposal, status: str, *, by: Any, reason: str = "") -> None:
    was_sent = proposal.status == Proposal.Status.SENT
    proposal.status, proposal.status_reason = status, reason
    proposal.save(update_fields=["status", "status_reason"])
    action = {
        Proposal.Status.WITHDRAWN: "matching.proposal.withdraw",
        Proposal.Status.EXPIRED: "matching.proposal.expire",
    }[status]
    client_log(client=proposal.client, action=action, by=by, proposal=proposal.pk)
    if was_sent:
        _cancel_host_emails(proposal)


def _cancel_host_emails(proposal: Proposal) -> None:
    """The request and its reminder are no longer needed once the proposal is closed.

    The reason names the new status only: the coordinator's own reason may be about the person.
    """
    with translation.override(settings.LANGUAGE_CODE):
        reason = _("The proposal is no longer waiting for an answer (%(status)s).") % {
            "status": proposal.get_status_display()
        }
    cancel(topic=emails.topic(proposal.pk), reason=reason)


@transaction.atomic
def proposal_respond(*, proposal_id: Any, accept: bool, comment: str = "") -> Proposal:
    """The host place's answer through its one-time link; a closed proposal is left as it is.

    Accepting places the client (capacity and consent checked) in the same transaction.
    """
    proposal = Proposal.objects.select_related("client").get(pk=proposal_id)
    client, proposal = _lock_proposal(proposal)
    if proposal.status != Proposal.Status.SENT:
        return proposal
    now = timezone.now()
    if proposal.deadline <= now:
        _close_proposal(proposal, Proposal.Status.EXPIRED, by=None)
        return proposal
    if accept:
        placement = placement_create(
            client=client, activity=proposal.activity, by=None, proposal=proposal
        )
        placement_accept(placement=placement, by=None)
    proposal.status = Proposal.Status.ACCEPTED if accept else Proposal.Status.DECLINED
    proposal.responded_at, proposal.response_comment = now, comment
    proposal.save(update_fields=["status", "responded_at", "response_comment"])
    action = "matching.proposal.accept" if accept else "matching.proposal.decline"
    client_log(client=client, action=action, by=None, proposal=proposal.pk)
    _cancel_host_emails(proposal)
    enqueue(Spec(kind=emails.ANSWERED, object_id=proposal.pk, key=emails.answered_key(proposal.pk)))
    return proposal


@transaction.atomic
def proposal_expire(*, proposal_id: Any) -> bool:
    """Close a sent proposal past its deadline, unless another worker holds it right now."""
    proposal = (
        Proposal.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(pk=proposal_id, status=Proposal.Status.SENT, deadline__lte=timezone.now())
        .first()
    )
    if proposal is None:
        return False
    _close_proposal(proposal, Proposal.Status.EXPIRED, by=None)
    return True


def proposal_sweep() -> Counter[str]:
    """Expire sent proposals whose deadline has passed, so the host's link stops working and
    the coordinator sees it; the database is the schedule.

    Idempotent (each expiry re-checks its condition under a row lock) and one failing proposal
    does not stop the others. The emails are the outbox's: the request and its reminder were
    queued when the proposal was sent, and expiring it cancels what is still waiting.
    """
    due = Proposal.objects.filter(status=Proposal.Status.SENT, deadline__lte=timezone.now())
    done: Counter[str] = Counter()
    for pk in due.order_by("pk").values_list("pk", flat=True):
        try:
            done["expired"] += proposal_expire(proposal_id=pk)
        except Exception:
            # Ids only in the message; the traceback is of a status update, which carries no
            # client field.
            logger.error("proposal sweep: expiry failed for proposal %s", pk, exc_info=True)
            done["failed"] += 1
    return +done


def _require_host(client: Client, activity_id: int) -> None:
    """The activity still takes placements, and is in a town the client's may place in
    (its own, or one sharing with the island when it shares too: ``candidate_sites``)."""
    if not placement_activities().filter(pk=activity_id).exists():
        raise MatchingError(_("The activity no longer accepts placements."))
    sites = client_sites(client)
    if sites is not None and not placement_activities(sites).filter(pk=activity_id).exists():
        raise MatchingError(
            _("The activity is in a town that does not share its activities with this town.")
        )


# --- placements ------------------------------------------------------------------------------


@transaction.atomic
def placement_create(
    *, client: Client, activity: ActivityPage, by: Any, proposal: Proposal | None = None
) -> Placement:
    """A placement in 'proposed' state (the host's agreement still to come)."""
    ensure_can_write(by, client)
    client = _lock(client)
    _require_consent(client)
    _require_host(client, activity.pk)
    if client.placements.filter(activity=activity, status__in=Placement.OPEN).exists():
        raise MatchingError(_("The person already has an open placement at this activity."))
    placement = Placement.objects.create(
        client=client, activity=activity, proposal=proposal, created_by=audit_user(by)
    )
    PlacementStatusChange.objects.create(
        placement=placement, to_status=placement.status, changed_by=audit_user(by)
    )
    client_log(client=client, action="matching.placement.create", by=by, placement=placement.pk)
    return placement


def _reserve_place(activity_id: int) -> None:
    """Refuse when every place is taken; the activity row lock makes count-and-take atomic."""
    activity = ActivityPage.objects.select_for_update(of=("self",)).get(pk=activity_id)
    taken = Placement.objects.filter(activity_id=activity_id, status__in=Placement.OCCUPYING)
    if taken.count() >= activity.placement_capacity:
        raise CapacityFull(_("The activity has no place left."))


def placement_start_problem(placement: Placement, started_on: dt.date) -> str:
    """Why ``started_on`` cannot be the placement's start ('' when it can): a start may be
    back-dated (someone placed last week, recorded today), not set in the future, nor before the
    person's consent to take part. The form shows the same words next to its field."""
    if started_on > timezone.localdate():
        return _("The start date cannot be in the future.")
    consented_on = (
        placement.client.consents.filter(stage=Consent.Stage.CONSENTED)
        .order_by("-recorded_at", "-seq")
        .values_list("obtained_on", flat=True)
        .first()
    )
    if consented_on is not None and started_on < consented_on:
        return _("The start date cannot be before the person's consent (%(date)s).") % {
            "date": date_format(consented_on, "DATE_FORMAT")
        }
    return ""


def _transition(
    placement: Placement,
    to: str,
    *,
    by: Any,
    reason: str = "",
    started_on: dt.date | None = None,
    end_reason: str = "",
) -> Placement:
    client = _lock(placement.client)
    placement = Placement.objects.select_for_update().get(pk=placement.pk)
    if to not in placement.next_statuses():
        raise MatchingError(
            _("A placement cannot go from “%(from)s” to “%(to)s”.")
            % {"from": placement.get_status_display(), "to": Placement.Status(to).label}
        )
    if to in (Placement.Status.ACCEPTED, Placement.Status.ACTIVE):
        _require_consent(client)
    if to in Placement.OCCUPYING and placement.status not in Placement.OCCUPYING:
        _reserve_place(placement.activity_id)
    today = timezone.localdate()
    from_status, placement.status = placement.status, to
    if to == Placement.Status.ACTIVE and placement.started_on is None:  # not when resumed
        placement.started_on = started_on or today
    if to in Placement.CLOSED:
        placement.ended_on, placement.end_reason = today, end_reason
    placement.save(update_fields=["status", "started_on", "ended_on", "end_reason"])
    PlacementStatusChange.objects.create(
        placement=placement,
        from_status=from_status,
        to_status=to,
        reason=reason,
        changed_by=audit_user(by),
    )
    client_log(
        client=client, action="matching.placement.status", by=by, placement=placement.pk,
        status=to,
    )  # fmt: skip
    return placement


@transaction.atomic
def placement_accept(*, placement: Placement, by: Any) -> Placement:
    """The host agreed: the placement takes one of the activity's places."""
    ensure_can_write(by, placement.client)
    return _transition(placement, Placement.Status.ACCEPTED, by=by)


@transaction.atomic
def placement_activate(
    *, placement: Placement, by: Any, started_on: dt.date | None = None
) -> Placement:
    """The person has started taking part, on ``started_on`` (default today; a past day is
    allowed, so follow-ups count from the real start).

    The check-in schedule is written in this same transaction, anchored on that day, so a
    placement is never active without one (followups/services.py). A paused placement is
    resumed instead: it keeps the start it had.
    """
    ensure_can_write(by, placement.client)
    from followups.services import schedule_create

    if Placement.objects.filter(pk=placement.pk, status=Placement.Status.PAUSED).exists():
        return placement_resume(placement=placement, by=by)
    if started_on is not None and (problem := placement_start_problem(placement, started_on)):
        raise MatchingError(problem)
    placement = _transition(placement, Placement.Status.ACTIVE, by=by, started_on=started_on)
    schedule_create(placement=placement, by=by)
    return placement


@transaction.atomic
def placement_close(
    *, placement: Placement, status: str, reason: str, by: Any, end_reason: str = ""
) -> Placement:
    """Settled (定着), ended or interrupted. Ending or interrupting needs why: ``end_reason``
    (a ``Placement.EndReason``, counted in the 実績) and the free-text ``reason``."""
    ensure_can_write(by, placement.client)
    if status not in Placement.CLOSED:
        raise MatchingError(_("Choose settled, ended or interrupted."))
    if status == Placement.Status.SETTLED:
        end_reason = ""
    elif end_reason not in Placement.EndReason.values:
        raise MatchingError(_("Choose why the placement ended."))
    elif not reason.strip():
        raise MatchingError(_("Give the reason."))
    from followups.services import schedule_cancel

    placement = _transition(placement, status, by=by, reason=reason, end_reason=end_reason)
    schedule_cancel(placement=placement)
    return placement


@transaction.atomic
def placement_pause(*, placement: Placement, by: Any, reason: str = "") -> Placement:
    """Keep the place but stop every contact with the host and the check-ins (a withdrawal's
    choice); follow-ups react to ``placement_paused``."""
    ensure_can_write(by, placement.client)
    placement = _transition(placement, Placement.Status.PAUSED, by=by, reason=reason)
    signals.placement_paused.send(sender=Placement, placement=placement)
    return placement


@transaction.atomic
def placement_resume(*, placement: Placement, by: Any) -> Placement:
    """Consent was given again: the paused placement is active, its check-ins resume where
    they stopped (follow-ups move them by the length of the pause)."""
    ensure_can_write(by, placement.client)
    _lock(placement.client)
    if not Placement.objects.filter(pk=placement.pk, status=Placement.Status.PAUSED).exists():
        raise MatchingError(_("Only a paused placement can be resumed."))
    placement = _transition(placement, Placement.Status.ACTIVE, by=by)
    paused_at = (
        placement.status_changes.filter(to_status=Placement.Status.PAUSED)
        .order_by("-changed_at", "-pk")
        .values_list("changed_at", flat=True)
        .first()
    )
    paused_on = timezone.localdate(paused_at) if paused_at else timezone.localdate()
    signals.placement_resumed.send(
        sender=Placement, placement=placement, paused_on=paused_on, by=by
    )
    return placement


# --- referrals (紹介) to another team, usually of another town ---------------------------------


@transaction.atomic
def referral_create(
    *,
    client: Client,
    to_team: Team,
    consent_on: dt.date | None,
    method: str,
    scope: str,
    by: Any,
) -> Referral:
    """Introduce the client to another team with their consent: while the referral is open, that
    team's members read the client (writing stays with the home team). Only a writer of the
    client may, and only with the consent's date, method and scope; every problem is named."""
    ensure_can_write(by, client)
    client = _lock(client)
    problems = []
    if to_team.pk == client.team_id:
        problems.append(_("The person is already with this team."))
    elif Referral.objects.active().filter(client=client, to_team=to_team).exists():
        problems.append(_("The person is already referred to this team."))
    if consent_on is None:
        problems.append(_("Enter the date the person agreed to the referral."))
    elif consent_on > timezone.localdate():
        problems.append(_("The consent date cannot be in the future."))
    if method not in Consent.Method.values:
        problems.append(_("Choose how the person's consent was obtained."))
    if not scope.strip():
        problems.append(_("Record what the person agreed the other team may know."))
    if problems:
        raise MatchingError(" ".join(problems))
    referral = Referral.objects.create(
        client=client,
        to_team=to_team,
        consent_on=consent_on,
        method=method,
        scope=scope.strip(),
        created_by=audit_user(by),
    )
    client_log(client=client, action="matching.referral.create", by=by, referral=referral.pk,
               team=to_team.pk)  # fmt: skip
    return referral


@transaction.atomic
def referral_end(*, referral: Referral, by: Any) -> Referral:
    """End a referral: the other team's access ends with this commit. Only a writer of the
    client (the home team) may; an ended referral stays ended."""
    ensure_can_write(by, referral.client)
    _lock(referral.client)
    closed = Referral.objects.filter(pk=referral.pk).close(
        ended_at=timezone.now(), ended_by=audit_user(by)
    )
    if not closed:
        raise MatchingError(_("This referral has already ended."))
    client_log(client=referral.client, action="matching.referral.end", by=by,
               referral=referral.pk, team=referral.to_team_id)  # fmt: skip
    return Referral.objects.get(pk=referral.pk)
