"""What the matching commands share: who is acting, for scoping and the audit log."""

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from matching.access import SystemActor


class ActorCommand(BaseCommand):
    """A command that reads or writes client records as ``--by USERNAME`` or as the system.

    With ``--by`` the user's own access applies (``visible_to`` to read, ``can_write_client`` to
    change or propose) and the audit log names them; without it the command runs as the server's
    operator, logged as "system".
    """

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--by",
            metavar="USERNAME",
            help="Act as this user: their access applies and the audit log names them.",
        )

    def actor(self, username: str | None) -> Any:
        if not username:
            return SystemActor()
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(_("There is no active user “%(name)s”.") % {"name": username})
        return user
