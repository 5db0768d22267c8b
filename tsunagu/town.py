"""A real town's first day: its site, pages, settings, districts, teams, groups and permissions,
with no sample content.

``manage.py setup_town TOWN_FILE`` and the first-run page (tsunagu/setup_views.py) both run
``setup_town``; the demo (tsunagu/demo.py and the apps' demo modules) builds its tree through the
same building blocks (``home_page`` here, the apps' ``setup`` modules). Everything runs in one
transaction and finds its rows again by name, so a second run with the same file changes nothing.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.models import GroupPagePermission, Page, Site, WorkflowPage, WorkflowTask

from community.services import ensure_moderation
from events.setup import calendar_index
from matching.models import Team
from matching.setup import staff_group, team
from resources.areas import AreaReader, AreaRow, import_areas
from resources.importing import values
from resources.importing.files import Errors, ImportRejected, load_json, read_text
from resources.setup import directory_index
from volunteers.setup import coordinator_group, volunteer_index

from .models import HomePage, TownSettings
from .text import normalize, single_line

# Wagtail's first migration creates this page; it is not "real content".
WAGTAIL_WELCOME_SLUG = "home"
LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
HOSTNAME = re.compile(rf"^{LABEL}(?:\.{LABEL})*$")
TOML_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")
# Town settings a file may give, with their longest length (the model's).
CONTACT = {"office_name": 120, "address": 200, "phone": 40, "opening_hours": 120}
SECTIONS = {"town", "site", "districts", "districts_csv", "teams"}
TOWN_KEYS = {"name", "kana", "email", "latitude", "longitude", "share_with_island", *CONTACT}
SITE_KEYS = {"hostname", "port", "title", "lead"}
TEAM_KEYS = {"name", "kind", "phone", "email"}


class TownSettingsError(Exception):
    """The database already holds the sample town; a real town must start from an empty one."""


@dataclass
class TeamSpec:
    name: str
    kind: str = Team.Kind.OTHER
    contact: dict[str, str] = field(default_factory=dict)  # phone, email: only those given


@dataclass
class Town:
    """What a town file (or the first-run form) says; everything checked already."""

    name: str
    hostname: str
    kana: str = ""
    port: int = 80
    title: str = ""
    lead: str = ""
    settings: dict[str, Any] = field(default_factory=dict)  # contact and centre, as given
    districts: list[AreaRow] = field(default_factory=list)
    teams: list[TeamSpec] = field(default_factory=list)

    @property
    def home_title(self) -> str:
        return self.title or _("Tsunagu %(town)s") % {"town": self.name}


# --- reading a town file ---------------------------------------------------------------------


def read_town_file(path: Path) -> Town:
    """A TOML (or, by extension, JSON) town file, checked; ``ImportRejected`` lists every
    problem with the line (syntax) or the key (values) it is about."""
    text = read_text(path)
    if path.suffix.lower() == ".json":
        document = load_json(text)
    else:
        try:
            document = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            where = TOML_POSITION.search(str(exc))
            raise ImportRejected(
                [
                    _("The file is not valid TOML (line %(line)s, column %(column)s): %(error)s")
                    % {
                        "line": where[1] if where else "?",
                        "column": where[2] if where else "?",
                        "error": TOML_POSITION.sub("", str(exc)).strip(),
                    }
                ]
            ) from exc
    if not isinstance(document, dict):
        raise ImportRejected([_("The town file must be a table of settings.")])
    return TownReader(base=path.parent).read(document)


class TownReader:
    """Checks a town document (already parsed) into a ``Town``, collecting every error."""

    def __init__(self, base: Path | None = None) -> None:
        self.base = base
        self.errors = Errors()

    def read(self, document: dict[str, Any]) -> Town:
        for name in document:
            if name not in SECTIONS:
                self.errors.field(_("the file"), name, _("This key is unknown."))
        town_table = self._table(document, "town", TOWN_KEYS, required=True)
        site_table = self._table(document, "site", SITE_KEYS, required=True)
        town = Town(
            name=self._text(town_table, "town", "name", 60, required=True),
            kana=normalize(self._text(town_table, "town", "kana", 120)),
            hostname=self._hostname(site_table),
            port=self._port(site_table),
            title=self._text(site_table, "site", "title", 255),
            lead=self._text(site_table, "site", "lead", 200),
            settings=self._settings(town_table),
            districts=self._districts(document),
            teams=self._teams(document.get("teams", [])),
        )
        self.errors.raise_if_any()
        return town

    def _table(
        self, document: dict[str, Any], name: str, keys: set[str], *, required: bool = False
    ) -> dict[str, Any]:
        table = document.get(name)
        if table is None:
            if required:
                self.errors.field(_("the file"), name, _("Required."))
            return {}
        if not isinstance(table, dict):
            self.errors.field(_("the file"), name, _("Must be an object."))
            return {}
        for key in table:
            if key not in keys:
                self.errors.field(name, key, _("This key is unknown."))
        return table

    def _text(
        self, table: dict[str, Any], where: str, key: str, limit: int, *, required: bool = False
    ) -> str:
        value = table.get(key, "")
        if not isinstance(value, str):
            self.errors.field(where, key, _("Must be text."))
            return ""
        if "\x00" in value:
            self.errors.field(where, key, _("Control characters and line breaks are not allowed."))
            return ""
        value = single_line(value)
        if required and not value:
            self.errors.field(where, key, _("Required."))
        elif len(value) > limit:
            self.errors.field(where, key, _("Write %(max)s characters or fewer.") % {"max": limit})
        return value

    def _hostname(self, site: dict[str, Any]) -> str:
        hostname = self._text(site, "site", "hostname", 253, required=True).lower()
        if hostname and not HOSTNAME.match(hostname):
            self.errors.field(
                "site",
                "hostname",
                _("“%(value)s” is not a host name; write it like tsunagu.town.example.jp "
                  "(no https://, no path).") % {"value": hostname},
            )  # fmt: skip
        return hostname

    def _port(self, site: dict[str, Any]) -> int:
        port = site.get("port", 80)
        if isinstance(port, bool) or not isinstance(port, int | str):
            self.errors.field("site", "port", _("Must be a whole number."))
            return 80
        try:
            return values.parse_int(str(port), minimum=1, maximum=65535)
        except ValueError as exc:
            self.errors.field("site", "port", str(exc))
            return 80

    def _settings(self, town: dict[str, Any]) -> dict[str, Any]:
        settings: dict[str, Any] = {}
        for key, limit in CONTACT.items():
            if key in town:
                settings[key] = self._text(town, "town", key, limit)
        if town.get("email"):
            try:
                settings["email"] = values.parse_email(self._text(town, "town", "email", 254))
            except ValueError as exc:
                self.errors.field("town", "email", str(exc))
        for key, limit in (("latitude", 90), ("longitude", 180)):
            if key in town:
                try:
                    settings[key] = values.parse_coordinate(town[key], limit=limit)
                except ValueError as exc:
                    self.errors.field("town", key, str(exc))
        if "share_with_island" in town:
            if isinstance(town["share_with_island"], bool):
                settings["share_with_island"] = town["share_with_island"]
            else:
                self.errors.field("town", "share_with_island", _("Write true or false."))
        return settings

    def _districts(self, document: dict[str, Any]) -> list[AreaRow]:
        inline, csv_path = document.get("districts"), document.get("districts_csv")
        if inline is not None and csv_path is not None:
            self.errors.field(
                _("the file"), "districts_csv", _("Give districts or districts_csv, not both.")
            )
            return []
        reader = AreaReader()
        try:
            if inline is not None:
                if not isinstance(inline, list):
                    self.errors.field(_("the file"), "districts", _("Must be a list."))
                    return []
                return reader.read_items(inline, "districts")
            if csv_path is not None:
                if not isinstance(csv_path, str) or not csv_path.strip():
                    self.errors.field(_("the file"), "districts_csv", _("Must be text."))
                    return []
                path = Path(csv_path)
                if not path.is_absolute() and self.base is not None:
                    path = self.base / path
                return reader.read_csv(read_text(path))
        except ImportRejected as exc:
            for message in exc.errors:
                prefix = "districts_csv" if csv_path is not None else "districts"
                self.errors.file(f"{prefix}: {message}")
        return []

    def _teams(self, items: Any) -> list[TeamSpec]:
        if not isinstance(items, list):
            self.errors.field(_("the file"), "teams", _("Must be a list."))
            return []
        kinds = values.Choices(Team.Kind.choices)
        teams, names = [], set()
        for index, item in enumerate(items):
            where = f"teams[{index}]"
            if not isinstance(item, dict):
                self.errors.field(where, "-", _("Must be an object."))
                continue
            for key in item:
                if key not in TEAM_KEYS:
                    self.errors.field(where, key, _("This key is unknown."))
            name = self._text(item, where, "name", 100, required=True)
            if name in names:
                self.errors.field(where, "name", _("This team is listed twice."))
            names.add(name)
            spec = TeamSpec(name=name)
            if item.get("kind"):
                try:
                    spec.kind = kinds.get(self._text(item, where, "kind", 60))
                except ValueError as exc:
                    self.errors.field(where, "kind", str(exc))
            if "phone" in item:
                spec.contact["phone"] = self._text(item, where, "phone", 40)
            if item.get("email"):
                try:
                    spec.contact["email"] = values.parse_email(
                        self._text(item, where, "email", 254)
                    )
                except ValueError as exc:
                    self.errors.field(where, "email", str(exc))
            teams.append(spec)
        return teams


# --- building the town -------------------------------------------------------------------------


def needs_setup() -> bool:
    """True until a home page exists: nothing (not even the demo) has built the site yet."""
    return not HomePage.objects.exists()


def home_page(
    fields: dict[str, str],
    *,
    hostname: str | None = None,
    port: int | None = None,
) -> tuple[HomePage, bool]:
    """The home page with ``fields``, as the default site's root (in place of Wagtail's welcome
    page), and the site at ``hostname`` when given; True when anything was created or changed.
    Another town's home page (the root of another site) is never taken for this one."""
    home = HomePage.objects.filter(sites_rooted_here__is_default_site=True).first()
    if home is None:
        home = HomePage.objects.filter(sites_rooted_here__isnull=True).first()
    home, changed = _home_with(home, fields, slug="tsunagu")
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(
            hostname=hostname or "localhost", port=port or 80, root_page=home, is_default_site=True
        )
        return home, True
    wanted = {"root_page_id": home.pk}
    if hostname:
        wanted.update(hostname=hostname, port=port or 80)
    if any(getattr(site, name) != value for name, value in wanted.items()):
        old_root = site.root_page
        for name, value in wanted.items():
            setattr(site, name, value)
        site.save()
        if (
            old_root.pk != home.pk
            and old_root.slug == WAGTAIL_WELCOME_SLUG
            and type(old_root.specific) is Page
        ):
            old_root.delete()
        changed = True
    return home, changed


