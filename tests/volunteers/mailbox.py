"""A mail backend for the real worker's process: each message a file in the directory named by
VOLUNTEERS_TEST_MAIL_DIR, so the test process can count what was sent and with which ids."""

import email
import os
import uuid
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage


class FileBackend(BaseEmailBackend):
    def send_messages(self, email_messages: list[EmailMessage]) -> int:
        directory = Path(os.environ["VOLUNTEERS_TEST_MAIL_DIR"])
        for message in email_messages:
            (directory / f"{uuid.uuid4().hex}.eml").write_bytes(message.message().as_bytes())
        return len(email_messages)


def delivered(directory: Path) -> list[email.message.Message]:
    """Every message the worker handed to the mail server so far."""
    return [email.message_from_bytes(path.read_bytes()) for path in directory.glob("*.eml")]
