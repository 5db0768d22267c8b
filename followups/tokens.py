"""The host place's link for one check-in: a signed, time-limited check-in id.

Single use comes from the row (``host_answered_at``), checked under a row lock; the signature
ties the link to that one check-in, so it cannot be edited into another's.
"""

from typing import Any

from django.conf import settings
from django.core import signing

SALT = "followups.host.answer"


def host_token(checkin_id: Any) -> str:
    return signing.TimestampSigner(salt=SALT).sign(str(checkin_id))


def checkin_id_from_token(token: str) -> str | None:
    max_age = settings.FOLLOWUP_HOST_LINK_MAX_AGE_DAYS * 24 * 3600
    try:
        return signing.TimestampSigner(salt=SALT).unsign(token, max_age=max_age)
    except signing.BadSignature:
        return None
