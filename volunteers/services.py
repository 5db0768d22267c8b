"""Writes with a rule: consent, approval, slots and the waiting list, never-twice emails, erasure.

Every message is an outbox row written in the transaction that makes it necessary (a rolled-back
sign-up sends nothing), keyed where it must exist once, and on a topic that cancelling the
sign-up or withdrawing cancels. A shift's reminder is queued when the sign-up is confirmed, due
the day before: the outbox is the schedule.
"""

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log
from wagtail.models import ModelLogEntry

from outbox.services import Spec, cancel, enqueue, enqueue_many
from resources.contact_keys import phone_key
from resources.models import Organization, Term
from tsunagu.throttle import within_limit

from . import codes, emails
from .links import Purpose, max_age
from .models import PRIVACY_NOTICE_VERSION, EmailChange, HoursEntry, Shift, SignUp, Volunteer
from .models.pages import quarter_hours
from .models.people import new_calendar_token

CLAIM_BATCH = 500
# Reminders go out the day before the shift at this local hour: office hours, so a volunteer who
# calls back reaches someone, and a cancellation leaves the next person waiting most of a day.
REMINDER_AT = dt.time(10)
# Thank-yous go out for shifts that ended this recently; older ones are history, not news.
THANKS_WINDOW = dt.timedelta(days=3)
# A thank-you not sent this long after its shift ended has stopped being useful (it expires).
THANKS_USEFUL_FOR = dt.timedelta(days=5)
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
    "signup_code": "",
    "signup_code_failures": 0,
    "signup_code_issued_at": None,
}


def _tell_volunteer(kind: str, volunteer_id: int, *, once: bool, object_id: str = "") -> None:
    """A message about the volunteer; ``once`` keys it, link requests are rate-limited instead."""
    enqueue(
        Spec(
            kind=kind,
            object_id=object_id or volunteer_id,
            key=emails.once_key(kind, volunteer_id) if once else None,
            topic=emails.volunteer_topic(volunteer_id),
        )
    )


def _tell_signup(kind: str, signup: SignUp, shift: Shift) -> None:
    """A message about a sign-up, at most once, useful until the shift starts."""
    enqueue(
        Spec(
            kind=kind,
            object_id=signup.pk,
            key=emails.once_key(kind, signup.pk),
            topic=emails.signup_topic(signup.pk),
            expires_at=shift.starts,
        )
    )


def _reminder(signup_id: int, shift: Shift, now: dt.datetime) -> Spec | None:
    """The day-before reminder of a confirmed sign-up, useful until the shift starts.

    Due at ``REMINDER_AT`` the day before, or now when that has passed. A sign-up made on the
    day of the shift gets none: there is no day before, and its confirmation says the same.
    """
    if shift.date <= timezone.localdate(now):
        return None
    day_before = shift.date - dt.timedelta(days=1)
    due = dt.datetime.combine(day_before, REMINDER_AT, tzinfo=ZoneInfo(settings.TIME_ZONE))
    return Spec(
        kind=emails.REMINDER,
        object_id=signup_id,
        key=emails.reminder_key(signup_id, shift),
        topic=emails.signup_topic(signup_id),
        due_at=due if due > now else None,
        expires_at=shift.starts,
    )


def _tell_confirmed(kind: str, signup: SignUp, shift: Shift) -> None:
    """Tell a newly confirmed volunteer, and schedule their reminder."""
    _tell_signup(kind, signup, shift)
    if (reminder := _reminder(signup.pk, shift, timezone.now())) is not None:
        enqueue(reminder)


def _link_email_allowed(email: str) -> bool:
    key = "volunteers:link-emails:" + hashlib.sha256(email.encode()).hexdigest()
    return within_limit(key, limit=LINK_EMAILS_PER_HOUR, seconds=3600)


# --- Volunteers


@dataclass(frozen=True)
class Registration:
    """What registering did: the record (an existing one for a known address, which the page
    must not reveal), whether it is new, and the sign-up code for someone without email."""

    volunteer: Volunteer
    is_new: bool
    code: str = ""


