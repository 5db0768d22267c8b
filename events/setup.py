"""The calendar's share of a town's setup, used by ``setup_town`` and the demo alike."""

from django.utils.translation import gettext as _
from wagtail.models import Page

from resources.setup import PLACEHOLDER

from .models import EventIndexPage

# The directory the calendar follows in the menu; named by content type, as apps do not import
# each other's page types (DESIGN.md). The shell's placeholder is resources.setup's.
DIRECTORY = {"content_type__app_label": "resources", "content_type__model": "directoryindexpage"}


def default_calendar() -> dict[str, str]:
    """The calendar page a new town starts with (retitled in the admin if the town likes)."""
    return {
        "slug": "events",
        "title": _("Events calendar"),
        "intro": _("This week's and next month's gatherings, health classes and community "
                   "events."),
    }  # fmt: skip


def calendar_index(home: Page, spec: dict[str, str] | None = None) -> tuple[EventIndexPage, bool]:
    """The calendar page, in place of the shell's placeholder, right after the directory; True
    when it was created or moved. An existing calendar keeps its title and introduction."""
    calendar = EventIndexPage.objects.child_of(home).first()
    changed = False
    if calendar is None:
        fields = spec or default_calendar()
        for placeholder in home.get_children().filter(slug=fields["slug"], **PLACEHOLDER):
            placeholder.delete()
        calendar = home.add_child(instance=EventIndexPage(show_in_menus=True, **fields))
        calendar.save_revision().publish()
        changed = True
    directory = home.get_children().filter(**DIRECTORY).first()
    if directory is not None:
        follower = directory.get_next_sibling()
        if follower is None or follower.pk != calendar.pk:
            calendar.move(directory, pos="right")
            calendar.refresh_from_db()  # its tree path changed; events are added under it
            changed = True
    return calendar, changed
