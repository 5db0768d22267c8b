"""Follow-up emails, in the town's language, with nothing about the person in them.

Coordinators and supervisors get the due date and a link to the admin (mail is forwarded and
archived); the host place gets the activity's name, a link to its short form and the team's
contact. Never a name, note or score (tests check with a canary). Each message carries the
reminder's id in a header, which is how the full-stack tests count deliveries.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from .models import Reminder
from .tokens import host_token

HEADER = "X-Tsunagu-Reminder"


def _absolute(path: str) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def host_url(checkin_id: object) -> str:
    return _absolute(reverse("followups:host", args=[host_token(checkin_id)]))


def admin_url(placement_id: object) -> str:
    return _absolute(reverse("followups_admin:placement", args=[placement_id]))


def send_reminder(reminder: Reminder, recipients: list[str]) -> None:
    """Render and send one reminder; raises what the mail backend raises."""
    checkin = reminder.checkin
    placement = checkin.placement
    team = placement.client.team
    context = {
        "kind": reminder.kind,
        "due_on": checkin.due_on,
        "offset_days": checkin.offset_days,
        "escalate_after": settings.FOLLOWUP_ESCALATE_AFTER_DAYS,
        "town": settings.TSUNAGU_TOWN_NAME,
        "team": {"name": team.name, "phone": team.phone, "email": team.email},
    }
    if reminder.kind == Reminder.Kind.HOST:
        context.update(activity_title=placement.activity.title, form_url=host_url(checkin.pk))
        reply_to = [team.email] if team.email else []
    else:
        context.update(admin_url=admin_url(placement.pk))
        reply_to = []
    template = "host" if reminder.kind == Reminder.Kind.HOST else "coordinator"
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"followups/email/{template}_subject.txt", context)
        body = render_to_string(f"followups/email/{template}_body.txt", context)
    EmailMessage(
        subject=" ".join(subject.split()),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=recipients,
        reply_to=reply_to,
        headers={HEADER: str(reminder.pk)},
    ).send()
