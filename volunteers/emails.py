"""What volunteers and coordinators are told, composed from ids when the outbox sends it.

Every kind is registered with the outbox (``register``, from the app's ``ready()``). Its
``compose`` reads the records again under the outbox row's lock and decides: an email in the
site language, a line on the staff's call list for someone with only a telephone number, or
``Drop`` when the message is no longer needed (withdrawn, cancelled, moved, no longer pending).
Links are made here, at send time, from ids: tokens never sit in a queue or a table.
"""

import functools
from collections.abc import Callable

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from outbox import registry
from outbox.models import Message
from outbox.registry import Call, Drop, Email, Outcome
from tsunagu.models import TownSettings

from . import selectors
from .links import Purpose, link_url
from .models import EmailChange, Shift, SignUp, Volunteer
from .templatetags.volunteers_tags import hours, shift_when

# The kinds of message; ``object_id`` is the volunteer, the sign-up, (SIGNUP_LINK)
# "<volunteer>:<shift>", or (EMAIL_CHANGE_*) the EmailChange.
REGISTERED = "volunteers.registered"
ALREADY_REGISTERED = "volunteers.already_registered"
APPROVED = "volunteers.approved"
MANAGE_LINK = "volunteers.manage_link"
SIGNUP_LINK = "volunteers.signup_link"
NEW_REGISTRATION = "volunteers.new_registration"
SIGNUP_CONFIRMED = "volunteers.signup_confirmed"
SIGNUP_WAITLISTED = "volunteers.signup_waitlisted"
PROMOTED = "volunteers.promoted"
REMINDER = "volunteers.reminder"
THANKS = "volunteers.thanks"
EMAIL_CHANGE_CONFIRM = "volunteers.email_change_confirm"
EMAIL_CHANGE_NOTICE = "volunteers.email_change_notice"


def volunteer_topic(volunteer_id: int) -> str:
    """What withdrawing cancels: everything addressed to the person."""
    return f"volunteer:{volunteer_id}"


def signup_topic(signup_id: int) -> str:
    """What cancelling a sign-up (or withdrawing) cancels."""
    return f"signup:{signup_id}"


def once_key(kind: str, object_id: int) -> str:
    """The key of a message that exists at most once for its object."""
    return f"{kind}:{object_id}"


def reminder_key(signup_id: int, shift: Shift) -> str:
    """One reminder per sign-up *and start time*: a shift moved to another day or hour gets a
    new reminder, and the old one finds that its key no longer matches and drops itself."""
    return f"{REMINDER}:{signup_id}:{shift.date:%Y%m%d}T{shift.starts_at:%H%M}"


def default_town() -> TownSettings | None:
    """The town's name and office for the signature (one query; None before it is set up)."""
    return TownSettings.objects.filter(site__is_default_site=True).first()


def _render(template: str, context: dict, recipients: list[str]) -> Email:
    subject = render_to_string(f"volunteers/email/{template}_subject.txt", context)
    body = render_to_string(f"volunteers/email/{template}.txt", context)
    return Email(to=recipients, subject=" ".join(subject.split()), body=body)


def _base_context(volunteer: Volunteer) -> dict:
    return {
        "volunteer": volunteer,
        "town": default_town(),
        "manage_url": link_url(purpose=Purpose.MANAGE, volunteer=volunteer),
        "hours": settings.VOLUNTEER_SIGN_IN_LINK_HOURS,
    }


def _to_volunteer(
    volunteer: Volunteer, template: str, context: Callable[[], dict], summary: Callable[[], str]
) -> Outcome:
    """An email when there is an address; otherwise a call, so nobody is silently skipped.

    ``context`` and ``summary`` are only built for the one that is needed (the call list
    composes its entries on every view, and needs no links).
    """
    if volunteer.email:
        return _render(template, {**_base_context(volunteer), **context()}, [volunteer.email])
    if volunteer.phone:
        return Call(name=volunteer.name, phone=volunteer.phone, summary=summary())
    return Drop(_("The volunteer has neither an email address nor a telephone number."))


def _in_site_language(compose: Callable[[Message], Outcome]) -> Callable[[Message], Outcome]:
    """Emails, call-list summaries and reasons in the site language, whoever triggers them."""

    @functools.wraps(compose)
    def composed(message: Message) -> Outcome:
        with translation.override(settings.LANGUAGE_CODE):
            return compose(message)

    return composed


