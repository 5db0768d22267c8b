"""The host place's one-time link: a signed proposal id, usable while the proposal is open.

Nothing secret is stored, so the reminder can repeat the same link; single use and expiry come
from the proposal's own status and deadline, checked under a row lock when it is answered.
"""

from typing import Any

from django.core import signing

SALT = "matching.proposal.respond"


def proposal_token(proposal_id: Any) -> str:
    return signing.Signer(salt=SALT).sign(str(proposal_id))


def proposal_id_from_token(token: str) -> str | None:
    try:
        return signing.Signer(salt=SALT).unsign(token)
    except signing.BadSignature:
        return None
