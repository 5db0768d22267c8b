"""Signing up without email, and who a sign-up is for.

A volunteer registered by telephone has no inbox for the links everyone else uses, so they get a
six-digit code instead: shown once when they register, or read out by staff who issue a new one
in the admin. With their telephone number it signs them up for a shift and cancels. The code is
stored hashed like a password; ``MAX_FAILURES`` wrong tries void it (a person's code cannot be
guessed by trying them all), and only staff can issue another.

``person_key`` says who a sign-up is for, beyond the register's row: the same person registered
twice (by telephone, then with email) is still one person on a shift. A keyed hash, so sign-ups
hold no contact details of their own.
"""

from __future__ import annotations

import secrets

from django.contrib.auth.hashers import check_password, make_password

from resources.contact_keys import email_key, phone_key
from tsunagu.encryption import keyed_hash
from tsunagu.text import reading_key

from .models import Volunteer

CODE_DIGITS = 6
MAX_FAILURES = 5


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def hashed(code: str) -> str:
    return make_password(code)


def matches(volunteer: Volunteer, code: str) -> bool:
    """True for the volunteer's current code, while it has not been voided by wrong tries."""
    if not volunteer.signup_code or volunteer.signup_code_failures >= MAX_FAILURES:
        return False
    return check_password(code, volunteer.signup_code)


def spend_time_like_a_check(code: str) -> None:
    """Hash once when nobody has this number, so the answer takes as long either way."""
    make_password(code)


def identity(volunteer: Volunteer) -> str:
    """The person as text: their email address, else their number's digits and reading (two
    people sharing a home telephone are two people)."""
    if email := email_key(volunteer.email):
        return f"email:{email}"
    if digits := phone_key(volunteer.phone):
        return f"tel:{digits}:{reading_key(volunteer.kana)}"
    return ""


def person_key(volunteer: Volunteer) -> str:
    """The keyed hash a sign-up stores of ``identity``; "" for someone with no contact left."""
    text = identity(volunteer)
    return keyed_hash(text) if text else ""
