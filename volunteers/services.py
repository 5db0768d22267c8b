"""Writes with a rule: consent, approval, slots and the waiting list, never-twice emails, erasure.

Emails are queued with ``transaction.on_commit``: a task never runs before the row it reads exists,
and a rolled-back sign-up sends nothing.
"""

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log
from wagtail.models import ModelLogEntry

from resources.models import Organization, Term

from . import emails, tasks
from .models import (
    PRIVACY_NOTICE_VERSION,
    HoursEntry,
    Notice,
    Shift,
    SignUp,
    Volunteer,
)
from .models.pages import quarter_hours
from .models.people import new_calendar_token

CLAIM_BATCH = 500
# Thank-yous go out for shifts that ended this recently; older ones are history, not news.
THANKS_WINDOW = dt.timedelta(days=3)
# Link emails per address per hour: the public forms must not become a way to flood an inbox.
LINK_EMAILS_PER_HOUR = 3
# Withdrawal blanks everything that identifies or describes the person.
ERASED_FIELDS: dict[str, Any] = {
    "name": "",
    "kana": "",
    "email": "",
    "phone": "",
    "area": None,
    "age_band": "",
    "availability": 0,
    "travel_range": Volunteer.Travel.TOWN,
    "has_car": False,
    "languages": "",
    "willing_to_accompany": False,
    "notes": "",
    "public_profile": False,
    "display_name": "",
    "show_skills": False,
    "show_district": False,
    "show_message": False,
    "public_message": "",
}


def _email_on_commit(kind: str, volunteer_id: int, object_id: int | None = None) -> None:
    transaction.on_commit(lambda: tasks.send_volunteer_email.delay(kind, volunteer_id, object_id))


def _link_email_allowed(email: str) -> bool:
    key = "volunteers:link-emails:" + hashlib.sha256(email.encode()).hexdigest()
    if cache.add(key, 1, timeout=3600):
        return True
    try:
        return cache.incr(key) <= LINK_EMAILS_PER_HOUR
    except ValueError:  # expired between add and incr
        return True


# --- Volunteers


@transaction.atomic
def volunteer_register(
    *, fields: dict[str, Any], skills: Iterable[Term], consent: bool
) -> Volunteer:
    """Store a registration with its consent, awaiting a coordinator's approval.

    An address already registered gets its "my page" link instead of a duplicate record; the
    page shown afterwards is the same, so the form reveals nobody's membership.
    """
    if not consent:
        raise ValidationError(_("Please agree to how we use your information."), code="consent")
    email = fields.get("email") or ""
    existing = (
        Volunteer.objects.exclude(status=Volunteer.Status.WITHDRAWN).filter(email=email).first()
        if email
        else None
    )
    if existing is not None:
        if _link_email_allowed(email):
            _email_on_commit("already_registered", existing.pk)
        return existing
    volunteer = Volunteer.objects.create(
        **fields,
        status=Volunteer.Status.PENDING,
        consent_at=timezone.now(),
        privacy_notice_version=PRIVACY_NOTICE_VERSION,
    )
    volunteer.skills.set(skills)
    _email_on_commit("registered", volunteer.pk)
    transaction.on_commit(lambda: tasks.notify_coordinators.delay(volunteer.pk))
    return volunteer


@transaction.atomic
def volunteer_approve(*, volunteer: Volunteer, by: AbstractBaseUser) -> Volunteer:
    """A coordinator accepts a registration; the volunteer gets a welcome with their link."""
    volunteer = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    if volunteer.status != Volunteer.Status.PENDING:
        raise ValidationError(_("Only a registration awaiting approval can be approved."))
    volunteer.status = Volunteer.Status.ACTIVE
    volunteer.approved_at = timezone.now()
    volunteer.approved_by = by
    volunteer.save(update_fields=["status", "approved_at", "approved_by", "updated_at"])
    log(instance=volunteer, action="volunteers.approve", user=by)
    _email_on_commit("approved", volunteer.pk)
    return volunteer


def volunteer_set_paused(*, volunteer: Volunteer, paused: bool) -> Volunteer:
    """Pause (no new sign-ups, hidden from lists) or come back; sign-ups already made stand."""
    before, after = (
        (Volunteer.Status.ACTIVE, Volunteer.Status.PAUSED)
        if paused
        else (Volunteer.Status.PAUSED, Volunteer.Status.ACTIVE)
    )
    if volunteer.status != before:
        raise ValidationError(_("This cannot be changed now."))
    volunteer.status = after
    volunteer.save(update_fields=["status", "updated_at"])
    return volunteer


