"""Writes of the follow-up flow: the schedule, recording a check-in, the host's answer, and the
reminder outbox (claim → publish ids → send under a row lock).

Delivery guarantee, stated honestly. A reminder row is sent by whoever holds its row lock and
finds it still pending; the email goes out *inside* that lock and the row is marked sent in the
same transaction, so two workers, two sweeps or a redelivered message never both send. What
remains is one window: if the process dies after the mail server accepted the message and
before the transaction commits, the row is still pending when its lease expires and the
reminder is sent a second time (at-least-once in that window; at-most-once everywhere else).
Marking before sending would turn that into a possible lost reminder instead; a late second
reminder is the lesser harm. No task is ever scheduled weeks ahead (no ETA/countdown): the
rows are the schedule and the sweep is a plain periodic task.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Sequence
from smtplib import SMTPException
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as BrokerError

from matching.access import audit_user, client_access
from matching.audit import client_log
from matching.models import Client, Placement
from matching.selectors import host_email

from . import emails
from .models import UCLA_ITEMS, CheckIn, Reminder

logger = logging.getLogger(__name__)


class FollowUpError(Exception):
    """A rule refused the operation; the message is shown to the coordinator as it is."""


# --- the schedule ----------------------------------------------------------------------------


def intervals() -> list[int]:
    """The town's follow-up days after the start (settings.FOLLOWUP_INTERVALS_DAYS)."""
    return sorted({int(days) for days in settings.FOLLOWUP_INTERVALS_DAYS if int(days) >= 0})


def _at_remind_hour(day: dt.date) -> dt.datetime:
    hour = settings.FOLLOWUP_REMIND_HOUR
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour=hour)))


def reminders_for(checkin: CheckIn) -> list[Reminder]:
    """The reminder rows a follow-up check-in needs, due at the town's reminder hour."""
    if checkin.kind != CheckIn.Kind.FOLLOW_UP:
        return []
    due = _at_remind_hour(checkin.due_on)
    escalate = due + dt.timedelta(days=settings.FOLLOWUP_ESCALATE_AFTER_DAYS)
    rows = [
        Reminder(checkin=checkin, kind=Reminder.Kind.COORDINATOR, due_at=due),
        Reminder(checkin=checkin, kind=Reminder.Kind.ESCALATION, due_at=escalate),
    ]
    if checkin.with_host:
        rows.append(Reminder(checkin=checkin, kind=Reminder.Kind.HOST, due_at=due))
    return rows


def schedule_create(
    *, placement: Placement, by: Any, days: Sequence[int] | None = None
) -> list[CheckIn]:
    """The baseline and the follow-up check-ins of a placement that just became active.

    Called inside ``placement_activate``'s transaction, so an active placement always has its
    schedule and a rolled-back activation leaves neither. Nothing is enqueued for the future:
    the sweep finds the reminders when they fall due, whether or not Redis is up now.
    """
    if placement.checkins.exists():
        return list(placement.checkins.all())
    start = placement.started_on or timezone.localdate()
    steps = sorted(set(days if days is not None else intervals()))
    checkins = [
        CheckIn(placement=placement, kind=CheckIn.Kind.BASELINE, offset_days=0, due_on=start),
        *(
            CheckIn(
                placement=placement,
                kind=CheckIn.Kind.FOLLOW_UP,
                offset_days=offset,
                due_on=start + dt.timedelta(days=offset),
                with_host=settings.FOLLOWUP_ASK_HOST,
            )
            for offset in steps
        ),
    ]
    CheckIn.objects.bulk_create(checkins)
    reminders = Reminder.objects.bulk_create([r for c in checkins for r in reminders_for(c)])
    if any(r.due_at <= timezone.now() for r in reminders):
        # A back-dated start: something is due already. Kick a sweep once committed; robust,
        # so a dead broker costs this request a bounded publish and beat's sweep catches up.
        from .tasks import followup_sweep as followup_sweep_task

        transaction.on_commit(followup_sweep_task.delay, robust=True)
    client_log(
        client=placement.client, action="followups.schedule.create", by=by,
        placement=placement.pk, checkins=len(checkins),
    )  # fmt: skip
    return checkins


