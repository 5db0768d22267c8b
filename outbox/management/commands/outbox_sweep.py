"""``manage.py outbox_sweep [--loop]``: run the sweep without beat.

Once, for an operator after an outage; or ``--loop`` as a small process of its own, every
``OUTBOX_SWEEP_SECONDS``, for a deployment that prefers it to beat (both are safe together:
claims skip rows another sweep holds).
"""

import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from outbox.services import sweep


class Command(BaseCommand):
    help = "Claims due outgoing messages and hands them to the workers (in-process when eager)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--loop", action="store_true", help="Sweep again every interval.")
        parser.add_argument(
            "--interval", type=float, default=None, help="Seconds between sweeps with --loop."
        )

    def handle(self, *args, loop: bool, interval: float | None, **options) -> None:
        interval = interval or settings.OUTBOX_SWEEP_SECONDS
        while True:
            close_old_connections()
            try:
                done = sweep()
            except Exception as exc:  # a loop survives a database blip
                if not loop:
                    raise
                self.stderr.write(
                    f"送信処理に失敗しました（{exc.__class__.__name__}）。再試行します。"
                )
            else:
                self.stdout.write(f"送信対象 {done['claimed']}件、送信依頼 {done['published']}件。")
            if not loop:
                return
            time.sleep(interval)
