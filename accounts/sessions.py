"""How long a staff session lives: idle timeout and absolute lifetime, kept in the session itself.

Timestamps are seconds since the epoch. The last-seen time is written at most once a minute, so an
admin page does not save the session on every request.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase

LOGIN_AT = "accounts.login_at"
SEEN_AT = "accounts.seen_at"
TOUCH_EVERY_SECONDS = 60


def session_start(session: SessionBase) -> None:
    now = int(time.time())
    session[LOGIN_AT] = now
    session[SEEN_AT] = now


def session_expired(session: SessionBase) -> bool:
    """True once the session was idle too long or is older than the absolute lifetime.

    A signed-in session without timestamps predates this rule: it is treated as expired.
    """
    login_at, seen_at = session.get(LOGIN_AT), session.get(SEEN_AT)
    if login_at is None or seen_at is None:
        return True
    now = time.time()
    return (
        now - seen_at > settings.STAFF_SESSION_IDLE_MINUTES * 60
        or now - login_at > settings.STAFF_SESSION_MAX_HOURS * 3600
    )


def session_touch(session: SessionBase) -> None:
    now = int(time.time())
    if now - session.get(SEEN_AT, 0) >= TOUCH_EVERY_SECONDS:
        session[SEEN_AT] = now
