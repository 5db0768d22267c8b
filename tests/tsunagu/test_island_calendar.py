"""The calendar and volunteer opportunities across the island (issue 17): a sharing town's
site shows the other sharing towns' public events, activities and opportunities, marked with
the town and linked to that town's site; staff-only events never, anywhere."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.events.factories import EventPageFactory
from tests.resources.factories import ActivityPageFactory
from tests.tsunagu.island import CHINA_HOST, share, two_towns
from tests.volunteers.factories import make_opportunity

BADGE = '<span class="badge badge--town">知名町</span>'


def _soon(days: int = 1, hour: int = 10) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_default_timezone())


@pytest.fixture
def island(db):
    wadomari, china = two_towns()
    EventPageFactory(title="和泊の夏祭り", start=_soon())
    EventPageFactory(title="知名の運動会", start=_soon(), parent=china.calendar)
    EventPageFactory(title="知名の職員研修", start=_soon(), parent=china.calendar, staff_only=True)
    weekday = _soon().weekday()
    ActivityPageFactory(
        title="知名の体操教室",
        parent=china.directory,
        schedule=[{"weekday": weekday, "opens_at": "09:00", "closes_at": "10:00"}],
    )
    make_opportunity(title="知名の浜清掃", parent=china.volunteers)
    make_opportunity(title="和泊の見守り")
    return wadomari, china


def _html(client, url: str, host: str = "localhost") -> str:
    response = client.get(url, HTTP_HOST=host)
    assert response.status_code == 200
    return response.content.decode()


def _month_url(calendar) -> str:
    day = _soon().date()
    return f"{calendar.url}month/{day.year}/{day.month}/"


def _views(town) -> list[str]:
    """The calendar's list, month and week views, and the site's home page (this week)."""
    day = _soon().date()
    week = f"{town.calendar.url}week/{day.year}/{day.month}/{day.day}/"
    return [town.calendar.url, _month_url(town.calendar), week, town.home.url]


def test_a_sharing_town_shows_the_other_towns_events_marked_and_linked(client, island):
    wadomari, _china = island
    share(*island)
    for url in _views(wadomari):
        html = _html(client, url)
        assert "和泊の夏祭り" in html and "知名の運動会" in html, url
        assert BADGE in html, url
        assert f'href="http://{CHINA_HOST}/events/' in html, url


def test_the_week_shows_the_other_towns_regular_activities(client, island):
    wadomari, _china = island
    share(*island)
    html = _html(client, _views(wadomari)[2])
    assert "知名の体操教室" in html
    assert f'href="http://{CHINA_HOST}/places/' in html


@pytest.mark.parametrize("sharing", ["neither", "wadomari", "china"])
def test_unless_both_share_the_calendar_keeps_to_its_own_town(client, island, sharing):
    wadomari, china = island
    share(*{"neither": (), "wadomari": (wadomari,), "china": (china,)}[sharing])
    for url in _views(wadomari):
        html = _html(client, url)
        assert "知名の運動会" not in html and "知名の体操教室" not in html, url
        assert "badge--town" not in html, url
    for url in _views(china):
        assert "和泊の夏祭り" not in _html(client, url, CHINA_HOST), url


def test_a_staff_only_event_never_shows_on_either_site(client, island):
    wadomari, china = island
    share(wadomari, china)
    for town, host in ((wadomari, "localhost"), (china, CHINA_HOST)):
        for url in _views(town):
            assert "知名の職員研修" not in _html(client, url, host), url


def test_a_publish_in_the_other_town_changes_the_cached_month(client, island):
    wadomari, china = island
    share(wadomari, china)
    url = _month_url(wadomari.calendar)
    assert "知名のお茶会" not in _html(client, url)
    assert client.get(url, HTTP_HOST="localhost").headers.get("X-Page-Cache") == "hit"
    EventPageFactory(title="知名のお茶会", start=_soon(hour=14), parent=china.calendar)
    assert "知名のお茶会" in _html(client, url)


def test_volunteer_opportunities_are_shared_only_when_both_share(client, island):
    wadomari, china = island
    share(wadomari)
    assert "知名の浜清掃" not in _html(client, wadomari.volunteers.url)
    share(china)
    html = _html(client, wadomari.volunteers.url)
    assert "知名の浜清掃" in html and "和泊の見守り" in html
    assert BADGE in html and f'href="http://{CHINA_HOST}/volunteers/' in html
    there = _html(client, china.volunteers.url, CHINA_HOST)
    assert '<span class="badge badge--town">和泊町</span>' in there


def test_the_events_feed_of_a_site_holds_its_islands_events_only(client, island):
    wadomari, china = island
    url = reverse("events:ical-all")
    feed = client.get(url, HTTP_HOST="localhost").content.decode()
    assert "和泊の夏祭り" in feed and "知名の運動会" not in feed
    share(wadomari, china)
    feed = client.get(url, HTTP_HOST="localhost").content.decode()
    assert "和泊の夏祭り" in feed and "知名の運動会" in feed
    assert "知名の職員研修" not in feed


def test_each_town_s_events_feed_is_named_for_that_town(client, island):
    import icalendar

    url = reverse("events:ical-all")
    for host, town in (("localhost", "和泊町"), (CHINA_HOST, "知名町")):
        calendar = icalendar.Calendar.from_ical(client.get(url, HTTP_HOST=host).content)
        assert calendar["X-WR-CALNAME"] == f"{town}の催し"