def _home_with(
    home: HomePage | None, fields: dict[str, str], *, slug: str
) -> tuple[HomePage, bool]:
    """``home`` with ``fields`` (published when changed), or a new home page at the top of the
    tree when None; True when it was created or changed."""
    if home is None:
        root = Page.get_first_root_node()
        return root.add_child(instance=HomePage(slug=slug, **fields)), True
    if all(getattr(home, name) == value for name, value in fields.items()):
        return home, False
    for name, value in fields.items():
        setattr(home, name, value)
    home.save_revision().publish()
    return home, True


def town_home_page(
    fields: dict[str, str], *, hostname: str, port: int
) -> tuple[HomePage, Site, bool]:
    """The home page of the town at ``hostname`` once the install has a town: the root of the
    site with that name, or of a new site (not the default) beside the first town's; True when
    anything was created or changed. The first town's pages and site are left as they are."""
    site = Site.objects.filter(hostname=hostname).order_by("port").first()
    home = site.root_page.specific if site is not None else None
    home, changed = _home_with(
        home if isinstance(home, HomePage) else None, fields, slug=hostname.replace(".", "-")
    )
    if site is None:
        site = Site.objects.create(hostname=hostname, port=port, root_page=home)
    elif (site.root_page_id, site.port) != (home.pk, port):
        site.root_page, site.port = home, port
        site.save()
        changed = True
    return home, site, changed


