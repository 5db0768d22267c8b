"""``manage.py erase_expired_clients [--dry-run]``: the retention job, by hand."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from matching.erasure import erase_expired, retention_years


class Command(BaseCommand):
    help = (
        "Erases the clients whose case closed more than CLIENT_RETENTION_YEARS ago (as the "
        "daily task does); --dry-run lists them and changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args: Any, dry_run: bool, **options: Any) -> None:
        erased = refused = 0
        for done in erase_expired(dry_run=dry_run):
            if dry_run:
                self.stdout.write(_("would erase %(code)s") % {"code": done.reference_code})
            elif done.refused:
                refused += 1
                self.stderr.write(done.refused)
            else:
                erased += 1
                self.stdout.write(_("erased %(code)s") % {"code": done.reference_code})
        if not dry_run:
            self.stdout.write(
                _("%(erased)d erased, %(refused)d left (retention: %(years)d years).")
                % {"erased": erased, "refused": refused, "years": retention_years()}
            )
