"""The directory's share of a town's setup: its index page, and rows kept in step by a key.

``setup_town`` (tsunagu/town.py), the first-run page and the demo (resources/demo.py) all build
the directory through these, so a real town and the sample town get the same tree.
"""

from typing import Any, TypeVar

from django.db import models
from django.utils.translation import gettext as _
from wagtail.models import Page, Site

from .models import DirectoryIndexPage

M = TypeVar("M", bound=models.Model)
# The placeholder section the site shell used to create at the directory's slug; named by
# content type because resources must not import tsunagu's page types (DESIGN.md).
PLACEHOLDER = {"content_type__app_label": "tsunagu", "content_type__model": "sectionpage"}


def default_directory() -> dict[str, str]:
    """The directory page a new town starts with (the town can retitle it in the admin)."""
    return {
        "slug": "places",
        "title": _("Find places and activities"),
        "intro": _("Community centres, salons, children's cafeterias, farms and more: places and "
                   "activities in town you can take part in."),
    }  # fmt: skip


def sync(
    model: type[M],
    key: str,
    values: dict[str, dict[str, Any]],
    scope: dict[str, Any] | None = None,
) -> tuple[dict[str, M], int]:
    """Create or update rows by ``key``, saving only those that differ; returns the rows and how
    many were created or changed. ``scope`` narrows the rows looked at and is given to the rows
    created: a town's districts are keyed by name within their site.

    Saving a district or an operator re-indexes every listing that uses it, so an unchanged
    row must not be saved again.
    """
    scope = scope or {}
    rows = model.objects.filter(**scope, **{f"{key}__in": values})
    existing = {getattr(obj, key): obj for obj in rows}
    objects = {}
    touched = 0
    for identifier, fields in values.items():
        obj = existing.get(identifier)
        if obj is None:
            obj = model.objects.create(**scope, **{key: identifier}, **fields)
            touched += 1
        else:
            changed = [name for name, value in fields.items() if getattr(obj, name) != value]
            for name in changed:
                setattr(obj, name, fields[name])
            if changed:
                obj.save(update_fields=changed)
                touched += 1
        objects[identifier] = obj
    return objects, touched


def directory_index(
    spec: dict[str, str] | None = None, *, home: Page | None = None
) -> tuple[DirectoryIndexPage, bool]:
    """The directory, first in the home page's menu, in place of the shell's placeholder;
    True when it was created or changed. ``home`` is the town's home page (default: the default
    site's); each town has its own directory.

    An existing directory keeps its title and introduction unless ``spec`` is given (the demo
    gives its own): a town that retitled its directory keeps the new title.
    """
    home = home or Site.objects.get(is_default_site=True).root_page
    directory = DirectoryIndexPage.objects.descendant_of(home).first()
    changed = False
    if directory is None:
        fields = {**(spec or default_directory()), "show_in_menus": True}
        for placeholder in home.get_children().filter(slug=fields["slug"], **PLACEHOLDER):
            placeholder.delete()
        directory = home.add_child(instance=DirectoryIndexPage(**fields))
        directory.save_revision().publish()
        changed = True
    elif spec is not None:
        fields = {**spec, "show_in_menus": True}
        if any(getattr(directory, name) != value for name, value in fields.items()):
            for name, value in fields.items():
                setattr(directory, name, value)
            directory.save_revision().publish()
            changed = True
    first = home.get_first_child()
    if first.pk != directory.pk:
        directory.move(first, pos="left")
        directory.refresh_from_db()  # its tree path changed; children are added under it
        changed = True
    return directory, changed