def schedule_cancel(*, placement: Placement) -> int:
    """A closed placement needs no more check-ins or reminders; recorded ones stay."""
    open_checkins = CheckIn.objects.filter(placement=placement, status=CheckIn.Status.PENDING)
    Reminder.objects.filter(checkin__placement=placement, status=Reminder.Status.PENDING).update(
        status=Reminder.Status.CANCELLED, leased_until=None
    )
    return open_checkins.update(status=CheckIn.Status.CANCELLED)


def _lock_checkin(checkin: CheckIn, by: Any) -> tuple[Client, CheckIn]:
    """Lock the client first (matching's order), then the check-in; team members only."""
    client = Client.objects.select_for_update().get(pk=checkin.placement.client_id)
    allowed = getattr(by, "is_superuser", False) or client.team_id in client_access(by).team_ids
    if not allowed:
        raise FollowUpError(_("Only the coordinators of the person's team can record follow-ups."))
    locked = CheckIn.objects.select_for_update(of=("self",)).select_related("placement")
    return client, locked.get(pk=checkin.pk)


@transaction.atomic
def checkin_reschedule(*, checkin: CheckIn, due_on: dt.date, by: Any) -> CheckIn:
    """Move one pending check-in (per-placement adjustment); its reminders move with it."""
    client, checkin = _lock_checkin(checkin, by)
    if checkin.status != CheckIn.Status.PENDING:
        raise FollowUpError(_("Only a check-in still to do can be moved."))
    if checkin.placement.started_on and due_on < checkin.placement.started_on:
        raise FollowUpError(_("The date cannot be before the placement started."))
    checkin.due_on = due_on
    checkin.save(update_fields=["due_on"])
    pending = {r.kind: r for r in reminders_for(checkin)}
    for reminder in checkin.reminders.select_for_update().filter(status=Reminder.Status.PENDING):
        reminder.due_at, reminder.leased_until = pending[reminder.kind].due_at, None
        reminder.save(update_fields=["due_at", "leased_until"])
    client_log(client=client, action="followups.checkin.reschedule", by=by, checkin=checkin.pk)
    return checkin


@transaction.atomic
def checkin_record(
    *,
    checkin: CheckIn,
    by: Any,
    attendance: str = "",
    ucla_no_company: int | None = None,
    ucla_left_out: int | None = None,
    ucla_isolated: int | None = None,
    life_satisfaction: int | None = None,
    notes: str = "",
    next_action: str = "",
) -> CheckIn:
    """Record a check-in; the last follow-up done with 'continuing' settles the placement."""
    client, checkin = _lock_checkin(checkin, by)
    placement = Placement.objects.select_for_update().get(pk=checkin.placement_id)
    if checkin.status != CheckIn.Status.PENDING:
        raise FollowUpError(_("This check-in is already recorded or cancelled."))
    if placement.status != Placement.Status.ACTIVE:
        raise FollowUpError(_("The placement is not active any more."))
    ucla = [ucla_no_company, ucla_left_out, ucla_isolated]
    if any(v is not None for v in ucla) and not all(v is not None for v in ucla):
        raise FollowUpError(_("Answer all three loneliness questions, or none of them."))
    if any(v is not None and v not in (1, 2, 3, 4) for v in ucla):
        raise FollowUpError(_("Loneliness answers are from 1 to 4."))
    if life_satisfaction is not None and not 0 <= life_satisfaction <= 10:
        raise FollowUpError(_("Life satisfaction is from 0 to 10."))
    if checkin.kind == CheckIn.Kind.FOLLOW_UP and attendance not in CheckIn.Attendance.values:
        raise FollowUpError(_("Choose how the person is attending."))
    values = dict(zip([name for name, _label in UCLA_ITEMS], ucla, strict=True))
    for name, value in {
        **values,
        "attendance": attendance,
        "life_satisfaction": life_satisfaction,
        "notes": notes,
        "next_action": next_action,
        "status": CheckIn.Status.DONE,
        "recorded_at": timezone.now(),
        "recorded_by": audit_user(by),
    }.items():
        setattr(checkin, name, value)
    checkin.save()
    # The host's question may still go out (their view is useful); the coordinator's may not.
    checkin.reminders.filter(
        status=Reminder.Status.PENDING,
        kind__in=(Reminder.Kind.COORDINATOR, Reminder.Kind.ESCALATION),
    ).update(status=Reminder.Status.CANCELLED, leased_until=None)
    client_log(
        client=client, action="followups.checkin.record", by=by, checkin=checkin.pk,
        attendance=attendance,
    )  # fmt: skip
    last = not placement.checkins.filter(
        kind=CheckIn.Kind.FOLLOW_UP, status=CheckIn.Status.PENDING
    ).exists()
    if (
        checkin.kind == CheckIn.Kind.FOLLOW_UP
        and last
        and (attendance == CheckIn.Attendance.CONTINUING)
    ):
        from matching.services import placement_close

        placement_close(
            placement=placement,
            status=Placement.Status.SETTLED,
            reason=_("Still taking part at the last follow-up."),
            by=by,
        )
    return checkin


