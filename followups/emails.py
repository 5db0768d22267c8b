"""The follow-up messages, composed by the outbox at send time, with nothing about the person.

Three kinds, each about one check-in (``object_id``): the coordinator's reminder on the due
date, the escalation to the team's supervisors when it is still not recorded, and the short
question to the host place. ``compose`` reads the check-in under the outbox row's lock and
decides: an email, a call for the staff's call list (nobody to email but a telephone number),
or ``Drop`` when the message is no longer needed (placement closed, check-in recorded, host
already answered).

Coordinators and supervisors get the due date and a link to the admin (mail is forwarded and
archived); the host place gets the activity's name, a link to its short form and the team's
contact. Never a name, note, score or reference code (tests check with a canary).

Who is told, when a person has no address: coordinators (or supervisors) without email fall
back to their team's email; a team without email is telephoned on its number; a team with
neither cannot be reached, and the message fails with that reason (shown on the dashboard and
retried from the outbox once the team has a contact), rather than being dropped as "not
needed". The host place likewise: its email (activity, place, operator), else its telephone.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from matching.models import Placement
from matching.selectors import host_email, host_phone
from outbox.delivery import Permanent
from outbox.registry import Call, Drop, Email, Outcome

from .models import CheckIn
from .tokens import host_token

if TYPE_CHECKING:
    from outbox.models import Message

COORDINATOR = "followups.coordinator"
ESCALATION = "followups.escalation"
HOST = "followups.host"
KINDS = {
    COORDINATOR: gettext_lazy("Follow-up: reminder to the coordinator"),
    ESCALATION: gettext_lazy("Follow-up: overdue, to the supervisors"),
    HOST: gettext_lazy("Follow-up: question to the host place"),
}


def _absolute(path: str) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def host_url(checkin_id: object) -> str:
    return _absolute(reverse("followups:host", args=[host_token(checkin_id)]))


def admin_url(placement_id: object) -> str:
    return _absolute(reverse("followups_admin:placement", args=[placement_id]))


def compose(message: Message) -> Outcome:
    """What to do with one follow-up message now (registered for the three kinds)."""
    checkin = _checkin(message.object_id)
    with translation.override(settings.LANGUAGE_CODE):
        if checkin is None:
            return Drop(_("The check-in no longer exists."))
        if reason := _not_needed(checkin, message.kind):
            return Drop(reason)
        if message.kind == HOST:
            return _to_host(checkin)
        return _to_staff(checkin, message.kind)


def _checkin(object_id: str) -> CheckIn | None:
    try:
        pk = uuid.UUID(object_id)
    except ValueError:
        return None
    rows = CheckIn.objects.select_related(
        "placement__client__team",
        "placement__activity__place",
        "placement__activity__organization",
    )
    return rows.filter(pk=pk).first()


def _not_needed(checkin: CheckIn, kind: str) -> str:
    """Why the message would no longer help ('' while it still would)."""
    if checkin.placement.status != Placement.Status.ACTIVE:
        return _("The placement is not active any more.")
    if kind == HOST:
        if checkin.status == CheckIn.Status.CANCELLED:
            return _("The check-in was cancelled.")
        if checkin.host_answered_at is not None:
            return _("The host place has already answered.")
        return ""
    if checkin.status != CheckIn.Status.PENDING:
        return _("This check-in is already recorded or cancelled.")
    return ""


def _context(checkin: CheckIn, kind: str) -> dict:
    team = checkin.placement.client.team
    return {
        "kind": kind.removeprefix("followups."),
        "due_on": checkin.due_on,
        "offset_days": checkin.offset_days,
        "escalate_after": settings.FOLLOWUP_ESCALATE_AFTER_DAYS,
        "town": settings.TSUNAGU_TOWN_NAME,
        "team": {"name": team.name, "phone": team.phone, "email": team.email},
    }


def _render(template: str, context: dict, *, to: list[str], reply_to: list[str]) -> Email:
    subject = render_to_string(f"followups/email/{template}_subject.txt", context)
    body = render_to_string(f"followups/email/{template}_body.txt", context)
    return Email(to=to, subject=" ".join(subject.split()), body=body, reply_to=reply_to)


def _staff_addresses(checkin: CheckIn, kind: str) -> list[str]:
    client = checkin.placement.client
    if kind == ESCALATION:
        members = client.team.memberships.filter(role="supervisor").select_related("user")
        users = [m.user for m in members]
    else:
        users = list(client.coordinators.all())
    return [u.email for u in users if u.email and u.is_active]


def _to_staff(checkin: CheckIn, kind: str) -> Outcome:
    team = checkin.placement.client.team
    to = _staff_addresses(checkin, kind) or ([team.email] if team.email else [])
    if to:
        context = {**_context(checkin, kind), "admin_url": admin_url(checkin.placement_id)}
        return _render("coordinator", context, to=to, reply_to=[])
    if team.phone:
        when = date_format(checkin.due_on, "DATE_FORMAT")
        if kind == ESCALATION:
            summary = _(
                "A follow-up check-in due on %(date)s has still not been recorded. Please ask "
                "the coordinator to record it (admin home, follow-ups panel)."
            ) % {"date": when}
        else:
            summary = _(
                "A follow-up check-in is due on %(date)s. Please record it in the admin "
                "(admin home, follow-ups panel)."
            ) % {"date": when}
        return Call(name=team.name, phone=team.phone, summary=summary)
    raise Permanent(_("Nobody to tell: the team has no email address or telephone number."))


def _to_host(checkin: CheckIn) -> Outcome:
    placement = checkin.placement
    team = placement.client.team
    activity = placement.activity
    if email := host_email(activity):
        context = {
            **_context(checkin, HOST),
            "activity_title": activity.title,
            "form_url": host_url(checkin.pk),
        }
        return _render("host", context, to=[email], reply_to=[team.email] if team.email else [])
    if phone := host_phone(activity):
        summary = _(
            "On behalf of %(team)s, ask how the person who joined %(title)s through the "
            "participation support programme is doing (attending? anything of concern?), and "
            "enter the answers in the form: %(url)s"
        ) % {"team": team.name, "title": activity.title, "url": host_url(checkin.pk)}
        return Call(name=activity.title, phone=phone, summary=summary)
    raise Permanent(_("The host place has no email address or telephone number."))
