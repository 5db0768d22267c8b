"""Volunteering's share of a town's setup: the section page and the coordinators' group.

``setup_town`` and the demo (volunteers/demo.py) both use these.
"""

from django.contrib.auth.models import Group, Permission
from django.utils.translation import gettext as _
from wagtail.models import Page, Site

from .models import VolunteerIndexPage

# The placeholder the site shell created at this slug; named by content type, not imported.
PLACEHOLDER = {"content_type__app_label": "tsunagu", "content_type__model": "sectionpage"}
COORDINATOR_GROUP = "ボランティア担当"
COORDINATOR_PERMISSIONS = (
    "wagtailadmin.access_admin",
    "volunteers.add_volunteer",
    "volunteers.change_volunteer",
    "volunteers.view_volunteer",
    "volunteers.change_signup",
    "volunteers.view_signup",
    "volunteers.add_hoursentry",
    "volunteers.change_hoursentry",
    "volunteers.view_hoursentry",
    # The outbox: see what was sent, send failed messages again, work the call list.
    "outbox.view_message",
    "outbox.change_message",
    "outbox.call_message",
)


def default_index() -> dict[str, str]:
    """The volunteering section a new town starts with."""
    return {
        "slug": "volunteers",
        "title": _("Volunteering"),
        "intro": _("We are looking for people who can help in the community. Start with what "
                   "you can do, a little at a time."),
    }  # fmt: skip


def volunteer_index(
    spec: dict[str, str] | None = None, *, home: Page | None = None
) -> tuple[VolunteerIndexPage, bool]:
    """The volunteering section, in the menu, in place of the shell's placeholder; True when it
    was created or changed. Without ``spec`` an existing section keeps its title and text.
    ``home``: the town's home page (default: the default site's); each town has its own."""
    home = home or Site.objects.get(is_default_site=True).root_page
    index = VolunteerIndexPage.objects.descendant_of(home).first()
    if index is None:
        fields = {**(spec or default_index()), "show_in_menus": True}
        for placeholder in home.get_children().filter(slug=fields["slug"], **PLACEHOLDER):
            placeholder.delete()
        index = home.add_child(instance=VolunteerIndexPage(**fields))
        index.save_revision().publish()
        return index, True
    fields = {**spec, "show_in_menus": True} if spec else {}
    if any(getattr(index, name) != value for name, value in fields.items()):
        for name, value in fields.items():
            setattr(index, name, value)
        index.save_revision().publish()
        return index, True
    return index, False


def coordinator_group() -> Group:
    """Volunteer coordinators (ボランティア担当): volunteers, sign-ups, hours and the outbox."""
    group, _created = Group.objects.get_or_create(name=COORDINATOR_GROUP)
    group.permissions.add(*(_permission(dotted) for dotted in COORDINATOR_PERMISSIONS))
    return group


def _permission(dotted: str) -> Permission:
    app_label, codename = dotted.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)
