"""Staff-only events (研修・会議 of staff and partner agencies) are on no public surface.

The demo's 「相談支援包括化推進員 研修」 was published like any event and so appeared in the public
calendar. Each surface is checked beside a public event of the same day, place, operator and tag,
so a test that finds nothing proves the staff event is left out, not that the surface is empty.
"""

from io import StringIO

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from events import demo as events_demo
from events.models import EventPage
from tests.matching.factories import make_user
from tests.resources.factories import OrganizationFactory, PlacePageFactory, TermFactory
from tsunagu import demo as site_demo

from .factories import EventPageFactory, at

pytestmark = pytest.mark.django_db

STAFF_TITLE = "推進員研修"
PUBLIC_TITLE = "町民健康講座"


@pytest.fixture
def pair(calendar):
    """A staff-only event and a public one, alike in everything else, on Thursday 3 December."""
    shared = {
        "place": PlacePageFactory(title="和泊町役場"),
        "organization": OrganizationFactory(name="保健福祉課"),
        "tags": [TermFactory(name="相談", slug="soudan")],
        "start": at("2026-12-03", "13:30"),
        "end": at("2026-12-03", "16:30"),
    }
    staff = EventPageFactory(title=STAFF_TITLE, staff_only=True, **shared)
    public = EventPageFactory(title=PUBLIC_TITLE, **shared)
    return staff, public


def _text(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/events/",
        "/events/day/2026/12/3/",
        "/events/month/2026/12/",
        "/events/week/2026/12/3/",
        "/ical/events.ics",
    ],
)
def test_calendar_views_and_the_town_feed_leave_it_out(client, pair, url):
    text = _text(client, url)
    assert PUBLIC_TITLE in text and STAFF_TITLE not in text


def test_place_operator_and_tag_feeds_leave_it_out(client, pair):
    staff, public = pair
    urls = [
        f"/ical/places/{public.place.hsds_id}.ics",
        f"/ical/organizations/{public.organization.uuid}.ics",
        f"/ical/tags/{public.tags.get().uuid}.ics",
    ]
    for url in urls:
        text = _text(client, url)
        assert PUBLIC_TITLE in text and STAFF_TITLE not in text, url
    assert client.get(staff.ical_url()).status_code == 404
    assert client.get(public.ical_url()).status_code == 200


def test_the_archive_leaves_it_out_once_past(client, pair):
    EventPageFactory(title="過去の研修", staff_only=True, start=at("2026-11-10"))
    EventPageFactory(title="過去の講座", start=at("2026-11-10"))
    text = _text(client, "/events/archive/")
    assert "過去の講座" in text and "過去の研修" not in text


def test_the_home_pages_this_week_block_leaves_it_out(pair, rf: RequestFactory):
    html = Template("{% load events_tags %}{% events_this_week %}").render(
        Context({"request": rf.get("/")})
    )
    assert PUBLIC_TITLE in html and STAFF_TITLE not in html


def test_its_page_is_not_found_except_by_those_who_edit_it(client, django_user_model, pair):
    staff, public = pair
    assert client.get(staff.url).status_code == 404
    assert client.get(public.url).status_code == 200
    # A coordinator with admin access but no rights on the calendar's pages sees nothing either.
    client.force_login(make_user("coordinator"))
    assert client.get(staff.url).status_code == 404
    client.force_login(django_user_model.objects.create_superuser("town", "t@example.jp", "pw"))
    assert STAFF_TITLE in _text(client, staff.url)


def test_directory_search_hsds_and_sitemap_leave_it_out(client, pair):
    staff, public = pair
    assert STAFF_TITLE not in client.get("/places/?q=研修").content.decode()
    services = client.get("/api/hsds/services/?search=研修").content.decode()
    assert STAFF_TITLE not in services
    assert client.get(f"/api/hsds/services/{staff.hsds_id}").status_code == 404
    assert STAFF_TITLE not in client.get("/sitemap.xml").content.decode()


def test_one_queryset_method_decides(pair):
    staff, public = pair
    assert list(EventPage.objects.for_calendar().values_list("title", flat=True)) == [PUBLIC_TITLE]


def test_the_demo_training_is_staff_only_and_not_public(client, now):
    site_demo.load(StringIO())
    events_demo.load(StringIO())
    training = EventPage.objects.get(title="相談支援包括化推進員 研修")
    assert training.staff_only and training.live
    day = training.local_start.date()
    month = _text(client, f"/events/month/{day.year}/{day.month}/")
    week = _text(client, f"/events/week/{day.year}/{day.month}/{day.day}/")
    feed = _text(client, "/ical/events.ics")
    for text in (month, week, feed):
        assert "相談支援包括化推進員" not in text
    assert "敬老会" in feed
    assert client.get(training.url).status_code == 404


def test_searching_public_events_leaves_it_out(pair):
    # Both are held at 和泊町役場, which their search text carries.
    everything = EventPage.objects.live().search("役場")
    assert sorted(event.title for event in everything) == sorted([STAFF_TITLE, PUBLIC_TITLE])
    found = EventPage.objects.for_calendar().search("役場")
    assert [event.title for event in found] == [PUBLIC_TITLE]