def latest_attendance(placement: Placement) -> str:
    """The attendance of the most recent recorded follow-up ('' if none)."""
    done = placement.checkins.filter(
        kind=CheckIn.Kind.FOLLOW_UP, status=CheckIn.Status.DONE
    ).order_by("-recorded_at")
    return done.values_list("attendance", flat=True).first() or ""


# --- the host place's answer -----------------------------------------------------------------


@transaction.atomic
def host_answer(*, checkin_id: Any, attending: str, concern: bool, comment: str = "") -> bool:
    """The host place's answer through its one-time link; False if already answered/closed."""
    checkin = (
        CheckIn.objects.select_for_update(of=("self",))
        .select_related("placement")
        .filter(pk=checkin_id, with_host=True)
        .first()
    )
    if checkin is None or checkin.host_answered_at is not None:
        return False
    if checkin.status == CheckIn.Status.CANCELLED:
        return False
    if attending not in CheckIn.HostAttending.values:
        raise FollowUpError(_("Choose whether the person is attending."))
    checkin.host_attending, checkin.host_concern = attending, concern
    checkin.host_comment, checkin.host_answered_at = comment, timezone.now()
    checkin.save(
        update_fields=["host_attending", "host_concern", "host_comment", "host_answered_at"]
    )
    client_log(
        client=checkin.placement.client, action="followups.host.answer", by=None,
        checkin=checkin.pk,
    )  # fmt: skip
    return True


# --- the outbox: claim, publish, send --------------------------------------------------------


def _claimable(now: dt.datetime) -> Any:
    return Reminder.objects.filter(status=Reminder.Status.PENDING, due_at__lte=now).filter(
        Q(leased_until__isnull=True) | Q(leased_until__lt=now)
    )