def builds_default_site(hostname: str) -> bool:
    """Whether a town file at ``hostname`` sets up the default site: while the install has no
    town yet (the first town takes over the default site and renames it, as a single-town
    install always did), or when ``hostname`` is the default site's. Any other hostname is
    another town, with a site and page tree of its own (``town_home_page``)."""
    default = Site.objects.filter(is_default_site=True).first()
    return default is None or needs_setup() or default.hostname == hostname


def _permissions_snapshot() -> tuple[int, ...]:
    """Row counts of groups, their rights and the approval workflow, to tell whether a run
    added any (the building blocks only ever add)."""
    return (
        Group.objects.count(),
        Group.permissions.through.objects.count(),
        GroupPagePermission.objects.count(),
        WorkflowPage.objects.count(),
        WorkflowTask.objects.count(),
    )


@transaction.atomic
def setup_town(town: Town) -> list[str]:
    """Build or bring up to date the town's site; returns what changed, in Japanese (empty when
    the town was already set up exactly so). Refuses a database holding the sample town."""
    if TownSettings.objects.filter(sample_data=True).exists():
        raise TownSettingsError
    changes: list[str] = []
    before = _permissions_snapshot()
    home_fields = {"title": town.home_title}
    if town.lead or needs_setup():
        home_fields["lead"] = town.lead
    if builds_default_site(town.hostname):
        home, changed = home_page(home_fields, hostname=town.hostname, port=town.port)
        site = Site.objects.get(is_default_site=True)
    else:
        home, site, changed = town_home_page(home_fields, hostname=town.hostname, port=town.port)
    if changed:
        changes.append(
            _("Home page “%(title)s” at %(hostname)s set up.")
            % {"title": home.title, "hostname": town.hostname}
        )
    settings = TownSettings.for_site(site)
    wanted = {"town_name": town.name, "town_kana": town.kana, **town.settings}
    differing = [name for name, value in wanted.items() if getattr(settings, name) != value]
    if differing:
        for name in differing:
            setattr(settings, name, wanted[name])
        settings.save()
        changes.append(_("Town settings saved."))
    if town.districts:
        counts = import_areas(town.districts, site=site)
        if counts["created"] or counts["updated"]:
            changes.append(
                _("Districts created: %(created)s, updated: %(updated)s, unchanged: %(unchanged)s.")
                % counts
            )
    pages = [directory_index(home=home), calendar_index(home), volunteer_index(home=home)]
    changes.extend(_("Page “%(title)s” set up.") % {"title": p.title} for p, c in pages if c)
    for spec in town.teams:
        _team, changed = team(spec.name, {"kind": spec.kind, **spec.contact}, site=site)
        if changed:
            changes.append(_("Team “%(name)s” set up.") % {"name": spec.name})
    coordinator_group()
    staff_group()
    ensure_moderation(site)  # this town's staff approve this town's pages, nobody else's
    if _permissions_snapshot() != before:
        changes.append(_("Groups, permissions and the approval workflow set up."))
    return changes