def _volunteer(volunteer_id: int | str) -> Volunteer | Drop:
    volunteer = Volunteer.objects.filter(pk=volunteer_id).first()
    if volunteer is None:
        return Drop(_("The volunteer is no longer on record."))
    if volunteer.status == Volunteer.Status.WITHDRAWN:
        return Drop(_("The volunteer has withdrawn."))
    return volunteer


def _shift_summary(shift: Shift) -> str:
    title, when = shift.opportunity.title, shift_when(shift)
    where = " ".join(part for part in (shift.opportunity.venue, shift.opportunity.address) if part)
    if where:
        return _("“%(title)s”, %(when)s, at %(where)s") % {
            "title": title,
            "when": when,
            "where": where,
        }
    return _("“%(title)s”, %(when)s") % {"title": title, "when": when}


# --- About the volunteer alone


VOLUNTEER_SUMMARIES = {
    REGISTERED: gettext_lazy(
        "We have received your volunteer registration. A coordinator will check it and contact you."
    ),
    ALREADY_REGISTERED: gettext_lazy(
        "Someone tried to register your details again. You are already registered, so "
        "nothing has changed."
    ),
    APPROVED: gettext_lazy(
        "Your volunteer registration has been approved. Welcome, and thank you!"
    ),
    MANAGE_LINK: gettext_lazy(
        "You asked for the link to your volunteer page, but we have no email address to send it to."
    ),
}


@_in_site_language
def _compose_volunteer(message: Message) -> Outcome:
    volunteer = _volunteer(message.object_id)
    if isinstance(volunteer, Drop):
        return volunteer
    template = message.kind.removeprefix("volunteers.")
    return _to_volunteer(
        volunteer, template, lambda: {}, lambda: str(VOLUNTEER_SUMMARIES[message.kind])
    )


@_in_site_language
def _compose_signup_link(message: Message) -> Outcome:
    volunteer_id, _sep, shift_id = message.object_id.partition(":")
    volunteer = _volunteer(volunteer_id)
    if isinstance(volunteer, Drop):
        return volunteer
    if volunteer.status != Volunteer.Status.ACTIVE:
        return Drop(_("The volunteer is not active."))
    shift = Shift.objects.select_related("opportunity").filter(pk=shift_id).first()
    if shift is None or shift.starts <= timezone.now():
        return Drop(_("The shift has started or no longer exists."))
    return _to_volunteer(
        volunteer,
        "signup_link",
        lambda: {
            "shift": shift,
            "confirm_url": link_url(
                purpose=Purpose.SIGNUP, volunteer=volunteer, object_id=shift.pk
            ),
        },
        lambda: (
            _("You asked to sign up for %(shift)s: do you want to come?")
            % {"shift": _shift_summary(shift)}
        ),
    )


@_in_site_language
def _compose_new_registration(message: Message) -> Outcome:
    """Tell coordinators a registration awaits approval; the details stay behind the login."""
    volunteer = _volunteer(message.object_id)
    if isinstance(volunteer, Drop):
        return volunteer
    if volunteer.status != Volunteer.Status.PENDING:
        return Drop(_("The registration is no longer awaiting approval."))
    recipients = list(selectors.volunteer_coordinators().values_list("email", flat=True))
    if not recipients:
        return Drop(_("No volunteer coordinator has an email address."))
    path = reverse("volunteer_register:inspect", args=[volunteer.pk])
    context = {"admin_url": settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path}
    return _render("new_registration", context, recipients)


# --- A change of email address: a link to the new address, a notice to the old one


def _email_change(message: Message) -> EmailChange | Drop:
    change = EmailChange.objects.select_related("volunteer").filter(pk=message.object_id).first()
    if change is None:
        return Drop(_("The change of email address was replaced or withdrawn."))
    if change.volunteer.status == Volunteer.Status.WITHDRAWN:
        return Drop(_("The volunteer has withdrawn."))
    return change


@_in_site_language
def _compose_email_change_confirm(message: Message) -> Outcome:
    """To the new address only, with no sign-in link: it is not theirs until they confirm."""
    change = _email_change(message)
    if isinstance(change, Drop):
        return change
    if change.confirmed_at is not None:
        return Drop(_("The new email address has been confirmed already."))
    volunteer = change.volunteer
    context = {
        "volunteer": volunteer,
        "town": default_town(),
        "manage_url": "",
        "confirm_url": link_url(purpose=Purpose.EMAIL, volunteer=volunteer, object_id=change.pk),
        "hours": settings.VOLUNTEER_SIGN_IN_LINK_HOURS,
    }
    return _render("email_change_confirm", context, [change.new_email])


