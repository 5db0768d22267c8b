"""Writes with rules: signing up (capacity, deadline, once per person) with its confirmation
enqueued in the outbox, cancelling (which cancels a confirmation not sent yet), erasing."""

import datetime as dt
import logging
import math
import re
from collections.abc import Iterator

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from outbox import services as outbox
from resources import caching
from resources.contact_keys import email_key, phone_key
from tsunagu.text import normalize

from .emails import SIGNUP_CONFIRMATION, signup_confirmation_key, signup_topic
from .models import EventPage, EventSignup
from .models.signups import ALREADY_SIGNED_UP, MAX_PARTY_SIZE

logger = logging.getLogger(__name__)

# Dashes people type between phone digits (ー, －, ‐, −…), and the brackets around area codes.
_PHONE_DASHES = re.compile("[\u2010-\u2015\u2212\u2500\u30fc\uff0d\uff70]")
_PHONE_NOISE = re.compile(r"[\s()]")
BATCH_SIZE = 500


def _phone(value: str) -> str:
    value = _PHONE_DASHES.sub("-", normalize(value))
    return _PHONE_NOISE.sub("", value).strip("-")


def party_limit(capacity: int | None) -> int:
    """The most people one sign-up may bring: the setting, and at most half of a limited event's
    seats (rounded up), so one anonymous request cannot fill a small event. Counted against the
    capacity, not the seats left: a family may still take the last seats."""
    limit = min(settings.EVENT_SIGNUP_MAX_PARTY_SIZE, MAX_PARTY_SIZE)
    if capacity is not None:
        limit = min(limit, max(1, math.ceil(capacity / 2)))
    return limit


@transaction.atomic
def signup_create(
    *,
    event: EventPage,
    name: str,
    kana: str = "",
    phone: str = "",
    email: str = "",
    party_size: int = 1,
    note: str = "",
    now: dt.datetime | None = None,
) -> EventSignup:
    """Take a sign-up if the event is open and has room; raise ValidationError (Japanese) if not.

    The event row is locked first, so two people cannot both take the last seat: the second
    waits for the first to commit, then counts the seats again. One person (telephone number or
    email address, normalised) signs up once per event: a second try is refused in Japanese, and
    the database's constraint refuses it even if the lock were bypassed.
    """
    signup = EventSignup(
        name=normalize(name),
        kana=normalize(kana),
        phone=_phone(phone),
        email=normalize(email).lower(),
        party_size=party_size,
        note=normalize(note),
    )
    signup.full_clean(exclude=["event", "token"])
    signup.phone_key, signup.email_key = phone_key(signup.phone), email_key(signup.email)

    locked = EventPage.objects.select_for_update(of=("self",)).get(pk=event.pk)
    now = now or timezone.now()
    if not locked.live or locked.cancelled:
        raise ValidationError({NON_FIELD_ERRORS: _("This event is not taking applications.")})
    if locked.how_to_apply != EventPage.Application.FORM:
        raise ValidationError(
            {NON_FIELD_ERRORS: _("This event does not take applications online.")}
        )
    if now >= locked.start or (
        locked.application_deadline is not None and now > locked.application_deadline
    ):
        raise ValidationError({NON_FIELD_ERRORS: _("Applications for this event have closed.")})
    left = None
    if locked.capacity is not None:
        left = locked.capacity - EventSignup.objects.seats_taken(event=locked)
        if left <= 0:
            raise ValidationError({NON_FIELD_ERRORS: _("Sorry, this event is full.")})
    if _already_signed_up(signup, locked):
        raise ValidationError({NON_FIELD_ERRORS: ALREADY_SIGNED_UP})
    if party_size > (limit := party_limit(locked.capacity)):
        message = _(
            "One application can be for up to %(max)d people. For more, please contact the "
            "organiser."
        )
        raise ValidationError({"party_size": message % {"max": limit}})
    if left is not None and party_size > left:
        raise ValidationError({"party_size": _("Only %(left)d places are left.") % {"left": left}})
    signup.event = locked
    try:
        # The event lock already queues applicants; the constraint is what holds regardless.
        with transaction.atomic():
            signup.save()
    except IntegrityError as exc:
        raise ValidationError({NON_FIELD_ERRORS: ALREADY_SIGNED_UP}) from exc
    # Useless once the event has started; sent (or put on the call list) right after commit.
    outbox.enqueue(
        outbox.Spec(
            kind=SIGNUP_CONFIRMATION,
            object_id=signup.pk,
            key=signup_confirmation_key(signup.pk),
            topic=signup_topic(signup.pk),
            expires_at=locked.start,
        )
    )
    return signup