def volunteer_revoke_links(*, volunteer: Volunteer) -> None:
    """Invalidate every link sent so far (after a lost phone, or a changed address)."""
    Volunteer.objects.filter(pk=volunteer.pk).update(token_version=F("token_version") + 1)
    volunteer.refresh_from_db(fields=["token_version"])


def volunteer_reset_calendar(*, volunteer: Volunteer) -> None:
    """A new secret calendar URL; the old one stops working at once."""
    volunteer.calendar_token = new_calendar_token()
    volunteer.save(update_fields=["calendar_token", "updated_at"])


@transaction.atomic
def volunteer_withdraw(*, volunteer: Volunteer, by: AbstractBaseUser | None = None) -> Volunteer:
    """Erase the person and keep only anonymous counts (sign-ups and hours, without names).

    Upcoming sign-ups are cancelled first, so their places go to the waiting list. Links and
    the calendar URL die with the token version; the admin history loses the name too.
    """
    volunteer = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    if volunteer.status == Volunteer.Status.WITHDRAWN:
        return volunteer
    upcoming = SignUp.objects.active().filter(
        volunteer=volunteer, shift__date__gte=timezone.localdate()
    )
    for signup in upcoming:
        shift = Shift.objects.select_for_update().get(pk=signup.shift_id)
        _cancel(signup, shift)
    HoursEntry.objects.filter(volunteer=volunteer).update(description="")
    volunteer.skills.clear()
    for field, value in ERASED_FIELDS.items():
        setattr(volunteer, field, value)
    volunteer.status = Volunteer.Status.WITHDRAWN
    volunteer.withdrawn_at = timezone.now()
    volunteer.token_version += 1
    volunteer.calendar_token = new_calendar_token()
    volunteer.save()
    log(instance=volunteer, action="volunteers.withdraw", user=by)
    ModelLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Volunteer), object_id=str(volunteer.pk)
    ).update(label=str(volunteer))
    return volunteer


def volunteer_send_link(*, email: str) -> None:
    """Email "my page" to a registered address; say nothing about unknown ones."""
    volunteer = (
        Volunteer.objects.exclude(status=Volunteer.Status.WITHDRAWN).filter(email=email).first()
    )
    if volunteer is not None and _link_email_allowed(email):
        _email_on_commit("manage_link", volunteer.pk)


# --- Sign-ups


def signup_request(*, shift: Shift, email: str) -> None:
    """From the public page: email a confirmation link to an active volunteer with this address.

    Unknown or inactive addresses get nothing, and the page says the same either way.
    """
    volunteer = Volunteer.objects.filter(status=Volunteer.Status.ACTIVE, email=email).first()
    if volunteer is not None and _link_email_allowed(email):
        _email_on_commit("signup_link", volunteer.pk, shift.pk)


@transaction.atomic
def signup_create(*, volunteer: Volunteer, shift: Shift) -> SignUp:
    """A place on the shift, or on its waiting list when every slot is taken.

    The shift row is locked first, so people racing for the last slot queue here and each sees
    the sign-ups committed before it: confirmed sign-ups can never outnumber the slots.
    Signing up twice returns the existing sign-up.
    """
    shift = Shift.objects.select_for_update().get(pk=shift.pk)
    if volunteer.status != Volunteer.Status.ACTIVE:
        raise ValidationError(_("Only active volunteers can sign up."), code="inactive")
    if shift.starts <= timezone.now():
        raise ValidationError(_("This shift has already started."), code="started")
    if not shift.opportunity.live:
        raise ValidationError(_("This opportunity is no longer open."), code="closed")
    existing = SignUp.objects.active().filter(volunteer=volunteer, shift=shift).first()
    if existing is not None:
        return existing
    now = timezone.now()
    if SignUp.objects.confirmed().filter(shift=shift).count() < shift.slots:
        signup = SignUp.objects.create(
            volunteer=volunteer, shift=shift, status=SignUp.Status.CONFIRMED, confirmed_at=now
        )
        _email_on_commit("signup_confirmed", volunteer.pk, signup.pk)
    else:
        signup = SignUp.objects.create(
            volunteer=volunteer, shift=shift, status=SignUp.Status.WAITLISTED
        )
        _email_on_commit("signup_waitlisted", volunteer.pk, signup.pk)
    return signup


