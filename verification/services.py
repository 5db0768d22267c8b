"""Writes: claiming due reminders, delivering them, and confirming a listing is still correct.

Never twice: a sweep locks the due rows it reads (skipping rows another sweep holds) and inserts
one ``VerificationReminder`` per (listing, cycle) under a unique constraint, tagged with its own
claim token — whatever another worker inserted first is not this sweep's to send. Delivery marks
each batch sent before sending, so a worker killed mid-send loses that email rather than sending
it twice; a send that fails is un-marked and retried by the task.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections import defaultdict
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from wagtail.log_actions import log
from wagtail.models import Revision

from resources import caching
from resources.models import ListingPage, Organization
from tsunagu.models import TownSettings

from . import emails, selectors, tasks
from .links import Kind, LinkTarget
from .models import VerificationReminder

logger = logging.getLogger(__name__)

CONFIRMED_ACTION = "verification.confirmed"


def _locked(queryset: QuerySet) -> QuerySet:
    """Lock what a sweep reads, skipping rows another sweep holds (PostgreSQL; SQLite
    serialises writers anyway and the unique constraint still guards it)."""
    if connection.features.has_select_for_update_skip_locked:
        return queryset.select_for_update(skip_locked=True, of=("self",))
    return queryset


def reminders_claim(*, today: dt.date | None = None, now: dt.datetime | None = None) -> list[int]:
    """Claim every due listing and operator record; queue their delivery once committed.

    Returns the ids of the reminders this sweep claimed. The queries do not depend on how many
    listings are not due: those are filtered out in the database and never loaded.
    """
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    token = uuid.uuid4()
    with transaction.atomic():
        pages = _locked(selectors.due_listings(today=today, now=now).order_by("pk"))
        organizations = _locked(selectors.due_organizations(today=today).order_by("pk"))
        rows = [
            VerificationReminder(page_id=pk, cycle=cycle, claim=token)
            for pk, cycle in pages.values_list("pk", "cycle")
        ] + [
            VerificationReminder(organization_id=pk, cycle=cycle, claim=token)
            for pk, cycle in organizations.values_list("pk", "cycle")
        ]
        if not rows:
            return []
        ids = _insert_claimed(rows, token)
        transaction.on_commit(lambda: tasks.deliver_verification_reminders.delay(ids))
    logger.info("verification sweep claimed %d reminders", len(ids))
    return ids


def _insert_claimed(rows: list[VerificationReminder], token: uuid.UUID) -> list[int]:
    """Insert the sweep's rows; returns the ids of those that are this sweep's to send.

    A row another sweep inserted first is skipped by the unique constraint and keeps that
    sweep's token, so it is not read back here.
    """
    VerificationReminder.objects.bulk_create(rows, ignore_conflicts=True)
    mine = VerificationReminder.objects.filter(claim=token).order_by("pk")
    return list(mine.values_list("pk", flat=True))


def _recipient(organization: Organization | None, town: TownSettings | None) -> tuple[str, str]:
    """(address, outcome): the operator's email, else the town office's, else none."""
    if organization is not None and organization.email:
        return organization.email, VerificationReminder.Outcome.SENT
    if town is not None and town.email:
        return town.email, VerificationReminder.Outcome.SENT_TO_TOWN
    return "", VerificationReminder.Outcome.NO_ADDRESS


def _item(reminder: VerificationReminder) -> emails.ReminderItem:
    if reminder.page_id:
        page = reminder.page
        return emails.item_for(
            page,
            target=LinkTarget(Kind.LISTING, page.pk, reminder.cycle),
            title=page.title,
            kind_label=str(page.content_type.model_class()._meta.verbose_name),
            public_url=page.get_full_url() or "",
        )
    organization = reminder.organization
    return emails.item_for(
        organization,
        target=LinkTarget(Kind.OPERATOR, organization.pk, reminder.cycle),
        title=organization.name,
        kind_label=str(Organization._meta.verbose_name),
        public_url="",
    )


def reminders_deliver(*, reminder_ids: Iterable[int]) -> int:
    """Send claimed reminders that are not sent yet: one email per recipient.

    The batch is locked and marked sent in one short transaction (a handful of queries however
    many recipients), then the emails go out. Reminders with nowhere to go are marked so and
    left to the staff report. A send that fails is un-marked, the rest still go, and the first
    error is raised so the task's retry sends only what is left. Returns the emails sent.
    """
    town = emails.default_town()
    groups: dict[tuple[str, str], list[VerificationReminder]] = defaultdict(list)
    with transaction.atomic():
        pending = _locked(
            VerificationReminder.objects.filter(
                pk__in=list(reminder_ids), delivered_at__isnull=True
            )
        ).select_related("page__content_type", "page__organization", "organization")
        for reminder in pending.order_by("pk"):
            operator = reminder.page.organization if reminder.page_id else reminder.organization
            groups[_recipient(operator, town)].append(reminder)
        marked_at = timezone.now()
        by_outcome: dict[str, list[int]] = defaultdict(list)
        for (_, outcome), group in groups.items():
            by_outcome[outcome] += [reminder.pk for reminder in group]
        for outcome, ids in by_outcome.items():
            VerificationReminder.objects.filter(pk__in=ids).update(
                delivered_at=marked_at, outcome=outcome
            )
    sent, error = 0, None
    for (address, outcome), group in groups.items():
        if not address:
            continue
        try:
            sent += emails.send_reminder(
                recipient=address,
                items=[_item(reminder) for reminder in group],
                town=town,
                to_town=outcome == VerificationReminder.Outcome.SENT_TO_TOWN,
            )
        except Exception as exc:  # noqa: BLE001 — un-marked here, re-raised after the batch
            VerificationReminder.objects.filter(pk__in=[r.pk for r in group]).update(
                delivered_at=None, outcome=VerificationReminder.Outcome.PENDING
            )
            error = error or exc
    if error is not None:
        raise error
    return sent


# --- Confirming ----------------------------------------------------------------------------


@transaction.atomic
def listing_confirm(*, page: ListingPage, on: dt.date | None = None) -> ListingPage:
    """Record that the operator says the listing is still correct, as of ``on`` (today).

    Set on the live row and in the live and latest revisions, so publishing a draft made
    earlier does not roll the date back; logged, and the public pages' cache dropped.
    """
    on = on or timezone.localdate()
    ListingPage.objects.filter(pk=page.pk).update(assured_date=on)
    page.assured_date = on
    revision_ids = {page.latest_revision_id, page.live_revision_id} - {None}
    for revision in Revision.objects.filter(pk__in=revision_ids):
        revision.content["assured_date"] = on.isoformat()
        revision.save(update_fields=["content"])
    log(
        instance=page.specific,
        action=CONFIRMED_ACTION,
        data={"assured_date": on.isoformat()},
    )
    transaction.on_commit(caching.invalidate)
    return page


@transaction.atomic
def organization_confirm(*, organization: Organization, on: dt.date | None = None) -> Organization:
    """The same for an operator's own record (contact details)."""
    on = on or timezone.localdate()
    Organization.objects.filter(pk=organization.pk).update(assured_date=on)
    organization.assured_date = on
    log(
        instance=organization,
        action=CONFIRMED_ACTION,
        data={"assured_date": on.isoformat()},
    )
    transaction.on_commit(caching.invalidate)
    return organization
