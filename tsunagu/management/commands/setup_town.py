"""``manage.py setup_town TOWN_FILE``: a real town's site on an empty database, no sample data.

The file (TOML, or JSON by extension) is described in the README ("For a real town"); see
deploy/town.example.toml. Idempotent: a second run with the same file changes nothing.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from resources.importing.files import ImportRejected
from tsunagu.town import TownSettingsError, read_town_file, setup_town


class Command(BaseCommand):
    help = (
        "Creates the site's pages, town settings, districts, teams, groups and permissions from "
        "a town file (TOML or JSON), with no sample content; all or nothing, idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("town_file", type=Path)

    def handle(self, *args, town_file: Path, **options) -> None:
        try:
            changes = setup_town(read_town_file(town_file))
        except ImportRejected as exc:
            raise CommandError(
                _("Nothing was set up. Fix these in the town file and try again:")
                + "\n"
                + "\n".join(exc.errors)
            ) from exc
        except TownSettingsError as exc:
            raise CommandError(
                _("This database holds the sample town (load_demo). Set up a real town on an "
                  "empty database.")
            ) from exc  # fmt: skip
        if not changes:
            self.stdout.write(_("Nothing changed: the town was already set up like this."))
            return
        for line in changes:
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(_("The town is set up.")))
