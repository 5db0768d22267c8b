"""``manage.py import_vocabulary PATH [--dry-run]``: load tag vocabulary terms (CSV or JSON)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from resources.importing.files import ImportRejected, dry_run_note, is_json, read_text
from resources.importing.vocabulary import VocabularyReader
from resources.services.vocabulary import vocabulary_import


class Command(BaseCommand):
    help = (
        "Loads vocabulary terms from CSV or JSON, all or nothing; terms are updated by name. "
        "Columns/keys: name, kana, kind (関心・活動, 支援ニーズ, 対象, 配慮 or interest, need, "
        "audience, accommodation), parent (a broader term, by name), synonyms (separated by 、 "
        "or ,). Japanese headers 名前, よみ, 種別, 上位語, 同義語 work too."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and report, but write nothing."
        )

    def handle(self, *args, path: Path, dry_run: bool, **options) -> None:
        try:
            text = read_text(path)
            reader = VocabularyReader()
            rows = reader.read_json(text) if is_json(path, text) else reader.read_csv(text)
            counts = vocabulary_import(rows=rows, dry_run=dry_run)
        except ImportRejected as exc:
            raise CommandError(
                _("Nothing was imported. Fix these and try again:") + "\n" + "\n".join(exc.errors)
            ) from exc
        message = _("Terms created: %(created)s, updated: %(updated)s.") % {
            "created": counts["created"],
            "updated": counts["updated"],
        }
        if dry_run:
            message = f"{message} {dry_run_note()}"
        self.stdout.write(message)
