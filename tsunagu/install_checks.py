"""What a real install still lacks (``manage.py check_install``): one finding per line.

Essential findings (staff without a second factor, email not configured, DEBUG on, no backups,
the town not set up) make the command fail, so a deployment script can stop on them; advice
(the public OpenStreetMap tiles) is shown but does not.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.devices import has_confirmed_device
from resources.models import Area, DirectoryIndexPage

from .models import TownSettings
from .town import needs_setup

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
OSM_TILES = "tile.openstreetmap.org"
# A backup older than this is reported: the compose service makes one a day.
BACKUP_MAX_AGE_HOURS = 48
BACKUP_SUFFIXES = (".dump", ".sql", ".sql.gz")


class Status(Enum):
    OK = "ok"
    ADVICE = "advice"
    MISSING = "missing"


@dataclass(frozen=True)
class Finding:
    status: Status
    message: str

    @property
    def line(self) -> str:
        label = {
            Status.OK: _("[OK]"),
            Status.ADVICE: _("[Advice]"),
            Status.MISSING: _("[Missing]"),
        }[self.status]
        return f"{label} {self.message}"


def _admin_users() -> list[Any]:
    """Active people who can reach the admin: superusers, staff, members of admin groups."""
    reaches_admin = (
        Q(is_superuser=True)
        | Q(is_staff=True)
        | Q(groups__permissions__codename="access_admin")
        | Q(user_permissions__codename="access_admin")
    )
    User = get_user_model()
    return list(
        User.objects.filter(reaches_admin, is_active=True).distinct().order_by(User.USERNAME_FIELD)
    )


def check_two_factor() -> Finding:
    users = _admin_users()
    if not users:
        return Finding(Status.MISSING, _("No administrator: create one with createsuperuser."))
    lacking = [user.get_username() for user in users if not has_confirmed_device(user)]
    if lacking:
        return Finding(
            Status.MISSING,
            _("Staff without two-factor authentication (%(count)s): %(names)s")
            % {"count": len(lacking), "names": "、".join(lacking)},
        )
    return Finding(
        Status.OK, _("All %(count)s staff use two-factor authentication.") % {"count": len(users)}
    )


def check_email() -> Finding:
    backend = settings.OUTBOX_EMAIL_BACKEND
    if backend != SMTP_BACKEND:
        return Finding(
            Status.MISSING,
            _("Email is not sent to anyone: EMAIL_BACKEND is %(backend)s.") % {"backend": backend},
        )
    defaults = [
        name
        for name, unset in (
            ("EMAIL_HOST", settings.EMAIL_HOST in ("", "localhost", "127.0.0.1")),
            ("DEFAULT_FROM_EMAIL", settings.DEFAULT_FROM_EMAIL.endswith("@localhost")),
        )
        if unset
    ]
    if defaults:
        return Finding(
            Status.MISSING,
            _("Email settings are still the defaults: set %(names)s.")
            % {"names": "、".join(defaults)},
        )
    return Finding(
        Status.OK,
        _("Email goes through %(host)s from %(sender)s.")
        % {"host": settings.EMAIL_HOST, "sender": settings.DEFAULT_FROM_EMAIL},
    )


def check_debug() -> Finding:
    if settings.DEBUG:
        return Finding(Status.MISSING, _("DEBUG is on: turn it off before residents use the site."))
    return Finding(Status.OK, _("DEBUG is off."))


def check_backups() -> Finding:
    """BACKUP_DIR (the compose backup service's volume, mounted read-only) holds a recent dump."""
    directory = os.environ.get("BACKUP_DIR", "").strip()
    if not directory:
        return Finding(
            Status.MISSING,
            _("Backups are not configured: set BACKUP_DIR to the backup service's folder."),
        )
    path = Path(directory)
    if not path.is_dir():
        return Finding(
            Status.MISSING, _("The backup folder %(path)s does not exist.") % {"path": path}
        )
    dumps = [p for p in path.iterdir() if p.is_file() and p.name.endswith(BACKUP_SUFFIXES)]
    if not dumps:
        return Finding(Status.MISSING, _("No backup yet in %(path)s.") % {"path": path})
    newest = max(dumps, key=lambda p: p.stat().st_mtime)
    hours = (time.time() - newest.stat().st_mtime) / 3600
    if hours > BACKUP_MAX_AGE_HOURS:
        return Finding(
            Status.MISSING,
            _("The newest backup, %(name)s, is %(hours)s hours old.")
            % {"name": newest.name, "hours": int(hours)},
        )
    return Finding(
        Status.OK,
        _("Latest backup: %(name)s (%(count)s kept).") % {"name": newest.name, "count": len(dumps)},
    )


def check_tiles() -> Finding:
    url = settings.MAP_TILE_URL
    if not url:
        return Finding(Status.OK, _("Maps are off (MAP_TILE_URL is empty): lists only."))
    if OSM_TILES in url:
        return Finding(
            Status.ADVICE,
            _("Maps use OpenStreetMap's public tile server, which is not meant for a service's "
              "traffic: set MAP_TILE_URL to the town's own tiles or a tile provider."),
        )  # fmt: skip
    return Finding(Status.OK, _("Map tiles come from %(url)s.") % {"url": url})


def check_town() -> Finding:
    if TownSettings.objects.filter(sample_data=True).exists():
        return Finding(
            Status.MISSING, _("This site holds the sample town: start from an empty database.")
        )
    if needs_setup() or not DirectoryIndexPage.objects.exists():
        return Finding(Status.MISSING, _("The town is not set up: run setup_town TOWN_FILE."))
    if not Area.objects.exists():
        return Finding(Status.MISSING, _("No districts: load them with import_areas."))
    name = TownSettings.objects.values_list("town_name", flat=True).first() or "?"
    return Finding(
        Status.OK,
        _("Town %(name)s is set up with %(count)s districts.")
        % {"name": name, "count": Area.objects.count()},
    )


CHECKS = (check_town, check_two_factor, check_email, check_debug, check_backups, check_tiles)


def findings() -> list[Finding]:
    return [check() for check in CHECKS]
