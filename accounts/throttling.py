"""Login throttling with django-axes: the client's address, the lockout page, and unlocking.

A lockout is counted per account and per address separately (``AXES_LOCKOUT_PARAMETERS``), so
the list below shows both kinds; unlocking one removes that account's or address's failures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Max, Sum
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from .log_actions import LOGIN_UNLOCK

Kind = Literal["username", "ip_address"]


def lockout_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return _(
        "Too many failed logins: this account or this network is locked for %(minutes)d "
        "minutes. Try again later, or ask an administrator to unlock it."
    ) % {"minutes": minutes}


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: Any = None
) -> HttpResponse:
    """The login page itself, already showing the lockout message (``forms.LoginForm``).

    Only the status changes, to 429, so scripts see the lockout; people see the usual page.
    """
    if isinstance(original_response, HttpResponse):
        original_response.status_code = settings.AXES_HTTP_RESPONSE_CODE
        return original_response
    return HttpResponse(lockout_message(), status=settings.AXES_HTTP_RESPONSE_CODE)


@dataclass(frozen=True)
class Lockout:
    kind: Kind
    value: str
    failures: int
    last_attempt: datetime

    @property
    def until(self) -> datetime:
        return self.last_attempt + settings.AXES_COOLOFF_TIME


def current_lockouts() -> list[Lockout]:
    """Accounts and addresses that axes refuses right now (failures within the cool-off)."""
    recent = AccessAttempt.objects.filter(
        attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME
    )
    lockouts: list[Lockout] = []
    kinds: tuple[Kind, ...] = ("username", "ip_address")
    for kind in kinds:
        rows = (
            recent.exclude(**{f"{kind}__isnull": True})
            .values(kind)
            .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
            .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
            .order_by("-last")
        )
        lockouts += [Lockout(kind, row[kind], row["failures"], row["last"]) for row in rows]
    return lockouts


def unlock(*, kind: Kind, value: str, by: Any) -> int:
    """Forget the failures of one account or one address; the number of records removed.

    Written to Wagtail's log on the unlocking user's record (site history shows who, what, when).
    """
    if not value:
        return 0  # axes would read an empty value as "no filter" and forget everybody's
    removed = reset(username=value) if kind == "username" else reset(ip=value)
    # request.user arrives lazy, twice over (auth, then django-otp); Wagtail's log would take the
    # inner wrapper for the model and silently write nothing, so log on the account itself.
    actor = get_user_model()._default_manager.get(pk=by.pk)
    log(instance=actor, action=LOGIN_UNLOCK, user=actor, data={"kind": kind, "value": value})
    return removed
