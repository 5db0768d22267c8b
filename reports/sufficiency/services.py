"""受け入れを打診: asking a place to open to participation support, through the outbox.

The request tells the place how many of the people waiting would join and for what — the
aggregate the requester sees, recomputed here, never anything about a person. It is a row
(``OpeningRequest``) first and an outbox message second, keyed by the row: a double click, a
retried POST or a retried send gives one message. A place is asked at most once in
``REPEAT_AFTER_DAYS``, whoever asks.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from matching.access import writable_teams
from matching.gaps import town_gaps
from matching.selectors import host_email, host_phone
from outbox.services import Spec, enqueue
from resources.models import ActivityPage

from ..models import OpeningRequest
from .emails import OPENING_REQUEST, opening_request_key
from .selectors import waiting_for

REPEAT_AFTER_DAYS = 30


class OpeningRequestError(Exception):
    """A request refused for a reason the user can act on; the message is for them."""


def _date(day: dt.date) -> str:
    return formats.date_format(day, "DATE_FORMAT")


@transaction.atomic
def opening_request_create(*, activity: ActivityPage, by: Any) -> OpeningRequest:
    """Ask ``activity``'s operator to open; refused without a write right, within 30 days of the
    last ask, when nobody waiting would join, or when the place has no contact at all."""
    team = writable_teams(by).order_by("name").first()
    if team is None:
        raise PermissionDenied(
            _("Only the coordinators and supervisors of a team can ask a place to open.")
        )
    today = timezone.localdate()
    last = OpeningRequest.objects.filter(activity=activity).order_by("-requested_on").first()
    if last is not None and today < last.requested_on + dt.timedelta(days=REPEAT_AFTER_DAYS):
        raise OpeningRequestError(
            _(
                "%(title)s was already asked on %(date)s. It can be asked again from "
                "%(next)s (%(days)d days later)."
            )
            % {
                "title": activity.title,
                "date": _date(last.requested_on),
                "next": _date(last.requested_on + dt.timedelta(days=REPEAT_AFTER_DAYS)),
                "days": REPEAT_AFTER_DAYS,
            }
        )
    opening = next(
        (o for o in town_gaps(waiting_for(by)).openings if o.activity.pk == activity.pk), None
    )
    if opening is None:
        raise OpeningRequestError(
            _("Nobody waiting would join %(title)s if it opened: there is nothing to ask.")
            % {"title": activity.title}
        )
    if not host_email(activity) and not host_phone(activity):
        raise OpeningRequestError(
            _(
                "%(title)s has neither an email address nor a telephone number: add one to "
                "the listing first."
            )
            % {"title": activity.title}
        )
    try:
        with transaction.atomic():
            request = OpeningRequest.objects.create(
                activity=activity,
                team=team,
                requested_by=by,
                requested_on=today,
                people=opening.people,
                terms=list(opening.terms),
                constraints=[
                    {"code": str(c.constraint), "detail": c.detail} for c in opening.constraints
                ],
            )
    except IntegrityError:
        # Asked a moment ago by a double click or another user: the first one stands.
        raise OpeningRequestError(
            _("%(title)s was already asked today.") % {"title": activity.title}
        ) from None
    enqueue(
        Spec(
            kind=OPENING_REQUEST,
            object_id=request.pk,
            key=opening_request_key(request.pk),
            topic=f"activity:{activity.pk}",
        )
    )
    return request
