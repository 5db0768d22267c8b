"""``manage.py export_areas [--site HOSTNAME] [--output PATH]``: a town's districts in
``import_areas``'s columns."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

from resources.areas import export_areas
from tsunagu.sites import site_from_option, site_option


class Command(BaseCommand):
    help = (
        "Writes every district as CSV (名称, かな, 緯度, 経度, コード) to standard output, or to "
        "--output with a BOM so that Excel opens it as UTF-8. import_areas reads it back."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", type=Path, help="A file to write instead of the screen.")
        site_option(parser)

    def handle(self, *args, output: Path | None = None, site: str | None = None, **options) -> None:
        text = export_areas(site=site_from_option(site))
        if output is None:
            self.stdout.write(text, ending="")
        else:
            output.write_text(text, encoding="utf-8-sig", newline="")
