"""``manage.py export_areas [--output PATH]``: the districts in ``import_areas``'s columns."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

from resources.areas import export_areas


class Command(BaseCommand):
    help = (
        "Writes every district as CSV (名称, かな, 緯度, 経度, コード) to standard output, or to "
        "--output with a BOM so that Excel opens it as UTF-8. import_areas reads it back."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", type=Path, help="A file to write instead of the screen.")

    def handle(self, *args, output: Path | None = None, **options) -> None:
        text = export_areas()
        if output is None:
            self.stdout.write(text, ending="")
        else:
            output.write_text(text, encoding="utf-8-sig", newline="")
