"""Writes: claiming due reminders (and handing them to the outbox), and confirming a listing.

Never twice: a sweep locks the due rows it reads (skipping rows another sweep holds) and inserts
one ``VerificationReminder`` per (listing, cycle) under a unique constraint, tagged with its own
claim token — whatever another worker inserted first is not this sweep's. In the same
transaction it enqueues one outbox message per recipient, and each reminder points at its
recipient's message: the reminders and the messages commit together or not at all, and the
outbox sends each message at most once per key (with its leases, retries and Message-ID).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections import defaultdict

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from wagtail.log_actions import log
from wagtail.models import Revision

from outbox.models import Message
from outbox.services import Spec, enqueue_many
from resources import caching
from resources.models import ListingPage, Organization

from . import emails, selectors
from .models import VerificationReminder

logger = logging.getLogger(__name__)

CONFIRMED_ACTION = "verification.confirmed"
Route = VerificationReminder.Route


def _locked(queryset: QuerySet) -> QuerySet:
    """Lock what a sweep reads, skipping rows another sweep holds (PostgreSQL; SQLite
    serialises writers anyway and the unique constraint still guards it)."""
    if connection.features.has_select_for_update_skip_locked:
        return queryset.select_for_update(skip_locked=True, of=("self",))
    return queryset


def reminders_claim(*, today: dt.date | None = None, now: dt.datetime | None = None) -> list[int]:
    """Claim every due listing and operator record and enqueue one message per recipient.

    Returns the ids of the reminders this sweep claimed. The queries do not depend on how many
    listings are not due (they are filtered out in the database and never loaded), nor on how
    many recipients there are.
    """
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    token = uuid.uuid4()
    town = emails.default_town()
    with transaction.atomic():
        pages = _locked(selectors.due_listings(today=today, now=now).order_by("pk"))
        organizations = _locked(selectors.due_organizations(today=today).order_by("pk"))
        due = [
            (VerificationReminder(page_id=pk, cycle=cycle, claim=token), operator, email, phone)
            for pk, cycle, operator, email, phone in pages.values_list(
                "pk", "cycle", "organization_id", "organization__email", "organization__phone"
            )
        ] + [
            (VerificationReminder(organization_id=pk, cycle=cycle, claim=token), pk, email, phone)
            for pk, cycle, email, phone in organizations.values_list(
                "pk", "cycle", "email", "phone"
            )
        ]
        if not due:
            return []
        # By recipient: an operator (by email or telephone), or None for the town office.
        groups: dict[int | None, list[VerificationReminder]] = defaultdict(list)
        for reminder, operator, email, phone in due:
            reminder.route = emails.route_for(email=email or "", phone=phone or "", town=town)
            if reminder.route in (Route.OPERATOR, Route.CALL):
                groups[operator].append(reminder)
            elif reminder.route == Route.TOWN:
                groups[None].append(reminder)
        _enqueue(groups, token=token, now=now)
        ids = _insert_claimed([reminder for reminder, *_ in due], token)
    logger.info("verification sweep claimed %d reminders", len(ids))
    return ids


def _enqueue(
    groups: dict[int | None, list[VerificationReminder]], *, token: uuid.UUID, now: dt.datetime
) -> None:
    """One outbox message per recipient; each reminder is pointed at its recipient's.

    A reminder not delivered before the listing is shown as possibly out of date has missed
    its purpose: it expires then, visibly, and the stale report takes over.
    """
    expires = now + relativedelta(months=settings.VERIFICATION_STALE_AFTER_MONTHS)
    keys = {operator: emails.message_key(token, operator) for operator in groups}
    enqueue_many(
        Spec(kind=emails.KIND, object_id=operator or "", key=key, expires_at=expires)
        for operator, key in keys.items()
    )
    messages = dict(Message.objects.filter(key__in=keys.values()).values_list("key", "pk"))
    for operator, reminders in groups.items():
        for reminder in reminders:
            reminder.message_id = messages[keys[operator]]


def _insert_claimed(rows: list[VerificationReminder], token: uuid.UUID) -> list[int]:
    """Insert the sweep's rows; returns the ids of those that are this sweep's.

    A row another sweep inserted first is skipped by the unique constraint and keeps that
    sweep's token and message (this sweep's message then finds nothing of its own and drops
    itself), so it is not read back here.
    """
    VerificationReminder.objects.bulk_create(rows, ignore_conflicts=True)
    mine = VerificationReminder.objects.filter(claim=token).order_by("pk")
    return list(mine.values_list("pk", flat=True))


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
