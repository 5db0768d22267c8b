"""``manage.py check_install``: what this install still lacks before a town relies on it."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import ngettext

from tsunagu.install_checks import Status, findings


class Command(BaseCommand):
    help = (
        "Reports, one line each, what a real install lacks: staff without 2FA, email settings, "
        "DEBUG, backups, the map tile server, setup_town. Fails if anything essential is missing."
    )

    def handle(self, *args, **options) -> None:
        results = findings()
        for finding in results:
            style = {
                Status.OK: self.style.SUCCESS,
                Status.ADVICE: self.style.WARNING,
                Status.MISSING: self.style.ERROR,
            }[finding.status]
            self.stdout.write(style(finding.line))
        missing = sum(finding.status is Status.MISSING for finding in results)
        if missing:
            raise CommandError(
                ngettext(
                    "%(count)s essential item is missing.",
                    "%(count)s essential items are missing.",
                    missing,
                )
                % {"count": missing}
            )
