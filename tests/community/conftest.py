"""Two community groups (A and B) with sections, pages and an editor each, and town staff."""

from types import SimpleNamespace

import pytest

from tests.events.factories import EventPageFactory, at
from tests.resources.factories import PlacePageFactory
from tests.volunteers.factories import make_opportunity

from .factories import make_editor, make_group, make_staff


@pytest.fixture
def groups(db) -> SimpleNamespace:
    org_a, sections_a = make_group("ひまわりの会")
    org_b, sections_b = make_group("うみの会")
    return SimpleNamespace(
        org_a=org_a,
        org_b=org_b,
        sections_a=sections_a,
        sections_b=sections_b,
        editor_a=make_editor("editor-a", org_a),
        editor_b=make_editor("editor-b", org_b),
        staff=make_staff(),
        place_a=PlacePageFactory(title="ひまわり食堂", parent=sections_a["DirectorySectionPage"]),
        place_b=PlacePageFactory(title="うみの家", parent=sections_b["DirectorySectionPage"]),
        event_a=EventPageFactory(
            title="ひまわり料理教室",
            start=at("2030-01-10"),
            parent=sections_a["CalendarSectionPage"],
        ),
        event_b=EventPageFactory(
            title="うみの清掃",
            start=at("2030-01-11"),
            parent=sections_b["CalendarSectionPage"],
        ),
        opportunity_b=make_opportunity(
            title="うみの清掃の手伝い", parent=sections_b["VolunteerSectionPage"]
        ),
    )
