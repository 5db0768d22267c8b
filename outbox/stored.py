"""Email that other code hands to Django's mail API, kept as a row before it is sent.

``EMAIL_BACKEND = "outbox.stored.OutboxBackend"`` turns every ``send_mail`` of the product and
of the libraries it runs (Wagtail's workflow notices, password resets) into an ``outbox.stored``
row holding the rendered email; the outbox sends it through ``OUTBOX_EMAIL_BACKEND`` with the
same leases, retries and Message-ID as everything else, and blanks the content once it is sent.
"""

from __future__ import annotations

from typing import Any

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage, EmailMultiAlternatives

from .registry import Email, Outcome

KIND = "outbox.stored"


def payload_of(message: EmailMessage) -> dict[str, Any]:
    alternatives = (
        getattr(message, "alternatives", []) if isinstance(message, EmailMultiAlternatives) else []
    )
    return {
        "subject": str(message.subject),
        "body": str(message.body),
        "from_email": message.from_email,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "headers": {k: str(v) for k, v in message.extra_headers.items() if k != "Message-ID"},
        "alternatives": [[str(content), mimetype] for content, mimetype in alternatives],
    }


def compose(message: Any) -> Outcome:
    data = message.payload or {}
    return Email(
        to=data.get("to", []),
        cc=data.get("cc", []),
        bcc=data.get("bcc", []),
        subject=data.get("subject", ""),
        body=data.get("body", ""),
        reply_to=data.get("reply_to", []),
        headers=data.get("headers", {}),
        from_email=data.get("from_email"),
        alternatives=[tuple(a) for a in data.get("alternatives", [])],
    )


class OutboxBackend(BaseEmailBackend):
    """A Django email backend that enqueues; attachments are not supported (none are sent)."""

    def send_messages(self, email_messages: list[EmailMessage]) -> int:
        from .services import Spec, enqueue

        count = 0
        for message in email_messages:
            if message.attachments:
                raise ValueError("the outbox does not store attachments")
            enqueue(Spec(kind=KIND, payload=payload_of(message)))
            count += 1
        return count
