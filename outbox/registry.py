"""What each kind of message is, registered by the app that owns it (apps talk downward).

A kind's ``compose`` turns a row into what to do now, reading the app's own records under the
row's lock: an ``Email`` to send, a ``Call`` for the staff's call list when the person has no
address, or ``Drop`` when the message is no longer needed (the sign-up was cancelled, the
check-in recorded). It must not write: the outbox records the outcome.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Union

from django.utils.functional import Promise

if TYPE_CHECKING:
    from .models import Message


@dataclass(frozen=True)
class Email:
    to: list[str]
    subject: str
    body: str
    reply_to: list[str] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    from_email: str | None = None
    cc: list[str] = field(default_factory=list)
    bcc: list[str] = field(default_factory=list)
    alternatives: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Call:
    """Nobody to email: staff telephone ``name`` at ``phone`` and say ``summary``."""

    name: str
    phone: str
    summary: str


@dataclass(frozen=True)
class Drop:
    """No longer needed; ``reason`` is shown to staff."""

    reason: str


Outcome = Union[Email, Call, Drop]  # noqa: UP007 — used at run time in isinstance checks


@dataclass(frozen=True)
class Kind:
    name: str
    label: str | Promise
    compose: Callable[[Message], Outcome]
    # The permission, besides the call list's own, needed to see this kind's call entries (a
    # volunteer's or an applicant's name and number are for the staff who look after them).
    audience: str | None = None

    def can_call(self, user: object) -> bool:
        return self.audience is None or user.has_perm(self.audience)  # type: ignore[attr-defined]


_kinds: dict[str, Kind] = {}


def register(
    name: str,
    *,
    label: str | Promise,
    compose: Callable[[Message], Outcome],
    audience: str | None = None,
) -> None:
    """Called from an app's ``ready()``; registering a name twice is a programming error."""
    if name in _kinds and _kinds[name].compose is not compose:
        raise ValueError(f"outbox kind {name!r} is already registered")
    _kinds[name] = Kind(name=name, label=label, compose=compose, audience=audience)


def callable_by(user: object) -> list[str]:
    """The kinds whose call entries this user may see and tick off."""
    return [name for name, kind in _kinds.items() if kind.can_call(user)]


def get(name: str) -> Kind | None:
    return _kinds.get(name)


def choices() -> list[tuple[str, str]]:
    return sorted(((k.name, str(k.label)) for k in _kinds.values()), key=lambda c: c[1])
