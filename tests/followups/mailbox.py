"""A file mailbox a worker process writes and the test process reads, to count deliveries.

Django's file backend, optionally slowed *before* writing (FOLLOWUP_TEST_SEND_DELAY seconds),
so a test can kill a worker while it is inside a send.
"""

import os
import re
import time
from collections import Counter
from pathlib import Path

from django.core.mail.backends.filebased import EmailBackend as FileBackend

HEADER_LINE = re.compile(rb"^X-Tsunagu-Reminder: (\d+)\r?$", re.MULTILINE)


class SlowFileBackend(FileBackend):
    def send_messages(self, email_messages):
        time.sleep(float(os.environ.get("FOLLOWUP_TEST_SEND_DELAY", "0")))
        return super().send_messages(email_messages)


def deliveries(directory: Path) -> Counter[int]:
    """Reminder id → how many emails carried it, over every file in the mailbox."""
    counts: Counter[int] = Counter()
    for path in Path(directory).glob("*.log"):
        counts.update(int(m) for m in HEADER_LINE.findall(path.read_bytes()))
    return counts
