"""The request to open (受け入れを打診), composed by the outbox when it is sent.

What the place receives is fixed here: how many of the people waiting would join, for which
interests and needs, why they cannot join now, and the team's contact — the aggregate stored
on the ``OpeningRequest``, never a person. A count under ``REPORT_MIN_CELL`` is written as
"a few people" (若干名), as the exports hide it. A place without an email address goes on the
staff's call list; one without a telephone either is dropped with the reason shown to staff.
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from matching.gaps import Constraint
from matching.selectors import host_email, host_phone
from outbox import registry
from outbox.models import Message
from reports.cells import is_small

from ..models import OpeningRequest

OPENING_REQUEST = "reports.opening_request"


def opening_request_key(request_id: object) -> str:
    return f"{OPENING_REQUEST}:{request_id}"


def _people(count: int) -> str:
    if is_small(count):
        return _("a few people")
    return _("%(count)d people") % {"count": count}


def _why(code: str, detail: str) -> str:
    """One reason, in the words of a letter to the place."""
    sentences = {
        Constraint.NOT_ACCEPTING: _("You do not take participation-support placements at present."),
        Constraint.CAPACITY: _("Your places for participation support are all taken."),
        Constraint.SCHEDULE: _("The day and time (%(detail)s) do not suit them."),
        Constraint.DISTANCE: _("It is too far for them to come without a pick-up."),
        Constraint.ACCOMMODATION: _("They need an accommodation that is not offered (%(detail)s)."),
        Constraint.AUDIENCE: _("They are outside the activity's audience (%(detail)s)."),
    }
    return sentences[Constraint(code)] % {"detail": detail}


def _context(request: OpeningRequest) -> dict:
    team = request.team
    return {
        "activity_title": request.activity.title,
        "town": settings.TSUNAGU_TOWN_NAME,
        "people": _people(request.people),
        "terms": pgettext("short list", ", ").join(request.terms),
        "reasons": [_why(c["code"], c["detail"]) for c in request.constraints],
        "team": {"name": team.name, "phone": team.phone, "email": team.email},
    }


def _compose(message: Message) -> registry.Outcome:
    request = (
        OpeningRequest.objects.select_related("activity__place", "activity__organization", "team")
        .filter(pk=message.object_id)
        .first()
    )
    if request is None:
        return registry.Drop(_("The request to open no longer exists."))
    activity = request.activity
    if not activity.live:
        return registry.Drop(_("The activity is no longer published."))
    context = _context(request)
    address = host_email(activity)
    if address:
        subject = render_to_string("reports/sufficiency/email/opening_subject.txt", context)
        body = render_to_string("reports/sufficiency/email/opening_body.txt", context)
        team_email = request.team.email
        return registry.Email(
            to=[address],
            subject=" ".join(subject.split()),
            body=body,
            reply_to=[team_email] if team_email else [],
        )
    phone = host_phone(activity)
    if not phone:
        return registry.Drop(_("The place has neither an email address nor a telephone."))
    summary = _(
        "%(team)s (participation support) asks whether this activity could take "
        "participation-support placements: %(people)s waiting for a place would join it "
        "(%(terms)s). Ask them to contact %(team)s%(phone)s."
    ) % {
        "team": context["team"]["name"],
        "people": context["people"],
        "terms": context["terms"],
        "phone": f" ({request.team.phone})" if request.team.phone else "",
    }
    return registry.Call(name=activity.title, phone=phone, summary=summary)


def compose_opening_request(message: Message) -> registry.Outcome:
    with translation.override(settings.LANGUAGE_CODE):
        return _compose(message)


def register() -> None:
    """Called from ``ReportsConfig.ready``."""
    registry.register(
        OPENING_REQUEST,
        label=gettext_lazy("Request to a place to open"),
        compose=compose_opening_request,
    )
