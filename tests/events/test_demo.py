"""The sample events: a calendar in the menu where the placeholder was, idempotent, tolerant."""

from io import StringIO

import pytest
from django.core.management import call_command
from wagtail.models import Site

from events import demo as events_demo
from events.models import EventIndexPage, EventPage
from tsunagu import demo as site_demo
from tsunagu.models import SectionPage

pytestmark = pytest.mark.django_db


def test_load_demo_puts_the_calendar_after_the_directory_and_is_idempotent(now):
    call_command("load_demo", stdout=StringIO())
    home = Site.objects.get(is_default_site=True).root_page
    menu = [page.slug for page in home.get_children().live().in_menu()]
    assert menu[:2] == ["places", "events"]
    calendar = EventIndexPage.objects.get()
    assert calendar.title == "催し・イベント" and calendar.show_in_menus
    assert not SectionPage.objects.filter(slug="events").exists()

    events = {e.title: e for e in EventPage.objects.child_of(calendar).live()}
    assert len(events) == 7 and all(e.is_sample for e in events.values())
    assert events["健康教室"].rrule_text().startswith("FREQ=MONTHLY;INTERVAL=1;BYDAY=2TU")
    assert events["子ども食堂の日"].exdates.count() == 1
    assert events["喜美留の浜 清掃活動"].cancelled
    assert events["ゆり畑ボランティア"].how_to_apply == "form"
    assert events["敬老会"].place.title == "和泊公民館"
    assert {e.area.name for e in events.values() if e.area} >= {"和泊", "国頭", "出花"}

    pages = EventPage.objects.count()
    revisions = set(EventPage.objects.values_list("latest_revision_id", flat=True))
    call_command("load_demo", stdout=StringIO())
    assert EventPage.objects.count() == pages
    # Nothing changed, so nothing was republished.
    assert set(EventPage.objects.values_list("latest_revision_id", flat=True)) == revisions


def test_replaces_an_old_placeholder_and_tolerates_missing_places(now):
    site_demo.load(StringIO())
    home = Site.objects.get(is_default_site=True).root_page
    home.add_child(instance=SectionPage(slug="events", title="催し・イベント", show_in_menus=True))
    events_demo.load(StringIO())
    assert [p.specific_class for p in home.get_children().filter(slug="events")] == [EventIndexPage]
    assert EventPage.objects.count() == 7
    assert not EventPage.objects.filter(place__isnull=False).exists()
