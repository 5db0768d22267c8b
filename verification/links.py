"""The signed "still correct" link: which listing, which cycle, and when it was made.

Signed with Django's ``TimestampSigner`` (salted, so a token made for something else never
passes) and expiring after ``VERIFICATION_LINK_MAX_AGE_DAYS``. The cycle in the token means a
link from an old reminder cannot confirm a listing that has moved on to a new cycle.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from enum import StrEnum

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "verification.confirm"


class Kind(StrEnum):
    LISTING = "listing"
    OPERATOR = "operator"


class LinkError(Exception):
    """Why a link cannot be used; ``reason`` selects the Japanese message shown."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclasses.dataclass(frozen=True)
class LinkTarget:
    kind: Kind
    pk: int
    cycle: dt.date


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=SALT)


def make_token(target: LinkTarget) -> str:
    return _signer().sign_object(
        {"k": str(target.kind), "id": target.pk, "c": target.cycle.isoformat()}, compress=True
    )


def read_token(token: str, *, kind: str, pk: int) -> LinkTarget:
    """The target a token names, checked against the URL's kind and id.

    Raises ``LinkError`` with reason "expired", "invalid" or "wrong_object".
    """
    max_age = dt.timedelta(days=settings.VERIFICATION_LINK_MAX_AGE_DAYS)
    try:
        data = _signer().unsign_object(token, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise LinkError("expired") from exc
    except (signing.BadSignature, ValueError) as exc:
        raise LinkError("invalid") from exc
    try:
        target = LinkTarget(
            kind=Kind(data["k"]), pk=int(data["id"]), cycle=dt.date.fromisoformat(data["c"])
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise LinkError("invalid") from exc
    if target.kind != kind or target.pk != pk:
        raise LinkError("wrong_object")
    return target


def confirm_url(target: LinkTarget) -> str:
    """Absolute URL of the confirmation page (on the site the admin's links also use)."""
    path = reverse(
        "verification:confirm",
        kwargs={"kind": str(target.kind), "pk": target.pk, "token": make_token(target)},
    )
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path
