"""``manage.py import_clients PATH --team TEAM [--by USERNAME] [--dry-run]``."""

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from matching.access import can_write_team, writable_teams
from matching.imports import ClientReader
from matching.management.base import ActorCommand
from matching.services import clients_import
from resources.importing.files import ImportRejected, read_text


class Command(ActorCommand):
    help = (
        "Imports clients from a CSV file (UTF-8 with or without BOM, or CP932) into a team, all "
        "rows or none; clients are matched by external ID, so importing again updates them. "
        "Columns are described in matching/imports.py and the README."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("path", type=Path)
        parser.add_argument("--team", required=True, help="The team's name.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and report, but write nothing."
        )

    def handle(self, *args: Any, path: Path, team: str, dry_run: bool, **options: Any) -> None:
        actor = self.actor(options["by"])
        # Two towns may have teams of the same name: the one the actor writes is meant.
        team_obj = writable_teams(actor).filter(name=team).first()
        if team_obj is None or not can_write_team(actor, team_obj.pk):
            raise CommandError(
                _("There is no team “%(name)s” you can import into.") % {"name": team}
            )
        try:
            rows = ClientReader().read_csv(read_text(path))
            with transaction.atomic():
                counts = clients_import(rows=rows, team=team_obj, by=actor)
                if dry_run:
                    transaction.set_rollback(True)
        except ImportRejected as exc:
            raise CommandError(
                _("Nothing was imported. Fix these and try again:") + "\n" + "\n".join(exc.errors)
            ) from exc
        message = _("Clients created: %(created)s, updated: %(updated)s.") % {
            "created": counts["created"],
            "updated": counts["updated"],
        }
        if counts["consents"] or counts["plans"]:
            added = _("Consent records added: %(consents)s, support plans added: %(plans)s.")
            message = (
                f"{message} {added % {'consents': counts['consents'], 'plans': counts['plans']}}"
            )
        if dry_run:
            message = f"{message} {_('(dry run: nothing was written)')}"
        self.stdout.write(message)