@transaction.atomic
def reminders_claim(*, now: dt.datetime | None = None, limit: int | None = None) -> list[int]:
    """Lease the due reminders no one holds; skip rows another sweep is claiming right now.

    Two queries whatever the table holds: the partial index on pending rows' due time makes
    the select O(due), and one UPDATE sets the lease.
    """
    now = now or timezone.now()
    limit = limit or settings.FOLLOWUP_SWEEP_BATCH
    ids = list(
        _claimable(now)
        .select_for_update(skip_locked=True)
        .order_by("due_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    if ids:
        lease = now + dt.timedelta(seconds=settings.FOLLOWUP_LEASE_SECONDS)
        Reminder.objects.filter(pk__in=ids).update(leased_until=lease)
    return ids


def reminders_publish(ids: Sequence[int]) -> int:
    """Hand the claimed ids to Celery in chunks; stop at a broker error and free the rest.

    Chunks (FOLLOWUP_PUBLISH_CHUNK ids a message) keep a sweep of a thousand due reminders to a
    few dozen publishes. The project's publish retry policy bounds each attempt
    (tsunagu/settings/base.py), so a dead Redis costs the sweep a few seconds, not a hang.
    Freed rows go out with the next sweep; rows whose message is lost later (Redis flushed,
    worker killed) are claimed again when their lease runs out.
    """
    from .tasks import send_reminders as send_reminders_task

    size = max(settings.FOLLOWUP_PUBLISH_CHUNK, 1)
    published = 0
    for start in range(0, len(ids), size):
        chunk = list(ids[start : start + size])
        try:
            send_reminders_task.apply_async(
                (chunk,), retry=True, retry_policy=settings.CELERY_TASK_PUBLISH_RETRY_POLICY
            )
        except BrokerError:
            left = list(ids[published:])
            logger.warning("follow-up sweep: broker unavailable, %d left for later", len(left))
            Reminder.objects.filter(pk__in=left, status=Reminder.Status.PENDING).update(
                leased_until=None
            )
            break
        except Exception:
            # In-process (eager) runs: a failing chunk must not stop the others. Ids only.
            logger.error("follow-up sweep: reminders %s failed", chunk, exc_info=True)
        published += len(chunk)
    return published


def reminders_send_batch(*, reminder_ids: Sequence[int]) -> Exception | None:
    """Send each reminder on its own (own transaction, own row lock); one failing never stops
    the rest. Returns the last mail error of a reminder still pending, for the task to retry."""
    retry: Exception | None = None
    for pk in reminder_ids:
        try:
            reminder_send(reminder_id=pk)
        except (SMTPException, OSError) as exc:
            retry = exc
        except Exception:
            # A poison reminder: its attempt is counted on the row and it fails at the limit.
            logger.error("follow-up reminder %s failed", pk, exc_info=True)
    return retry


def sweep(*, now: dt.datetime | None = None) -> Counter[str]:
    """Beat's entry point: claim due reminders in batches and publish their ids."""
    done: Counter[str] = Counter()
    while True:
        ids = reminders_claim(now=now)
        if not ids:
            break
        done["claimed"] += len(ids)
        published = reminders_publish(ids)
        done["published"] += published
        if published < len(ids) or len(ids) < settings.FOLLOWUP_SWEEP_BATCH:
            break
    return done


def _still_needed(reminder: Reminder) -> bool:
    checkin = reminder.checkin
    if checkin.placement.status != Placement.Status.ACTIVE:
        return False
    if reminder.kind == Reminder.Kind.HOST:
        return checkin.status != CheckIn.Status.CANCELLED and checkin.host_answered_at is None
    return checkin.status == CheckIn.Status.PENDING


def _recipients(reminder: Reminder) -> list[str]:
    client = reminder.checkin.placement.client
    if reminder.kind == Reminder.Kind.HOST:
        email = host_email(reminder.checkin.placement.activity)
        return [email] if email else []
    if reminder.kind == Reminder.Kind.ESCALATION:
        members = client.team.memberships.filter(role="supervisor").select_related("user")
        found = [m.user.email for m in members if m.user.email and m.user.is_active]
    else:
        found = [u.email for u in client.coordinators.all() if u.email and u.is_active]
    return found or ([client.team.email] if client.team.email else [])


class NoRecipient(Exception):
    """Nobody to send to: fails the reminder at once (the dashboard shows it)."""


def reminder_send(*, reminder_id: int) -> str:
    """Send one reminder at most once per row lock; returns what happened.

    SMTP errors count an attempt (committed) and are raised again so Celery retries with
    backoff; after FOLLOWUP_MAX_ATTEMPTS the row is 'failed'. Any other error also counts and
    fails the row at the limit, so a poison message cannot loop for ever.
    """
    error: Exception | None = None
    with transaction.atomic():
        reminder = (
            Reminder.objects.select_for_update(of=("self",))
            .select_related("checkin__placement__client__team", "checkin__placement__activity")
            .filter(pk=reminder_id)
            .first()
        )
        if reminder is None:
            return "missing"
        if reminder.status != Reminder.Status.PENDING:
            return "already"
        if not _still_needed(reminder):
            reminder.status, reminder.leased_until = Reminder.Status.CANCELLED, None
            reminder.save(update_fields=["status", "leased_until"])
            return "cancelled"
        reminder.attempts += 1
        try:
            recipients = _recipients(reminder)
            if not recipients:
                raise NoRecipient
            emails.send_reminder(reminder, recipients)
        except Exception as exc:  # noqa: BLE001 — counted on the row, re-raised below
            error = exc
            reminder.last_error = exc.__class__.__name__[:200]
            if isinstance(exc, NoRecipient) or reminder.attempts >= settings.FOLLOWUP_MAX_ATTEMPTS:
                reminder.status = Reminder.Status.FAILED
            # Hold the lease while Celery's backoff runs, so the sweep does not double it.
            reminder.leased_until = timezone.now() + dt.timedelta(
                seconds=settings.FOLLOWUP_LEASE_SECONDS
            )
        else:
            reminder.status, reminder.sent_at = Reminder.Status.SENT, timezone.now()
            reminder.last_error = ""
        reminder.save(update_fields=["attempts", "last_error", "status", "sent_at", "leased_until"])
    if error is None:
        return "sent"
    logger.warning(
        "follow-up reminder %s: %s (attempt %d)", reminder_id, error.__class__.__name__,
        reminder.attempts,
    )  # fmt: skip
    if reminder.status == Reminder.Status.FAILED:
        return "failed"
    raise error
