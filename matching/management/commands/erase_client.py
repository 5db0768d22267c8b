"""``manage.py erase_client REF [--by USERNAME] [--reason request|retention|other] [--force]``."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from matching.erasure import REASONS, ErasureError, client_erase
from matching.management.base import ActorCommand


class Command(ActorCommand):
    help = (
        "Erases a client's personal data (name, kana, notes and every free text about them), "
        "keeping the reference code, dates, statuses, fields and tags for the statistics. "
        "Refused while a placement is open, unless --force ends it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("reference_code")
        parser.add_argument("--reason", choices=sorted(REASONS), default="request")
        parser.add_argument(
            "--force", action="store_true", help="End the client's open placements first."
        )

    def handle(
        self, *args: Any, reference_code: str, reason: str, force: bool, **options: Any
    ) -> None:
        actor = self.actor(options["by"])
        try:
            done = client_erase(reference_code=reference_code, by=actor, reason=reason, force=force)
        except (ErasureError, PermissionDenied) as exc:
            raise CommandError(str(exc)) from None
        if done.already:
            self.stdout.write(
                _("%(code)s was already erased on %(date)s; nothing changed.")
                % {"code": done.reference_code, "date": f"{done.erased_at:%Y-%m-%d}"}
            )
            return
        self.stdout.write(
            _(
                "%(code)s erased: %(placements)d open placement(s) ended, %(messages)d "
                "waiting message(s) cancelled."
            )
            % {
                "code": done.reference_code,
                "placements": done.placements_closed,
                "messages": done.messages_cancelled,
            }
        )
