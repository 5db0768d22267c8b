"""Talking to the mail server: build the email with the row's Message-ID, and tell a temporary
failure (try again later) from a permanent one (stop and say why)."""

from __future__ import annotations

import logging
import smtplib
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as KombuOperationalError
from redis.exceptions import RedisError

from .registry import Email

HEADER = "X-Tsunagu-Outbox"

logger = logging.getLogger(__name__)


# What a kind's compose may meet while another service (the Redis cache) is briefly down.
UNAVAILABLE: tuple[type[BaseException], ...] = (OSError, RedisError, KombuOperationalError)


class Permanent(Exception):
    """Retrying cannot help; the message is the reason shown to staff."""


class Connection:
    """One connection to the mail server for a batch, opened on first use; after a failure it
    is closed and the next send opens a fresh one."""

    def __init__(self) -> None:
        self._backend: Any = None

    def backend(self) -> Any:
        if self._backend is None:
            backend = get_connection(settings.OUTBOX_EMAIL_BACKEND)
            backend.open()
            self._backend = backend
        return self._backend

    def close(self) -> None:
        if self._backend is not None:
            backend, self._backend = self._backend, None
            try:
                backend.close()
            except Exception:
                logger.debug("closing the mail connection failed", exc_info=True)


def send(email: Email, *, message_id: str, row_id: int, via: Connection | None = None) -> None:
    """Send one email through ``via`` (or a connection of its own); raises what the backend
    raises."""
    headers = {**email.headers, "Message-ID": message_id, HEADER: str(row_id)}
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body,
        from_email=email.from_email or settings.DEFAULT_FROM_EMAIL,
        to=email.to,
        cc=email.cc,
        bcc=email.bcc,
        reply_to=email.reply_to,
        headers=headers,
        connection=via.backend() if via else get_connection(settings.OUTBOX_EMAIL_BACKEND),
    )
    for content, mimetype in email.alternatives:
        message.attach_alternative(content, mimetype)
    message.send()


def _code(exc: BaseException) -> int | None:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in exc.recipients.values()]
        # Temporary if any recipient may still accept it later.
        return min(codes) if codes else None
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code
    return None


def classify(exc: BaseException) -> str | None:
    """The reason to stop for a permanent failure; None when a later attempt may succeed.

    Temporary: 4xx replies, a refused or dropped connection, a timeout. Permanent: 5xx replies
    (unknown mailbox, rejected sender or content) and addresses Python cannot encode.
    """
    if isinstance(exc, Permanent):
        return str(exc)
    code = _code(exc)
    if code is not None and 500 <= code < 600:
        return _("The mail server refused the message (%(code)s).") % {"code": code}
    if isinstance(exc, smtplib.SMTPServerDisconnected | OSError) or (
        code is not None and 400 <= code < 500
    ):
        return None
    if isinstance(exc, smtplib.SMTPException):
        return None
    if isinstance(exc, ValueError | UnicodeError):
        return _("The address or the message cannot be sent (%(error)s).") % {
            "error": exc.__class__.__name__
        }
    return None


def describe(exc: BaseException) -> str:
    """What went wrong, for staff: the exception's class and SMTP code, never an address."""
    code = _code(exc)
    return f"{exc.__class__.__name__} {code}" if code else exc.__class__.__name__
