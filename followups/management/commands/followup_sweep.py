"""``manage.py followup_sweep``: run the follow-up sweep by hand (what beat runs every 10 min)."""

from django.core.management.base import BaseCommand

from followups.services import sweep


class Command(BaseCommand):
    help = (
        "Claims due follow-up reminders and sends them (through Celery, or in-process when eager)."
    )

    def handle(self, *args, **options) -> None:
        done = sweep()
        self.stdout.write(
            f"フォローアップの送信対象 {done['claimed']}件、送信依頼 {done['published']}件。\n"
        )
