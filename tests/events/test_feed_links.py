"""Every feed is offered where its events are: the calendar (as filtered), a place's page, a
group's section; with webcal:// (Apple and most apps) and Google Calendar subscribe buttons."""

import re
from urllib.parse import quote

import pytest

from tests.community.factories import make_group
from tests.resources.factories import PlacePageFactory, TermFactory, directory_page

from .factories import EventPageFactory, at

pytestmark = pytest.mark.django_db


def _alternates(html: str) -> list[str]:
    return re.findall(
        r'<link rel="alternate" type="text/calendar" title="[^"]*" href="([^"]+)">', html
    )


def _assert_offers(html: str, feed: str) -> None:
    """The feed in <head>, visible, and as webcal:// and Google subscribe buttons."""
    absolute = f"http://testserver{feed}"
    webcal = f"webcal://testserver{feed}"
    assert absolute.replace("&", "&amp;") in _alternates(html)
    assert f'href="{webcal}"'.replace("&", "&amp;") in html
    google = "https://calendar.google.com/calendar/render?cid=" + quote(webcal, safe="")
    assert f'href="{google}"' in html
    assert "カレンダーアプリで購読（iPhone・Macなど）" in html
    assert "Googleカレンダーで購読" in html
    assert f'<a href="{absolute}">'.replace("&", "&amp;") in html


def test_the_calendar_offers_the_whole_feed(client, calendar):
    _assert_offers(client.get(calendar.url).content.decode(), "/ical/events.ics")


def test_a_filtered_calendar_offers_the_matching_feed(client, calendar):
    term = TermFactory(name="料理")
    EventPageFactory(title="料理教室", start=at("2026-12-03"), tags=[term])
    EventPageFactory(title="囲碁の会", start=at("2026-12-04"))
    html = client.get(f"{calendar.url}?tag={term.slug}").content.decode()
    feed = f"/ical/events.ics?tag={quote(term.slug)}"
    _assert_offers(html, feed)
    assert "選んだ条件に合う催しだけ" in html
    text = client.get(feed).content.decode()
    assert "料理教室" in text and "囲碁の会" not in text
    month = client.get(f"{calendar.url}month/?tag={term.slug}").content.decode()
    _assert_offers(month, feed)


def test_a_place_page_offers_its_events_feed(client, calendar):
    place = PlacePageFactory(title="国頭公民館")
    EventPageFactory(title="公民館まつり", start=at("2026-12-06"), place=place)
    feed = f"/ical/places/{place.hsds_id}.ics"
    _assert_offers(client.get(place.url).content.decode(), feed)
    assert "公民館まつり" in client.get(feed).content.decode()


def test_a_groups_section_offers_its_events_feed(client, calendar):
    organization, sections = make_group("ひまわりの会")
    EventPageFactory(
        title="ひまわり料理教室", start=at("2026-12-10"), parent=sections["CalendarSectionPage"]
    )
    feed = f"/ical/organizations/{organization.uuid}.ics"
    for section in sections.values():
        _assert_offers(client.get(section.url).content.decode(), feed)
    assert "ひまわり料理教室" in client.get(feed).content.decode()


def test_the_directory_filtered_by_one_tag_offers_that_tags_feed(client, calendar):
    term = TermFactory(name="子ども食堂")
    other = TermFactory(name="体操")
    EventPageFactory(title="こども食堂の日", start=at("2026-12-03"), tags=[term])
    PlacePageFactory(title="ひまわり食堂", tags=[term, other])
    directory = directory_page()
    feed = f"/ical/tags/{term.uuid}.ics"
    html = client.get(f"{directory.url}?tag={term.slug}").content.decode()
    _assert_offers(html, feed)
    assert "「子ども食堂」の催しをカレンダーに" in html
    assert "こども食堂の日" in client.get(feed).content.decode()
    both = client.get(f"{directory.url}?tag={term.slug}&tag={other.slug}").content.decode()
    assert "/ical/tags/" not in both
