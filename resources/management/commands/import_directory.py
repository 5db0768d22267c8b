"""``manage.py import_directory PATH [--live|--draft] [--dry-run] [--progress] [--site HOST]``."""

from collections import Counter
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from resources.importing.directory_csv import read_directory_csv
from resources.importing.directory_hsds import read_directory_json, read_term_map
from resources.importing.files import ImportRejected, Progress, dry_run_note, is_json, read_text
from resources.services.directory import ImportResult, directory_import
from tsunagu.sites import site_from_option, site_option


class Command(BaseCommand):
    help = (
        "Imports places, activities and operators into the directory, all or nothing. PATH is "
        "an HSDS 3.0 JSON document (the output of export_directory, or services, organizations "
        "or service_at_locations as in the standard's examples) or the town's CSV "
        "(resources/import_templates/directory_template.csv, UTF-8 or Shift_JIS). Importing "
        "the same file again updates what it created. Pages are saved as drafts unless --live."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--live", action="store_true", help="Publish the pages.")
        mode.add_argument(
            "--draft", action="store_true", help="Save the pages as drafts (the default)."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and report, but write nothing."
        )
        parser.add_argument(
            "--term-map",
            type=Path,
            help="A CSV mapping another vocabulary's terms to ours: columns 分類体系 (optional), "
            "元の語 (the term's id, code or name) and 用語 (ours). HSDS files only.",
        )
        parser.add_argument(
            "--progress", action="store_true", help="Show a progress bar even when not a TTY."
        )
        site_option(parser)

    def handle(
        self,
        *args,
        path: Path,
        live: bool,
        dry_run: bool,
        progress: bool,
        term_map: Path | None = None,
        site: str | None = None,
        **options,
    ) -> None:
        # Without --site, the install's directory and every district, as before several towns.
        town = site_from_option(site) if site else None
        try:
            text = read_text(path)
            terms = read_term_map(read_text(term_map)) if term_map else None
            if is_json(path, text):
                data = read_directory_json(text, term_map=terms, site=town)
            else:
                data = read_directory_csv(text, site=town)
            result = directory_import(
                data=data,
                live=live,
                dry_run=dry_run,
                site=town,
                progress=Progress(
                    enabled=progress or self.stderr.isatty(),
                    write=lambda text: self.stderr.write(text, ending=""),
                ),
            )
        except ImportRejected as exc:
            raise CommandError(
                _("Nothing was imported. Fix these and try again:") + "\n" + "\n".join(exc.errors)
            ) from exc
        self.stdout.write(summary(result, dry_run=dry_run))
        if data.warnings:
            self.stdout.write(_("Imported with these defaults and approximations:"))
            for warning in data.warnings:
                self.stdout.write(f"- {warning}")


def summary(result: ImportResult, *, dry_run: bool) -> str:
    """What was created and updated, by kind, as the operator reads it."""
    names = {
        "organization": _("operators"),
        "term": _("terms"),
        "placepage": _("places"),
        "activitypage": _("activities"),
    }

    def counts(counter: Counter[str]) -> str:
        return "、".join(f"{names[k]} {counter[k]}" for k in names if counter[k]) or "0"

    text = _("Created: %(created)s. Updated: %(updated)s.") % {
        "created": counts(result.created),
        "updated": counts(result.updated),
    }
    if result.unchanged:
        text += " " + _("Unchanged: %(unchanged)s.") % {"unchanged": counts(result.unchanged)}
    return f"{text} {dry_run_note()}" if dry_run else text
