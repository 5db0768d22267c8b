"""``manage.py export_directory [--output PATH] [--site HOST]``: the public directory as HSDS
3.0 JSON, of every town or of one."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from resources.hsds.export import directory_document
from tsunagu.sites import site_from_option, site_option


class Command(BaseCommand):
    help = (
        "Writes the public directory (published pages only) as one HSDS 3.0 JSON document: "
        '{"version": "3.0", "organizations": [...], "locations": [...], "services": [...], '
        '"taxonomies": [...], "taxonomy_terms": [...]}. Organizations and services are the '
        "fully nested documents of /api/hsds/organizations/{id} and /api/hsds/services/{id}; "
        "locations are every public place. import_directory reads it back. On an install of "
        "several towns, --site HOSTNAME writes that town's listings only (not the island's it "
        "shares) with their operators, for import_directory --site of the same town; without "
        "it, every town's listings."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output", type=Path, help="Write to this file (UTF-8) instead of standard output."
        )
        site_option(
            parser,
            help="Only this town's listings (its site's host name); default: every town's.",
        )

    def handle(self, *args, output: Path | None = None, site: str | None = None, **options) -> None:
        town = site_from_option(site) if site else None
        text = json.dumps(directory_document(site=town), ensure_ascii=False, indent=2) + "\n"
        if output is None:
            self.stdout.write(text, ending="")
            return
        output.write_text(text, encoding="utf-8")
        self.stderr.write(_("Wrote %(path)s.") % {"path": output})
