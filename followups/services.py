"""Writes of the follow-up flow: the schedule and its messages, recording a check-in, the host's
answer.

Every email about a check-in is an outbox message (outbox/), enqueued in the transaction that
writes the schedule, one per check-in and kind (its key), with the placement as its topic so
closing the placement cancels what is still waiting. Sending, leases, retries and the
Message-ID are the outbox's; what a message says, and whether it is still needed when it
falls due, is ``followups.emails.compose``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from matching.access import audit_user, can_write_client, ensure_can_write
from matching.audit import client_log
from matching.emails import placement_topic as _placement_topic
from matching.models import Client, Placement
from outbox import services as outbox
from outbox.services import Spec

from .emails import COORDINATOR, ESCALATION, HOST
from .models import UCLA_ITEMS, CheckIn


class FollowUpError(Exception):
    """A rule refused the operation; the message is shown to the coordinator as it is."""


# --- the schedule ----------------------------------------------------------------------------


def intervals() -> list[int]:
    """The town's follow-up days after the start (settings.FOLLOWUP_INTERVALS_DAYS)."""
    return sorted({int(days) for days in settings.FOLLOWUP_INTERVALS_DAYS if int(days) >= 0})


def _at_remind_hour(day: dt.date) -> dt.datetime:
    hour = settings.FOLLOWUP_REMIND_HOUR
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour=hour)))


def message_key(kind: str, checkin_pk: Any) -> str:
    """At most one message of a kind per check-in, however often the schedule is written."""
    return f"{kind}:{checkin_pk}"


def placement_topic(placement_pk: Any) -> str:
    """What closing or pausing a placement cancels (matching's topic for the placement)."""
    return _placement_topic(placement_pk)


def reminders_for(checkin: CheckIn) -> list[Spec]:
    """The messages a follow-up check-in needs, due at the town's reminder hour."""
    if checkin.kind != CheckIn.Kind.FOLLOW_UP:
        return []
    due = _at_remind_hour(checkin.due_on)
    when = {
        COORDINATOR: due,
        ESCALATION: due + dt.timedelta(days=settings.FOLLOWUP_ESCALATE_AFTER_DAYS),
    }
    if checkin.with_host:
        when[HOST] = due
    return [
        Spec(
            kind=kind,
            object_id=checkin.pk,
            key=message_key(kind, checkin.pk),
            topic=placement_topic(checkin.placement_id),
            due_at=due_at,
        )
        for kind, due_at in when.items()
    ]


def reminders_reschedule(checkin: CheckIn) -> int:
    """Move the check-in's messages still waiting to its (new) due date."""
    keys: dict[dt.datetime, list[str]] = defaultdict(list)
    for spec in reminders_for(checkin):
        keys[spec.due_at].append(spec.key)
    return sum(outbox.reschedule(keys=k, due_at=due_at) for due_at, k in keys.items())


def schedule_create(
    *, placement: Placement, by: Any, days: Sequence[int] | None = None
) -> list[CheckIn]:
    """The baseline and the follow-up check-ins of a placement that just became active, and the
    messages about them.

    Called inside ``placement_activate``'s transaction, so an active placement always has its
    schedule and a rolled-back activation leaves neither check-ins nor messages. The dates count
    from ``placement.started_on``, which may lie in the past: every check-in is written, even
    one already due or overdue (it shows on the dashboard). Messages due in the future wait in
    the outbox for its sweep; one due lately is sent after commit; one whose day went by longer
    ago than the outbox keeps any message useful (``OUTBOX_DEFAULT_TTL_HOURS``) is recorded as
    not needed rather than sent as if it were news (``_cancel_long_gone``).
    """
    ensure_can_write(by, placement.client)
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
    specs = [spec for checkin in checkins for spec in reminders_for(checkin)]
    outbox.enqueue_many(specs)
    _cancel_long_gone(specs)
    client_log(
        client=placement.client, action="followups.schedule.create", by=by,
        placement=placement.pk, checkins=len(checkins),
    )  # fmt: skip
    return checkins


def _cancel_long_gone(specs: Sequence[Spec]) -> int:
    """A back-dated start: reminders for days long gone stay visible in the outbox as not
    needed, with the reason, instead of reaching a coordinator or host as if they were new.

    "Long gone" is the outbox's own measure of usefulness: a message it could not send within
    ``OUTBOX_DEFAULT_TTL_HOURS`` of its due time would have expired there. Cancelled, not
    expired: nothing failed, so the dashboard's failed-sends count stays meaningful.
    """
    cutoff = timezone.now() - dt.timedelta(hours=settings.OUTBOX_DEFAULT_TTL_HOURS)
    keys = [spec.key for spec in specs if spec.key and spec.due_at and spec.due_at <= cutoff]
    if not keys:
        return 0
    return outbox.cancel(
        keys=keys, reason=_("The placement started on an earlier date: this day had gone by.")
    )


def schedule_cancel(*, placement: Placement) -> int:
    """A closed placement needs no more check-ins or messages; recorded ones stay, and a
    message being sent right now finishes (the outbox never cancels a row being sent)."""
    outbox.cancel(topic=placement_topic(placement.pk), reason=_("The placement was closed."))
    open_checkins = CheckIn.objects.filter(placement=placement, status=CheckIn.Status.PENDING)
    return open_checkins.update(status=CheckIn.Status.CANCELLED)


def schedule_pause(*, placement: Placement) -> int:
    """A paused placement (consent withdrawn): nothing more goes to the host or the staff.

    The check-ins stay to do, off the dashboard while the placement is not active, and move on
    by the length of the pause when it resumes (``schedule_resume``).
    """
    return outbox.cancel(topic=placement_topic(placement.pk), reason=_("The placement was paused."))


def schedule_resume(*, placement: Placement, paused_on: dt.date, by: Any) -> list[CheckIn]:
    """The placement is active again: its check-ins still to do move by the days it was paused,
    and their messages are queued again (a placement paused before it started gets its
    schedule now)."""
    ensure_can_write(by, placement.client)
    if not placement.checkins.exists():
        return schedule_create(placement=placement, by=by)
    shift = max(timezone.localdate() - paused_on, dt.timedelta(0))
    pending = list(placement.checkins.filter(status=CheckIn.Status.PENDING))
    for checkin in pending:
        checkin.due_on += shift
    CheckIn.objects.bulk_update(pending, ["due_on"])
    outbox.requeue(spec for checkin in pending for spec in reminders_for(checkin))
    return pending


def checkins_erase(*, client: Client) -> int:
    """The client is being erased: the coordinator's and the host's free text goes; the
    answers that feed the statistics (attendance, scales) stay, with nobody behind them."""
    rows = CheckIn.objects.filter(placement__client=client)
    return rows.update(notes="", next_action="", host_comment="")


def _lock_checkin(checkin: CheckIn, by: Any) -> tuple[Client, CheckIn]:
    """Lock the client first (matching's order), then the check-in; for those who may write the
    client only (its own team), refused as a form error."""
    client = Client.objects.select_for_update().get(pk=checkin.placement.client_id)
    if not can_write_client(by, client):
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
    reminders_reschedule(checkin)
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
    outbox.cancel(
        keys=[message_key(kind, checkin.pk) for kind in (COORDINATOR, ESCALATION)],
        reason=_("The check-in was recorded."),
    )
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
    if checkin.placement.status != Placement.Status.ACTIVE:
        return False  # paused or closed: no contact with the host, either way
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
