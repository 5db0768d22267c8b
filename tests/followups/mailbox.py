"""A file mailbox a worker process writes and the test process reads, to count deliveries.

Django's file backend, optionally slowed *before* writing (FOLLOWUP_TEST_SEND_DELAY seconds),
so a test can kill a worker, or close a placement, while a message is inside its send.
"""

import os
import re
import time
from collections import Counter, defaultdict
from pathlib import Path

from django.core.mail.backends.filebased import EmailBackend as FileBackend

OUTBOX_LINE = re.compile(rb"^X-Tsunagu-Outbox: (\d+)\r?$", re.MULTILINE)
MESSAGE_ID_LINE = re.compile(rb"^Message-ID: (\S+)\r?$", re.MULTILINE)
SEPARATOR = b"\n" + b"-" * 79 + b"\n"


class SlowFileBackend(FileBackend):
    def send_messages(self, email_messages):
        time.sleep(float(os.environ.get("FOLLOWUP_TEST_SEND_DELAY", "0")))
        return super().send_messages(email_messages)


def _emails(directory: Path) -> list[bytes]:
    return [
        part
        for path in Path(directory).glob("*.log")
        for part in path.read_bytes().split(SEPARATOR)
        if part.strip()
    ]


def deliveries(directory: Path) -> Counter[int]:
    """Outbox row id → how many emails carried it, over every file in the mailbox."""
    counts: Counter[int] = Counter()
    for email in _emails(directory):
        counts.update(int(m) for m in OUTBOX_LINE.findall(email))
    return counts


def message_ids(directory: Path) -> dict[int, set[str]]:
    """Outbox row id → the Message-IDs its copies carried (one, however many copies)."""
    found: dict[int, set[str]] = defaultdict(set)
    for email in _emails(directory):
        (row,) = OUTBOX_LINE.findall(email)
        found[int(row)].update(m.decode() for m in MESSAGE_ID_LINE.findall(email))
    return dict(found)
