"""Emails of the matching flow, in the town's language.

What a host place receives is fixed here: the activity, the coordinator's summary, the
deadline, the link and the team's contact — never a client field (tests hold us to it).
Coordinators get a link to the admin, not details, because mail is forwarded and archived.
"""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from .models import Proposal
from .selectors import host_email
from .tokens import proposal_token


def _absolute(path: str) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def respond_url(proposal: Proposal) -> str:
    return _absolute(reverse("matching:respond", args=[proposal_token(proposal.pk)]))


def _send(template: str, context: dict, to: list[str], reply_to: list[str]) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"matching/email/{template}_subject.txt", context)
        body = render_to_string(f"matching/email/{template}_body.txt", context)
    EmailMessage(
        subject=" ".join(subject.split()),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
        reply_to=reply_to,
    ).send()


def send_proposal(proposal: Proposal, *, reminder: bool = False) -> None:
    """The request to the host place's contact (the activity's email)."""
    team = proposal.client.team
    context = {
        "activity_title": proposal.activity.title,
        "summary": proposal.summary,
        "with_companion": proposal.companion_id is not None,
        "deadline": proposal.deadline,
        "respond_url": respond_url(proposal),
        "team": {"name": team.name, "phone": team.phone, "email": team.email},
        "town": settings.TSUNAGU_TOWN_NAME,
        "reminder": reminder,
    }
    _send("proposal", context, [host_email(proposal.activity)], [team.email] if team.email else [])


def send_answer_notice(proposal: Proposal, recipients: list[str]) -> None:
    """Tell the coordinators the host answered; the details are behind the admin login."""
    context = {
        "accepted": proposal.status == Proposal.Status.ACCEPTED,
        "client_url": _absolute(reverse("matching_client:inspect", args=[proposal.client_id])),
    }
    _send("answered", context, recipients, [])
