"""Normalised forms of a telephone number and an email address: what says two are the same.

Sign-ups keep one per person per date by these keys (events, volunteers' shifts), so
「０９９７－８４－００００」, "0997840000" and "+81 997 84 0000" must all give one key, and
"Hanako@Example.JP" the same key as "hanako@example.jp". Pure Python, no Django import.
"""

from __future__ import annotations

import re
import unicodedata

_NOT_DIGITS = re.compile(r"\D")
# Japan's country code, written in place of the trunk prefix 0.
_JAPAN = "81"


def phone_key(value: str) -> str:
    """The number's digits after NFKC (full-width digits, any dashes or brackets dropped), with
    an international "+81" turned into the domestic leading 0; "" when there are no digits."""
    text = unicodedata.normalize("NFKC", value or "").strip()
    digits = _NOT_DIGITS.sub("", text)
    if text.startswith("+") and digits.startswith(_JAPAN):
        digits = "0" + digits[len(_JAPAN) :].removeprefix("0")
    return digits


def email_key(value: str) -> str:
    """The address after NFKC, trimmed and lower-cased (people type capitals, mail ignores them)."""
    return unicodedata.normalize("NFKC", value or "").strip().lower()