def _fill_from_waitlist(shift: Shift) -> list[SignUp]:
    """Promote the longest-waiting sign-ups into free slots; the caller holds the shift lock."""
    free = shift.slots - SignUp.objects.confirmed().filter(shift=shift).count()
    if free <= 0:
        return []
    promoted = list(
        SignUp.objects.filter(shift=shift, status=SignUp.Status.WAITLISTED).order_by(
            "created_at", "pk"
        )[:free]
    )
    now = timezone.now()
    for signup in promoted:
        signup.status = SignUp.Status.CONFIRMED
        signup.confirmed_at = signup.promoted_at = now
        signup.save(update_fields=["status", "confirmed_at", "promoted_at"])
        _email_on_commit("promoted", signup.volunteer_id, signup.pk)
    return promoted


def _cancel(signup: SignUp, shift: Shift) -> SignUp:
    signup = SignUp.objects.get(pk=signup.pk)  # re-read under the shift lock
    if signup.status == SignUp.Status.CANCELLED:
        return signup
    was_confirmed = signup.status == SignUp.Status.CONFIRMED
    signup.status = SignUp.Status.CANCELLED
    signup.cancelled_at = timezone.now()
    signup.save(update_fields=["status", "cancelled_at"])
    if was_confirmed:
        _fill_from_waitlist(shift)
    return signup


@transaction.atomic
def signup_cancel(*, signup: SignUp) -> SignUp:
    """Give up a place (or leave the waiting list); the next person waiting moves up and is told."""
    shift = Shift.objects.select_for_update().get(pk=signup.shift_id)
    if signup.status != SignUp.Status.CANCELLED and shift.starts <= timezone.now():
        raise ValidationError(
            _("This shift has already started. Please contact the organiser instead."),
            code="started",
        )
    return _cancel(signup, shift)


@transaction.atomic
def shift_fill_from_waitlist(*, shift: Shift) -> list[SignUp]:
    """After an editor adds slots: move waiting volunteers up into them."""
    shift = Shift.objects.select_for_update().get(pk=shift.pk)
    if shift.starts <= timezone.now():
        return []
    return _fill_from_waitlist(shift)


# --- Reminders and thank-yous: claimed once by a sweep, delivered at most once.


def _claim(
    due: QuerySet[SignUp], kind: str, *, on_claim: Callable[[list[int]], None] | None = None
) -> int:
    """Claim due sign-ups in batches: lock (skipping rows another sweep holds), insert the unique
    notices in the same transaction, and queue the batch's delivery once it is committed."""
    unclaimed = due.exclude(Exists(Notice.objects.filter(signup=OuterRef("pk"), kind=kind)))
    claimed = 0
    while True:
        with transaction.atomic():
            ids = list(
                unclaimed.select_for_update(skip_locked=True, of=("self",))
                .order_by("pk")
                .values_list("pk", flat=True)[:CLAIM_BATCH]
            )
            if not ids:
                return claimed
            # The lock may have been granted only after another sweep committed its notices for
            # these rows, which the locking statement's snapshot could not see; this one can.
            taken = set(
                Notice.objects.filter(signup_id__in=ids, kind=kind).values_list(
                    "signup_id", flat=True
                )
            )
            ids = [pk for pk in ids if pk not in taken]
            if not ids:
                continue
            notices = Notice.objects.bulk_create([Notice(signup_id=pk, kind=kind) for pk in ids])
            if on_claim is not None:
                on_claim(ids)
            notice_ids = [notice.pk for notice in notices]
            transaction.on_commit(lambda ids=notice_ids: tasks.deliver_notices.delay(ids))
        claimed += len(ids)


def signup_reminders_claim(*, today: dt.date | None = None) -> int:
    """Claim tomorrow's confirmed sign-ups that have had no reminder; returns how many."""
    tomorrow = (today or timezone.localdate()) + dt.timedelta(days=1)
    due = SignUp.objects.filter(
        status=SignUp.Status.CONFIRMED, shift__date=tomorrow, shift__opportunity__live=True
    )
    return _claim(due, Notice.Kind.REMINDER)


