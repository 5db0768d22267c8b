"""Emails of the matching flow, composed by the outbox when they are sent.

What a host place receives is fixed here: the activity, the coordinator's summary, the
deadline, the link and the team's contact — never a client field (tests hold us to it).
Coordinators get a link to the admin, not details, because mail is forwarded and archived.

Each kind reads the proposal as it is at send time, so a proposal withdrawn, answered or
expired since the message was queued is dropped rather than sent (``outbox/registry.py``).
Outbox rows hold the proposal's id only.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from outbox import registry
from outbox.models import Message

from .models import Proposal
from .selectors import host_email, host_phone
from .tokens import proposal_token

PROPOSAL = "matching.proposal"
REMINDER = "matching.proposal_reminder"
ANSWERED = "matching.answered"
HOST_KINDS = (PROPOSAL, REMINDER)


def proposal_key(proposal_id: object) -> str:
    return f"{PROPOSAL}:{proposal_id}"


def reminder_key(proposal_id: object) -> str:
    return f"{REMINDER}:{proposal_id}"


def answered_key(proposal_id: object) -> str:
    return f"{ANSWERED}:{proposal_id}"


def topic(proposal_id: object) -> str:
    """What closing a proposal cancels: its request and its reminder, if not sent yet."""
    return f"proposal:{proposal_id}"


def placement_topic(placement_id: object) -> str:
    """The topic of every message about a placement (follow-ups' reminders and questions), so
    matching can cancel and list them without knowing the kinds."""
    return f"placement:{placement_id}"


# Kinds that reach a host place, a third party: matching's own and those registered by the
# apps above (follow-ups' question to the host). What of them went out is a record of
# provision to a third party, shown on the client page.
_host_kinds: set[str] = set(HOST_KINDS)


def register_host_kind(kind: str) -> None:
    _host_kinds.add(kind)


def client_topics(client: Any) -> list[str]:
    """The topics of every message about the client's proposals and placements."""
    return [
        *(topic(pk) for pk in client.proposals.values_list("pk", flat=True)),
        *(placement_topic(pk) for pk in client.placements.values_list("pk", flat=True)),
    ]


def sent_to_hosts(client: Any) -> list[Message]:
    """What host places already received about the client (emailed or telephoned): kind and
    date only, never the content."""
    rows = Message.objects.filter(
        kind__in=sorted(_host_kinds),
        topic__in=client_topics(client),
        status__in=(Message.Status.SENT, Message.Status.CALLED),
    )
    messages = list(rows.order_by("sent_at", "called_at", "pk"))
    for message in messages:
        kind = registry.get(message.kind)
        message.label = kind.label if kind else message.kind
        message.at = message.sent_at or message.called_at
    return messages


def _absolute(path: str) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def respond_url(proposal: Proposal) -> str:
    return _absolute(reverse("matching:respond", args=[proposal_token(proposal.pk)]))


def _render(template: str, context: dict, to: list[str], reply_to: list[str]) -> registry.Email:
    subject = render_to_string(f"matching/email/{template}_subject.txt", context)
    body = render_to_string(f"matching/email/{template}_body.txt", context)
    return registry.Email(to=to, subject=" ".join(subject.split()), body=body, reply_to=reply_to)


def _proposal(message: Message) -> Proposal | None:
    return (
        Proposal.objects.select_related("activity__place", "activity__organization", "client__team")
        .filter(pk=message.object_id)
        .first()
    )


def _host_call(proposal: Proposal, *, reminder: bool) -> registry.Outcome:
    """The host's contact email was removed after sending: staff telephone, or say why not."""
    phone = host_phone(proposal.activity)
    if not phone:
        return registry.Drop(_("The host place has neither an email address nor a telephone."))
    team = proposal.client.team
    context = {
        "team": team.name,
        "phone": f" ({team.phone})" if team.phone else "",
        "deadline": formats.date_format(timezone.localtime(proposal.deadline), "DATE_FORMAT"),
    }
    if reminder:
        summary = _(
            "Reminder: %(team)s (participation support) is still waiting for an answer, by "
            "%(deadline)s, to its request for a person to join this activity. Ask them to "
            "contact %(team)s%(phone)s."
        )
    else:
        summary = _(
            "%(team)s (participation support) asks whether a person could join this activity; "
            "the answer is needed by %(deadline)s. Ask them to contact %(team)s%(phone)s."
        )
    return registry.Call(name=proposal.activity.title, phone=phone, summary=summary % context)


def _compose_host(message: Message, *, reminder: bool) -> registry.Outcome:
    proposal = _proposal(message)
    if proposal is None:
        return registry.Drop(_("The proposal no longer exists."))
    if proposal.status != Proposal.Status.SENT:
        return registry.Drop(
            _("The proposal is no longer waiting for an answer (%(status)s).")
            % {"status": proposal.get_status_display()}
        )
    address = host_email(proposal.activity)
    if not address:
        return _host_call(proposal, reminder=reminder)
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
    return _render("proposal", context, [address], [team.email] if team.email else [])


def compose_proposal(message: Message) -> registry.Outcome:
    """The request to the host place's contact (the activity's email)."""
    with translation.override(settings.LANGUAGE_CODE):
        return _compose_host(message, reminder=False)


def compose_reminder(message: Message) -> registry.Outcome:
    """The same request again, marked as a reminder, while no answer has come."""
    with translation.override(settings.LANGUAGE_CODE):
        return _compose_host(message, reminder=True)


def compose_answered(message: Message) -> registry.Outcome:
    """Tell the coordinators (or else the team) that the host answered; details stay behind
    the admin login."""
    with translation.override(settings.LANGUAGE_CODE):
        return _compose_answered(message)


def _compose_answered(message: Message) -> registry.Outcome:
    proposal = Proposal.objects.select_related("client__team").filter(pk=message.object_id).first()
    if proposal is None:
        return registry.Drop(_("The proposal no longer exists."))
    if proposal.status not in (Proposal.Status.ACCEPTED, Proposal.Status.DECLINED):
        return registry.Drop(_("The proposal has not been answered."))
    team = proposal.client.team
    coordinators = proposal.client.coordinators.filter(is_active=True).exclude(email="")
    recipients = list(coordinators.order_by("pk").values_list("email", flat=True))
    recipients = recipients or ([team.email] if team.email else [])
    if not recipients:
        return registry.Drop(
            _(
                "Nobody to tell: neither the assigned coordinators nor the team %(team)s have an "
                "email address."
            )
            % {"team": team.name}
        )
    context = {
        "accepted": proposal.status == Proposal.Status.ACCEPTED,
        "client_url": _absolute(reverse("matching_client:inspect", args=[proposal.client_id])),
    }
    return _render("answered", context, recipients, [])


def history(proposal: Proposal) -> list[Message]:
    """The proposal's emails and what became of them, for its admin page: when the host was
    written to (``sent_at``), what is still waiting, and why one was not sent."""
    rows = Message.objects.filter(kind__in=(*HOST_KINDS, ANSWERED), object_id=str(proposal.pk))
    messages = list(rows.order_by("due_at", "pk"))
    for message in messages:
        kind = registry.get(message.kind)
        message.label = kind.label if kind else message.kind
    return messages


def register() -> None:
    """Called from ``MatchingConfig.ready``."""
    registry.register(
        PROPOSAL, label=gettext_lazy("Proposal to a host place"), compose=compose_proposal
    )
    registry.register(
        REMINDER, label=gettext_lazy("Proposal reminder to a host place"), compose=compose_reminder
    )
    registry.register(
        ANSWERED,
        label=gettext_lazy("Host place's answer to coordinators"),
        compose=compose_answered,
    )
