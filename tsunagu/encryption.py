"""Encryption at rest for personal data: Fernet tokens under rotatable keys, keyed hashes.

A database dump, a backup or a read-only SQL account must not show who a client is. Values are
encrypted in Python before they reach the database, under keys that live only in the environment:

- ``FIELD_ENCRYPTION_KEYS``: Fernet keys, newest first. The first encrypts, every one decrypts.
  Rotation: put a new key first, run ``manage.py rotate_encryption_keys``, then drop the old key.
- ``FIELD_HASH_KEY``: the HMAC key for lookup columns (``kana_hash``). Without it, a hash of a
  short reading could be reversed by trying every reading.

A token that no key opens raises :class:`DecryptionError`; Fernet's MAC means a wrong key can never
yield garbage that looks like data.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

MIN_HASH_KEY_LENGTH = 32


class DecryptionError(Exception):
    """A stored value that none of the configured keys can open."""


def _keys() -> tuple[str, ...]:
    keys = getattr(settings, "FIELD_ENCRYPTION_KEYS", None) or ()
    if isinstance(keys, str):  # tolerate the environment's comma-separated form
        keys = keys.split(",")
    return tuple(key.strip() for key in keys if key.strip())


@functools.lru_cache(maxsize=8)
def _multi_fernet(keys: tuple[str, ...]) -> MultiFernet:
    fernets = []
    for position, key in enumerate(keys, start=1):
        try:
            fernets.append(Fernet(key))
        except (ValueError, TypeError) as exc:
            raise ImproperlyConfigured(
                f"FIELD_ENCRYPTION_KEYS: key {position} is not a Fernet key (32 url-safe "
                "base64-encoded bytes; see README, “Encryption keys”)."
            ) from exc
    return MultiFernet(fernets)


def fernet() -> MultiFernet:
    """The configured keys; cached per key list, so ``override_settings`` takes effect."""
    keys = _keys()
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is not set: client data cannot be read.")
    return _multi_fernet(keys)


def encrypt(text: str) -> str:
    return fernet().encrypt(text.encode()).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeEncodeError) as exc:
        raise DecryptionError(
            "A stored value could not be decrypted with any key in FIELD_ENCRYPTION_KEYS: the key "
            "that encrypted it is missing from the list, or the value was never encrypted."
        ) from exc


def keyed_hash(text: str) -> str:
    """HMAC-SHA256 of ``text`` under FIELD_HASH_KEY, hex; equal inputs give equal hashes."""
    key = getattr(settings, "FIELD_HASH_KEY", None)
    if not key:
        raise ImproperlyConfigured("FIELD_HASH_KEY is not set: lookup hashes cannot be computed.")
    return hmac.new(key.encode(), text.encode(), hashlib.sha256).hexdigest()


@checks.register(checks.Tags.security)
def check_keys(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Fail ``check``/``migrate``/``runserver`` on a key that would only break at first use."""
    errors: list[checks.CheckMessage] = []
    try:
        fernet()
    except ImproperlyConfigured as exc:
        errors.append(checks.Error(str(exc), id="tsunagu.E101"))
    if len(getattr(settings, "FIELD_HASH_KEY", None) or "") < MIN_HASH_KEY_LENGTH:
        errors.append(
            checks.Error(
                f"FIELD_HASH_KEY must be at least {MIN_HASH_KEY_LENGTH} characters of random text.",
                id="tsunagu.E102",
            )
        )
    return errors
