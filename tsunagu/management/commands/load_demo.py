"""``manage.py load_demo``: the sample town for the demo and for trying things out."""

import importlib

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from tsunagu import demo

# Dependency order (DESIGN.md): each app's sample data may use the ones before it.
APP_DEMOS = ("resources", "events", "volunteers", "matching", "community", "followups", "reports")


class Command(BaseCommand):
    help = "Loads the sample town (idempotent); refuses a database that holds real content."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even though the database holds content the demo did not create.",
        )

    def handle(self, *args, force: bool = False, **options) -> None:
        try:
            with transaction.atomic():
                demo.load(self.stdout, force=force)
                for app in APP_DEMOS:
                    try:
                        module = importlib.import_module(f"{app}.demo")
                    except ModuleNotFoundError as exc:
                        if exc.name != f"{app}.demo":
                            raise
                        continue
                    module.load(self.stdout)
        except demo.RealContentError as exc:
            raise CommandError(
                "このデータベースには既に実データがあります。サンプルを混ぜないよう中止しました。"
                "それでも読み込む場合は --force を付けてください。"
            ) from exc
        self.stdout.write(self.style.SUCCESS("サンプルの町を読み込みました。"))