def _log_shift_hours(signup_ids: list[int]) -> None:
    rows = SignUp.objects.filter(pk__in=signup_ids).values(
        "pk",
        "volunteer_id",
        "shift__date",
        "shift__starts_at",
        "shift__ends_at",
        "shift__opportunity__organization_id",
    )
    HoursEntry.objects.bulk_create(
        [
            HoursEntry(
                volunteer_id=row["volunteer_id"],
                signup_id=row["pk"],
                organization_id=row["shift__opportunity__organization_id"],
                date=row["shift__date"],
                hours=quarter_hours(row["shift__starts_at"], row["shift__ends_at"]),
                source=HoursEntry.Source.SHIFT,
            )
            for row in rows
        ],
        ignore_conflicts=True,
    )


def signup_thanks_claim(*, now: dt.datetime | None = None) -> int:
    """Log hours for confirmed sign-ups of shifts that just ended, and claim their thank-yous."""
    local = timezone.localtime(now)
    ended = Q(shift__date__lt=local.date()) | Q(
        shift__date=local.date(), shift__ends_at__lte=local.time()
    )
    due = SignUp.objects.filter(
        ended,
        status=SignUp.Status.CONFIRMED,
        shift__date__gte=local.date() - THANKS_WINDOW,
    )
    return _claim(due, Notice.Kind.THANKS, on_claim=_log_shift_hours)


def notices_deliver(*, notice_ids: Iterable[int]) -> int:
    """Send claimed notices that have not been sent and whose sign-up still stands.

    Each is marked delivered before it is sent: a worker killed mid-send loses that email
    rather than sending it twice. A send that fails is un-marked, the rest of the batch still
    goes, and the first error is raised so the task's retry sends what is left.
    """
    notices = Notice.objects.filter(pk__in=list(notice_ids), delivered_at__isnull=True)
    notices = notices.select_related(
        "signup__volunteer", "signup__shift__opportunity", "signup__hours_entry"
    ).order_by("pk")
    town = emails.default_town()
    sent, error = 0, None
    for notice in notices:
        mine = Notice.objects.filter(pk=notice.pk, delivered_at__isnull=True).update(
            delivered_at=timezone.now()
        )
        if not mine or notice.signup.status != SignUp.Status.CONFIRMED:
            continue
        try:
            sent += emails.send_signup_email(kind=notice.kind, signup=notice.signup, town=town)
        except Exception as exc:  # noqa: BLE001 — un-marked here, re-raised after the batch
            Notice.objects.filter(pk=notice.pk).update(delivered_at=None)
            error = error or exc
    if error is not None:
        raise error
    return sent


# --- Hours


def hours_log(
    *,
    volunteer: Volunteer,
    date: dt.date,
    hours: Decimal,
    organization: Organization | None = None,
    description: str = "",
) -> HoursEntry:
    """Hours the volunteer did outside a shift; staff approve them before they count."""
    if date > timezone.localdate():
        raise ValidationError(_("Hours can only be logged for today or earlier."))
    entry = HoursEntry(
        volunteer=volunteer,
        date=date,
        hours=hours,
        organization=organization,
        description=description,
        source=HoursEntry.Source.SELF,
        volunteer_confirmed=True,
    )
    entry.full_clean()
    entry.save()
    return entry


def hours_confirm(*, entry: HoursEntry, hours: Decimal) -> HoursEntry:
    """The volunteer confirms, or corrects, the hours logged from a shift."""
    if entry.status != HoursEntry.Status.PENDING:
        raise ValidationError(_("These hours have already been reviewed."))
    entry.hours = hours
    entry.volunteer_confirmed = True
    entry.full_clean()
    entry.save(update_fields=["hours", "volunteer_confirmed"])
    return entry


def hours_review(*, entry_ids: Iterable[int], approve: bool, by: AbstractBaseUser) -> int:
    """Staff approve (they count in the totals) or reject pending hours; returns how many."""
    status = HoursEntry.Status.APPROVED if approve else HoursEntry.Status.REJECTED
    return HoursEntry.objects.filter(
        pk__in=list(entry_ids), status=HoursEntry.Status.PENDING
    ).update(status=status, reviewed_by=by, reviewed_at=timezone.now())