def _already_signed_up(signup: EventSignup, event: EventPage) -> bool:
    """An active sign-up for the event with the same telephone number or email address."""
    same = Q()
    if signup.phone_key:
        same |= Q(phone_key=signup.phone_key)
    if signup.email_key:
        same |= Q(email_key=signup.email_key)
    return bool(same) and EventSignup.objects.filter(same, event=event).active().exists()


@transaction.atomic
def signup_cancel(*, signup: EventSignup, now: dt.datetime | None = None) -> EventSignup:
    """Cancel a sign-up (idempotent), freeing its seats and cancelling its confirmation if it
    has not been sent yet (one being sent finishes, and is recorded as sent)."""
    locked = EventSignup.objects.select_for_update().get(pk=signup.pk)
    if locked.cancelled_at is None:
        locked.cancelled_at = now or timezone.now()
        locked.save(update_fields=["cancelled_at"])
        outbox.cancel(topic=signup_topic(locked.pk), reason=_("The sign-up was cancelled."))
    return locked


def signups_erase_expired(*, now: dt.datetime | None = None, batch_size: int = BATCH_SIZE) -> int:
    """Anonymise sign-ups of events that ended more than the retention period ago.

    Names and contacts go; the rows stay with their party sizes, so attendance can still be
    counted. Idempotent, in primary-key batches each in its own transaction.
    """
    days = settings.EVENTS_SIGNUP_RETENTION_DAYS
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    # A series that repeats for ever (ends_at null) has not ended.
    expired = EventSignup.objects.filter(erased_at__isnull=True, event__ends_at__lt=cutoff)
    erased, last_pk = 0, 0
    while True:
        batch = list(
            expired.filter(pk__gt=last_pk).order_by("pk").values_list("pk", flat=True)[:batch_size]
        )
        if not batch:
            break
        with transaction.atomic():
            erased += EventSignup.objects.filter(pk__in=batch, erased_at__isnull=True).update(
                name="", kana="", phone="", email="", note="", token=None,
                phone_key="", email_key="", erased_at=timezone.now(),
            )  # fmt: skip
        last_pk = batch[-1]
    if erased:
        logger.info("Erased personal data of %d event sign-ups", erased)
    return erased


def _each_in_batches(queryset: QuerySet, batch_size: int) -> Iterator:
    """Objects of ``queryset`` in primary-key order, ``batch_size`` rows per query."""
    last_pk = 0
    while batch := list(queryset.filter(pk__gt=last_pk).order_by("pk")[:batch_size]):
        yield from batch
        last_pk = batch[-1].pk


def occurrences_extend(*, now: dt.datetime | None = None, batch_size: int = BATCH_SIZE) -> int:
    """Store the dates of series that repeat for ever up to the horizon (idempotent)."""
    forever = EventPage.objects.filter(ends_at__isnull=True).exclude(frequency="")
    count = 0
    for event in _each_in_batches(forever.prefetch_related("exdates"), batch_size):
        with transaction.atomic():
            event.store_occurrences(now)
        count += 1
    if count:
        # Cached month grids were laid out from the stored dates just replaced.
        caching.invalidate()
    return count


def events_refresh_ical(*, batch_size: int = BATCH_SIZE) -> int:
    """Render every event's stored VEVENT again (idempotent)."""
    count = 0
    events = EventPage.objects.select_related("place").prefetch_related("exdates")
    for event in _each_in_batches(events, batch_size):
        event.store_ical()
        count += 1
    return count
