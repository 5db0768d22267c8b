"""``manage.py import_areas PATH [--site HOSTNAME] [--dry-run]``: a town's districts with kana
and centres."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from resources.areas import import_areas, read_areas_csv
from resources.importing.files import ImportRejected, dry_run_note, read_text
from tsunagu.sites import site_from_option, site_option


class Command(BaseCommand):
    help = (
        "Loads districts from CSV, all or nothing; districts are updated by name and ordered as "
        "the rows are. Columns: 名称, かな, 緯度, 経度 and optionally コード (UTF-8 or CP932)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and report, but write nothing."
        )
        site_option(parser)

    def handle(self, *args, path: Path, dry_run: bool, site: str | None, **options) -> None:
        town = site_from_option(site)
        try:
            counts = import_areas(read_areas_csv(read_text(path)), site=town, dry_run=dry_run)
        except ImportRejected as exc:
            raise CommandError(
                _("Nothing was imported. Fix these and try again:") + "\n" + "\n".join(exc.errors)
            ) from exc
        message = (
            _("Districts created: %(created)s, updated: %(updated)s, unchanged: %(unchanged)s.")
            % counts
        )
        if dry_run:
            message = f"{message} {dry_run_note()}"
        self.stdout.write(message)
