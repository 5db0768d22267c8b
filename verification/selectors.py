"""Reads: which listings and operators are due a reminder, and which are stale.

A listing's *cycle* is the date it was last verified — ``assured_date``, or the day it was last
published when nobody has verified it yet (operators' records: the day they were last edited).
Due: the cycle is at least ``VERIFICATION_REMIND_AFTER_MONTHS`` old and no reminder exists for
it. Stale: a further ``VERIFICATION_STALE_AFTER_MONTHS`` have passed. Events that are over need
no verification, so they are neither due nor stale. Sample (demo) data is never emailed.
"""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from resources.models import ListingPage, Organization

from .models import VerificationReminder


def remind_cutoff(today: dt.date) -> dt.date:
    """Listings verified on or before this day are due a reminder."""
    return today - relativedelta(months=settings.VERIFICATION_REMIND_AFTER_MONTHS)


def stale_cutoff(today: dt.date) -> dt.date:
    """Listings verified on or before this day are flagged as possibly out of date."""
    months = settings.VERIFICATION_REMIND_AFTER_MONTHS + settings.VERIFICATION_STALE_AFTER_MONTHS
    return today - relativedelta(months=months)


def _not_over(now: dt.datetime) -> Q:
    # Only events have ends_at; places, activities and opportunities have no event row.
    return (
        Q(eventpage__isnull=True)
        | Q(eventpage__ends_at__isnull=True)
        | Q(eventpage__ends_at__gt=now)
    )


def listings_with_cycle(*, now: dt.datetime | None = None) -> QuerySet[ListingPage]:
    """Live listings that still need verifying, annotated with their ``cycle`` date."""
    now = now or timezone.now()
    return (
        ListingPage.objects.live()
        .filter(_not_over(now))
        .annotate(cycle=Coalesce("assured_date", TruncDate("last_published_at")))
    )


def due_listings(*, today: dt.date, now: dt.datetime | None = None) -> QuerySet[ListingPage]:
    """Listings whose cycle is old enough and that have had no reminder for it."""
    reminded = VerificationReminder.objects.filter(page=OuterRef("pk"), cycle=OuterRef("cycle"))
    return (
        listings_with_cycle(now=now)
        .filter(cycle__lte=remind_cutoff(today), is_sample=False)
        .exclude(Exists(reminded))
    )


def due_organizations(*, today: dt.date) -> QuerySet[Organization]:
    """Operators' own records (contact details) due a reminder, the same way."""
    reminded = VerificationReminder.objects.filter(
        organization=OuterRef("pk"), cycle=OuterRef("cycle")
    )
    return (
        Organization.objects.annotate(cycle=Coalesce("assured_date", TruncDate("last_modified")))
        .filter(cycle__lte=remind_cutoff(today), is_sample=False)
        .exclude(Exists(reminded))
    )


def stale_listings(*, today: dt.date, now: dt.datetime | None = None) -> QuerySet[ListingPage]:
    """What the staff report lists: live listings past the reminder and the grace period."""
    return listings_with_cycle(now=now).filter(cycle__lte=stale_cutoff(today))


def listing_cycle(page: ListingPage) -> dt.date | None:
    """The same date as the ``cycle`` annotation, for one page already in memory."""
    if page.assured_date:
        return page.assured_date
    if page.last_published_at:
        return timezone.localdate(page.last_published_at)
    return None


def organization_cycle(organization: Organization) -> dt.date | None:
    if organization.assured_date:
        return organization.assured_date
    if organization.last_modified:
        return timezone.localdate(organization.last_modified)
    return None


def listing_is_stale(page: ListingPage, *, today: dt.date | None = None) -> bool:
    """True when the page should say its information may be out of date (no query)."""
    today = today or timezone.localdate()
    ends_at = getattr(page, "ends_at", None)
    if ends_at is not None and ends_at <= timezone.now():
        return False
    cycle = listing_cycle(page)
    return cycle is not None and cycle <= stale_cutoff(today)