@_in_site_language
def _compose_email_change_notice(message: Message) -> Outcome:
    """To the old address, even after the change went through: that is who must hear of it."""
    change = _email_change(message)
    if isinstance(change, Drop):
        return change
    context = {**_base_context(change.volunteer), "new_email": mask_email(change.new_email)}
    return _render("email_change_notice", context, [change.old_email])


def mask_email(address: str) -> str:
    """Enough of an address to recognise it (``ha****@example.jp``), not to harvest it."""
    local, _sep, domain = address.partition("@")
    return f"{local[:2]}{'*' * max(len(local) - 2, 2)}@{domain}"


# --- About one sign-up


def _cancel_link(signup: SignUp) -> dict:
    return {
        "signup": signup,
        "shift": signup.shift,
        "cancel_url": link_url(
            purpose=Purpose.CANCEL, volunteer=signup.volunteer, object_id=signup.pk
        ),
    }


def _confirmed(signup: SignUp, message: Message) -> str | None:
    if signup.status != SignUp.Status.CONFIRMED:
        return _("The sign-up is no longer confirmed.")
    return None


def _waitlisted(signup: SignUp, message: Message) -> str | None:
    if signup.status != SignUp.Status.WAITLISTED:
        return _("The sign-up is no longer on the waiting list.")
    return None


def _remindable(signup: SignUp, message: Message) -> str | None:
    if reason := _confirmed(signup, message):
        return reason
    if not signup.shift.opportunity.live:
        return _("The opportunity is no longer published.")
    if message.key != reminder_key(signup.pk, signup.shift):
        return _("The shift has moved since this reminder was scheduled.")
    if signup.shift.starts <= timezone.now():
        return _("The shift has started.")
    return None


def _thankable(signup: SignUp, message: Message) -> str | None:
    if reason := _confirmed(signup, message):
        return reason
    if getattr(signup, "hours_entry", None) is None:
        return _("The hours logged for this shift have been removed.")
    return None


def _reminder_context(signup: SignUp) -> dict:
    return {**_cancel_link(signup), "today": signup.shift.date == timezone.localdate()}


def _reminder_summary(signup: SignUp) -> str:
    shift = _shift_summary(signup.shift)
    if signup.shift.date == timezone.localdate():
        return _("Reminder: you are volunteering today: %(shift)s.") % {"shift": shift}
    return _("Reminder: you are volunteering tomorrow: %(shift)s.") % {"shift": shift}


def _thanks_context(signup: SignUp) -> dict:
    entry = signup.hours_entry
    return {
        "entry": entry,
        "shift": signup.shift,
        "hours_url": link_url(
            purpose=Purpose.HOURS, volunteer=signup.volunteer, object_id=entry.pk
        ),
    }


def _thanks_summary(signup: SignUp) -> str:
    return _(
        "Thank you for volunteering at %(shift)s. We logged %(hours)s hours: are they right?"
    ) % {"shift": _shift_summary(signup.shift), "hours": hours(signup.hours_entry.hours)}


def _summary(text: Promise) -> Callable[[SignUp], str]:
    return lambda signup: str(text) % {"shift": _shift_summary(signup.shift)}


def _confirmed_summary(text: Promise) -> Callable[[SignUp], str]:
    """A place to read out: the shift, and what to bring when the opportunity says."""

    def summary(signup: SignUp) -> str:
        line = str(text) % {"shift": _shift_summary(signup.shift)}
        if items := signup.shift.opportunity.what_to_bring:
            line += " " + _("What to bring: %(items)s.") % {"items": items}
        return line

    return summary


# What each sign-up kind checks (a reason to drop it, or None), and what it needs.
SignUpKind = tuple[
    Callable[[SignUp, Message], str | None],
    Callable[[SignUp], dict],
    Callable[[SignUp], str],
]
SIGNUP_KINDS: dict[str, SignUpKind] = {
    SIGNUP_CONFIRMED: (
        _confirmed,
        _cancel_link,
        _confirmed_summary(gettext_lazy("You are signed up for %(shift)s. Thank you!")),
    ),
    SIGNUP_WAITLISTED: (
        _waitlisted,
        _cancel_link,
        _summary(
            gettext_lazy(
                "All places for %(shift)s are taken, so you are on the waiting list. If "
                "someone cancels, you move up and we will tell you."
            )
        ),
    ),
    PROMOTED: (
        _confirmed,
        _cancel_link,
        _confirmed_summary(
            gettext_lazy("A place has become free: you are now signed up for %(shift)s.")
        ),
    ),
    REMINDER: (_remindable, _reminder_context, _reminder_summary),
    THANKS: (_thankable, _thanks_context, _thanks_summary),
}