@transaction.atomic
def volunteer_registration(
    *, fields: dict[str, Any], consent: bool, skills: Iterable[Term] = ()
) -> Registration:
    """Store a registration with its consent, awaiting a coordinator's approval.

    An address already registered gets its "my page" link instead of a duplicate record; the
    page shown afterwards is the same, so the form reveals nobody's membership. Someone who gave
    no email address gets a sign-up code (returned once, stored hashed): they will sign up for
    shifts with it and their telephone number.
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
            _tell_volunteer(emails.ALREADY_REGISTERED, existing.pk, once=False)
        return Registration(volunteer=existing, is_new=False)
    code = "" if email else codes.new_code()
    volunteer = Volunteer.objects.create(
        **fields,
        status=Volunteer.Status.PENDING,
        consent_at=timezone.now(),
        privacy_notice_version=PRIVACY_NOTICE_VERSION,
        signup_code=codes.hashed(code) if code else "",
        signup_code_issued_at=timezone.now() if code else None,
    )
    volunteer.skills.set(skills)
    _tell_volunteer(emails.REGISTERED, volunteer.pk, once=True)
    _tell_volunteer(emails.NEW_REGISTRATION, volunteer.pk, once=True)
    return Registration(volunteer=volunteer, is_new=True, code=code)


def volunteer_register(
    *, fields: dict[str, Any], skills: Iterable[Term], consent: bool
) -> Volunteer:
    """``volunteer_registration`` for callers that need only the record (staff, imports)."""
    return volunteer_registration(fields=fields, skills=skills, consent=consent).volunteer


@transaction.atomic
def volunteer_issue_code(*, volunteer: Volunteer, by: AbstractBaseUser | None = None) -> str:
    """A new sign-up code for the volunteer (the old one stops working); returned once, for staff
    to read out on the telephone. Logged, without the code."""
    volunteer = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    if volunteer.status == Volunteer.Status.WITHDRAWN:
        raise ValidationError(_("This volunteer has withdrawn."), code="withdrawn")
    code = codes.new_code()
    volunteer.signup_code = codes.hashed(code)
    volunteer.signup_code_failures = 0
    volunteer.signup_code_issued_at = timezone.now()
    volunteer.save(
        update_fields=[
            "signup_code", "signup_code_failures", "signup_code_issued_at", "updated_at"
        ]
    )  # fmt: skip
    log(instance=volunteer, action="volunteers.issue_code", user=by)
    return code


@transaction.atomic
def volunteer_by_code(*, phone: str, code: str) -> Volunteer | None:
    """The volunteer with this telephone number whose sign-up code this is, or None.

    A wrong code counts against every registration with that number, and commits (so the
    caller's error does not undo it); ``codes.MAX_FAILURES`` void a code.
    """
    digits = phone_key(phone)
    candidates = list(
        Volunteer.objects.select_for_update()
        .exclude(status=Volunteer.Status.WITHDRAWN)
        .exclude(signup_code="")
        .filter(phone_key=digits)
        .order_by("pk")
        if digits
        else []
    )
    if not candidates:
        codes.spend_time_like_a_check(code)
        return None
    for volunteer in candidates:
        if codes.matches(volunteer, code):
            if volunteer.signup_code_failures:
                volunteer.signup_code_failures = 0
                volunteer.save(update_fields=["signup_code_failures", "updated_at"])
            return volunteer
    Volunteer.objects.filter(pk__in=[v.pk for v in candidates]).update(
        signup_code_failures=F("signup_code_failures") + 1
    )
    return None


def _wrong_code() -> ValidationError:
    return ValidationError(
        _(
            "The telephone number or the code is not right. After five wrong tries the code "
            "stops working: then please telephone the volunteer office for a new one."
        ),
        code="wrong_code",
    )


def signup_by_code(*, shift: Shift, phone: str, code: str) -> SignUp:
    """Sign up with a telephone number and sign-up code, for someone without email."""
    volunteer = volunteer_by_code(phone=phone, code=code)
    if volunteer is None:
        raise _wrong_code()
    return signup_create(volunteer=volunteer, shift=shift)


def signup_cancel_by_code(*, shift: Shift, phone: str, code: str) -> SignUp:
    """Cancel one's sign-up (or waiting-list place) for a shift with number and code."""
    volunteer = volunteer_by_code(phone=phone, code=code)
    if volunteer is None:
        raise _wrong_code()
    signup = SignUp.objects.active().filter(volunteer=volunteer, shift=shift).first()
    if signup is None:
        raise ValidationError(
            _("We could not find a sign-up of yours for this date."), code="no_signup"
        )
    return signup_cancel(signup=signup)


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
    _tell_volunteer(emails.APPROVED, volunteer.pk, once=True)
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


@transaction.atomic
def volunteer_email_change_request(*, volunteer: Volunteer, email: str) -> EmailChange:
    """Ask the new address to confirm and tell the old one; the address itself stays for now.

    A new request replaces a pending one (its link stops working). Requests count against the
    new address's link-email limit, so this page cannot be used to flood someone's inbox.
    """
    if not _link_email_allowed(email):
        raise ValidationError(
            _("Too many emails have been sent to this address. Please try again in an hour."),
            code="throttled",
        )
    EmailChange.objects.filter(volunteer=volunteer).delete()
    change = EmailChange.objects.create(
        volunteer=volunteer, new_email=email, old_email=volunteer.email
    )
    link_expires = timezone.now() + max_age(Purpose.EMAIL)
    enqueue(
        Spec(
            kind=emails.EMAIL_CHANGE_CONFIRM,
            object_id=change.pk,
            topic=emails.volunteer_topic(volunteer.pk),
            expires_at=link_expires,
        )
    )
    if change.old_email:
        enqueue(
            Spec(
                kind=emails.EMAIL_CHANGE_NOTICE,
                object_id=change.pk,
                topic=emails.volunteer_topic(volunteer.pk),
            )
        )
    return change


@transaction.atomic
def volunteer_email_change_confirm(*, volunteer: Volunteer, change_id: int) -> Volunteer:
    """The new address answered: use it, and revoke every link sent to the old one."""
    volunteer = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    change = EmailChange.objects.filter(
        pk=change_id, volunteer=volunteer, confirmed_at__isnull=True
    ).first()
    if change is None:
        raise ValidationError(
            _("This change has been confirmed already or replaced by a newer one."),
            code="gone",
        )
    taken = (
        Volunteer.objects.exclude(pk=volunteer.pk)
        .exclude(status=Volunteer.Status.WITHDRAWN)
        .filter(email=change.new_email)
        .exists()
    )
    if taken:
        raise ValidationError(_("This email address is already registered."), code="taken")
    volunteer.email = change.new_email
    volunteer.token_version += 1
    volunteer.save(update_fields=["email", "token_version", "updated_at"])
    change.confirmed_at = timezone.now()
    change.save(update_fields=["confirmed_at"])
    return volunteer


def volunteer_reset_calendar(*, volunteer: Volunteer) -> None:
    """A new secret calendar URL; the old one stops working at once."""
    volunteer.calendar_token = new_calendar_token()
    volunteer.save(update_fields=["calendar_token", "updated_at"])


@transaction.atomic
def volunteer_withdraw(*, volunteer: Volunteer, by: AbstractBaseUser | None = None) -> Volunteer:
    """Erase the person and keep only anonymous counts (sign-ups and hours, without names).

    Upcoming sign-ups are cancelled first, so their places go to the waiting list. Messages
    not yet sent to the person are cancelled; links and the calendar URL die with the token
    version; the admin history loses the name too.
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
    _cancel_messages(volunteer)
    SignUp.objects.filter(volunteer=volunteer).update(person_key="")
    HoursEntry.objects.filter(volunteer=volunteer).update(description="")
    EmailChange.objects.filter(volunteer=volunteer).delete()
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
        _tell_volunteer(emails.MANAGE_LINK, volunteer.pk, once=False)


# --- Sign-ups


def signup_request(*, shift: Shift, email: str) -> None:
    """From the public page: email a confirmation link to an active volunteer with this address.

    Unknown or inactive addresses get nothing, and the page says the same either way.
    """
    volunteer = Volunteer.objects.filter(status=Volunteer.Status.ACTIVE, email=email).first()
    if volunteer is not None and _link_email_allowed(email):
        _tell_volunteer(
            emails.SIGNUP_LINK, volunteer.pk, once=False, object_id=f"{volunteer.pk}:{shift.pk}"
        )


@transaction.atomic
def signup_create(*, volunteer: Volunteer, shift: Shift) -> SignUp:
    """A place on the shift, or on its waiting list when every slot is taken.

    The shift row is locked first, so people racing for the last slot queue here and each sees
    the sign-ups committed before it: confirmed sign-ups can never outnumber the slots.
    Signing up twice returns the existing sign-up; the same person under another registration
    (same email address, or same number and reading) is refused, by the database too.
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
    person = codes.person_key(volunteer)
    if _person_signed_up(shift, person):
        raise _already_signed_up()
    now = timezone.now()
    confirmed = SignUp.objects.confirmed().filter(shift=shift).count() < shift.slots
    try:
        with transaction.atomic():  # the shift lock queues sign-ups; the constraint holds anyway
            signup = SignUp.objects.create(
                volunteer=volunteer,
                shift=shift,
                status=SignUp.Status.CONFIRMED if confirmed else SignUp.Status.WAITLISTED,
                confirmed_at=now if confirmed else None,
                person_key=person,
            )
    except IntegrityError as exc:
        raise _already_signed_up() from exc
    if confirmed:
        _tell_confirmed(emails.SIGNUP_CONFIRMED, signup, shift)
    else:
        _tell_signup(emails.SIGNUP_WAITLISTED, signup, shift)
    return signup


def _person_signed_up(shift: Shift, person: str) -> bool:
    """The same person has an active sign-up for the shift under another registration."""
    return bool(person) and SignUp.objects.active().filter(shift=shift, person_key=person).exists()


def _already_signed_up() -> ValidationError:
    return ValidationError(
        _(
            "You are already signed up for this date (under another registration with the same "
            "email address or telephone number)."
        ),
        code="already",
    )


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
        _tell_confirmed(emails.PROMOTED, signup, shift)
    return promoted


def _cancel(signup: SignUp, shift: Shift) -> SignUp:
    signup = SignUp.objects.get(pk=signup.pk)  # re-read under the shift lock
    if signup.status == SignUp.Status.CANCELLED:
        return signup
    was_confirmed = signup.status == SignUp.Status.CONFIRMED
    signup.status = SignUp.Status.CANCELLED
    signup.cancelled_at = timezone.now()
    signup.save(update_fields=["status", "cancelled_at"])
    cancel(topic=emails.signup_topic(signup.pk), reason=_("The sign-up was cancelled."))
    if was_confirmed:
        _fill_from_waitlist(shift)
    return signup


def _cancel_messages(volunteer: Volunteer) -> None:
    """Cancel what is queued for a withdrawing volunteer: about them, and about each sign-up
    whose messages may still be useful (a thank-you is the last, a few days after the shift)."""
    reason = _("The volunteer has withdrawn.")
    cancel(topic=emails.volunteer_topic(volunteer.pk), reason=reason)
    recent = SignUp.objects.filter(
        volunteer=volunteer,
        shift__date__gte=timezone.localdate() - THANKS_WINDOW - THANKS_USEFUL_FOR,
    )
    for signup_id in recent.values_list("pk", flat=True):
        cancel(topic=emails.signup_topic(signup_id), reason=reason)


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


# --- Reminders and thank-yous


def shift_reminders_schedule(*, shifts: Iterable[Shift]) -> int:
    """Make sure every confirmed sign-up of these shifts has a reminder for the shift's current
    date and time (after an editor moved a shift); returns how many it queued."""
    now = timezone.now()
    by_id = {shift.pk: shift for shift in shifts}
    confirmed = SignUp.objects.confirmed().filter(shift_id__in=list(by_id))
    specs = [
        spec
        for signup_id, shift_id in confirmed.values_list("pk", "shift_id")
        if (spec := _reminder(signup_id, by_id[shift_id], now)) is not None
    ]
    return enqueue_many(specs)


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
    """Log hours for confirmed sign-ups of shifts that just ended, and queue their thank-yous.

    Sign-ups are claimed in batches under their row locks (skipping rows another sweep holds)
    and marked ``hours_logged_at`` in the same transaction: PostgreSQL re-checks that column on
    a row whose lock it waited for, so two sweeps never log one sign-up twice, and the key
    keeps the thank-you single whatever happens. Returns how many were claimed.
    """
    local = timezone.localtime(now)
    ended = Q(shift__date__lt=local.date()) | Q(
        shift__date=local.date(), shift__ends_at__lte=local.time()
    )
    due = SignUp.objects.filter(
        ended,
        status=SignUp.Status.CONFIRMED,
        hours_logged_at__isnull=True,
        shift__date__gte=local.date() - THANKS_WINDOW,
    )
    zone = ZoneInfo(settings.TIME_ZONE)
    claimed = 0
    while True:
        with transaction.atomic():
            rows = list(
                due.select_for_update(skip_locked=True, of=("self",))
                .order_by("pk")
                .values_list("pk", "shift__date", "shift__ends_at")[:CLAIM_BATCH]
            )
            if not rows:
                return claimed
            ids = [pk for pk, _date, _ends in rows]
            SignUp.objects.filter(pk__in=ids).update(hours_logged_at=timezone.now())
            _log_shift_hours(ids)
            enqueue_many(
                Spec(
                    kind=emails.THANKS,
                    object_id=pk,
                    key=emails.once_key(emails.THANKS, pk),
                    topic=emails.signup_topic(pk),
                    expires_at=dt.datetime.combine(date, ends, tzinfo=zone) + THANKS_USEFUL_FOR,
                )
                for pk, date, ends in rows
            )
        claimed += len(rows)


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
