"""An SMTP server the reliability tests run themselves: it records every message it accepts.

Each accepted message is counted by the outbox row id it carries (``X-Tsunagu-Outbox``) with
its Message-ID, so a test can tell "sent once", "sent twice with one Message-ID" and "lost".
It can be stopped and started again on the same port (the mail server is down), slowed inside
the DATA exchange (so a worker killed at that moment dies inside the SMTP exchange), and it
refuses recipients whose address starts with ``reject`` with a permanent 550.
"""

from __future__ import annotations

import asyncio
import email
import logging
import socket
import threading
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller

# aiosmtpd logs every connection at INFO; hundreds per scenario would drown a failure's output.
logging.getLogger("mail.log").setLevel(logging.WARNING)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Delivery:
    row: int
    message_id: str
    recipients: tuple[str, ...]
    canary: bool  # a client's name (the builders name them CANARY) must never be in an email


@dataclass
class Handler:
    delay: float = 0.0
    deliveries: list[Delivery] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("reject"):
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        parsed = email.message_from_bytes(envelope.content)
        row = parsed.get("X-Tsunagu-Outbox")
        with self.lock:
            self.deliveries.append(
                Delivery(
                    row=int(row) if row else -1,
                    message_id=parsed.get("Message-ID", ""),
                    recipients=tuple(envelope.rcpt_tos),
                    canary=b"CANARY" in envelope.content,
                )
            )
        return "250 Message accepted for delivery"


class RecordingSMTP:
    def __init__(self) -> None:
        self.port = free_port()
        self.handler = Handler()
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def clear(self) -> None:
        with self.handler.lock:
            self.handler.deliveries.clear()

    def copies(self) -> Counter[int]:
        with self.handler.lock:
            return Counter(d.row for d in self.handler.deliveries)

    def message_ids(self) -> dict[int, set[str]]:
        found: dict[int, set[str]] = defaultdict(set)
        with self.handler.lock:
            for d in self.handler.deliveries:
                found[d.row].add(d.message_id)
        return found

    def leaked(self) -> int:
        with self.handler.lock:
            return sum(1 for d in self.handler.deliveries if d.canary)

    def count(self) -> int:
        with self.handler.lock:
            return len(self.handler.deliveries)