# What the emails, call-list summaries and checks read of a sign-up, and no more: a page row is
# wide, and compiling the query for all of it was most of what composing a message cost.
# tests/volunteers/test_emails.py checks that composing needs no query beyond these.
SIGNUP_FIELDS = (
    "status",
    *(
        f"volunteer__{f}"
        for f in ("name", "email", "phone", "status", "token_version", "sign_in_version")
    ),
    *(f"shift__{f}" for f in ("date", "starts_at", "ends_at", "note", "opportunity")),
    *(
        f"shift__opportunity__{f}"
        for f in ("title", "address", "live", "url_path", "what_to_bring", "phone", "email")
    ),
    # Where (the listing it serves) and whom to call to cancel (its operator), read in the join.
    *(f"shift__opportunity__{f}" for f in ("target", "target__title", "target__live")),
    *(f"shift__opportunity__organization__{f}" for f in ("name", "phone", "email")),
    "shift__opportunity__organization",
)
SIGNUP_RELATED = (
    "volunteer",
    "shift__opportunity__target",
    "shift__opportunity__organization",
)


def _load_signup(message: Message) -> SignUp | None:
    thanks = message.kind == THANKS
    related = [*SIGNUP_RELATED, *(["hours_entry"] if thanks else [])]
    fields = [*SIGNUP_FIELDS, *(["hours_entry__hours"] if thanks else [])]
    try:
        return SignUp.objects.select_related(*related).only(*fields).get(pk=message.object_id)
    except SignUp.DoesNotExist:
        return None


@_in_site_language
def _compose_signup(message: Message) -> Outcome:
    signup = _load_signup(message)
    if signup is None:
        return Drop(_("The sign-up is no longer on record."))
    if signup.volunteer.status == Volunteer.Status.WITHDRAWN:
        return Drop(_("The volunteer has withdrawn."))
    check, context, summary = SIGNUP_KINDS[message.kind]
    if reason := check(signup, message):
        return Drop(reason)
    template = message.kind.removeprefix("volunteers.")
    return _to_volunteer(
        signup.volunteer, template, lambda: context(signup), lambda: summary(signup)
    )


LABELS = {
    REGISTERED: gettext_lazy("Volunteers: registration received"),
    ALREADY_REGISTERED: gettext_lazy("Volunteers: already registered"),
    APPROVED: gettext_lazy("Volunteers: registration approved"),
    MANAGE_LINK: gettext_lazy("Volunteers: link to their page"),
    SIGNUP_LINK: gettext_lazy("Volunteers: link to confirm a sign-up"),
    NEW_REGISTRATION: gettext_lazy("Volunteers: new registration (to coordinators)"),
    SIGNUP_CONFIRMED: gettext_lazy("Volunteers: signed up"),
    SIGNUP_WAITLISTED: gettext_lazy("Volunteers: on the waiting list"),
    PROMOTED: gettext_lazy("Volunteers: moved up from the waiting list"),
    REMINDER: gettext_lazy("Volunteers: day-before reminder"),
    THANKS: gettext_lazy("Volunteers: thank-you and hours"),
    EMAIL_CHANGE_CONFIRM: gettext_lazy("Volunteers: confirm a new email address"),
    EMAIL_CHANGE_NOTICE: gettext_lazy("Volunteers: email address change (to the old address)"),
}
COMPOSERS: dict[str, Callable[[Message], Outcome]] = {
    **dict.fromkeys(VOLUNTEER_SUMMARIES, _compose_volunteer),
    SIGNUP_LINK: _compose_signup_link,
    NEW_REGISTRATION: _compose_new_registration,
    **dict.fromkeys(SIGNUP_KINDS, _compose_signup),
    EMAIL_CHANGE_CONFIRM: _compose_email_change_confirm,
    EMAIL_CHANGE_NOTICE: _compose_email_change_notice,
}


def register() -> None:
    """Called from the app's ``ready()``: the outbox learns every kind this app sends."""
    for kind, compose in COMPOSERS.items():
        registry.register(
            kind, label=LABELS[kind], compose=compose, audience="volunteers.view_volunteer"
        )
