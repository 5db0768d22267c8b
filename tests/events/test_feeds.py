"""iCal feeds, each read back by two independent parsers (icalendar and vobject)."""

import datetime as dt

import icalendar
import pytest
import vobject

from tests.resources.factories import OrganizationFactory, PlacePageFactory, TermFactory
from tsunagu.models import install_id

from .factories import EventPageFactory, at

pytestmark = pytest.mark.django_db
JST = dt.timedelta(hours=9)


def _get(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return response.content.decode("utf-8")


def _parse(text: str) -> tuple[list[icalendar.Event], list]:
    """The feed's events according to both parsers; both must accept the whole feed."""
    calendar = icalendar.Calendar.from_ical(text)
    assert [tz.tz_name for tz in calendar.timezones] == ["Asia/Tokyo"]
    other = vobject.readOne(text)
    assert other.vtimezone.tzid.value == "Asia/Tokyo"
    by_icalendar = calendar.walk("VEVENT")
    by_vobject = list(getattr(other, "vevent_list", []))
    assert sorted(str(e["UID"]) for e in by_icalendar) == sorted(e.uid.value for e in by_vobject)
    return by_icalendar, by_vobject


@pytest.fixture
def linked(calendar):
    """One event per feed filter, plus one that matches none of them."""
    place = PlacePageFactory(title="国頭公民館", address="和泊町国頭1")
    organization = OrganizationFactory(name="国頭字自治会")
    term = TermFactory(name="子ども食堂")
    event = EventPageFactory(
        title="子ども食堂の日", start=at("2026-12-02", "17:00"), end=at("2026-12-02", "19:00"),
        frequency="weekly", repeat_until=dt.date(2027, 1, 27), exdates=[dt.date(2026, 12, 16)],
        place=place, organization=organization, tags=[term],
    )  # fmt: skip
    other = EventPageFactory(title="ほかの催し", start=at("2026-12-05"))
    return {"place": place, "organization": organization, "term": term, "event": event,
            "other": other}  # fmt: skip


def test_every_feed_parses_with_both_parsers_and_holds_what_it_should(client, linked):
    event, other = linked["event"], linked["other"]
    feeds = {
        "/ical/events.ics": {event.title, other.title},
        f"/ical/places/{linked['place'].hsds_id}.ics": {event.title},
        f"/ical/organizations/{linked['organization'].uuid}.ics": {event.title},
        f"/ical/tags/{linked['term'].uuid}.ics": {event.title},
        event.ical_url(): {event.title},
    }
    for url, titles in feeds.items():
        by_icalendar, by_vobject = _parse(_get(client, url))
        assert {str(e["SUMMARY"]) for e in by_icalendar} == titles, url
        assert {e.summary.value for e in by_vobject} == titles, url


def test_calendar_names_are_japanese(client, linked):
    names = {
        "/ical/events.ics": "和泊町の催し",
        f"/ical/places/{linked['place'].hsds_id}.ics": "国頭公民館の催し",
        f"/ical/organizations/{linked['organization'].uuid}.ics": "国頭字自治会の催し",
        f"/ical/tags/{linked['term'].uuid}.ics": "「子ども食堂」の催し",
    }
    for url, name in names.items():
        calendar = icalendar.Calendar.from_ical(_get(client, url))
        assert calendar["X-WR-CALNAME"] == name


def test_times_round_trip_in_tokyo_with_rrule_and_exdate(client, linked):
    text = _get(client, linked["event"].ical_url())
    assert "DTSTART;TZID=Asia/Tokyo:20261202T170000" in text
    assert "DTEND;TZID=Asia/Tokyo:20261202T190000" in text
    assert "EXDATE;TZID=Asia/Tokyo:20261216T170000" in text
    (mine,), (theirs,) = _parse(text)

    assert mine.start == at("2026-12-02", "17:00") and mine.start.utcoffset() == JST
    assert mine.end == at("2026-12-02", "19:00")
    assert theirs.dtstart.value == at("2026-12-02", "17:00")
    assert theirs.dtstart.value.utcoffset() == JST

    rule = mine["RRULE"]
    assert rule["FREQ"] == ["WEEKLY"] and rule["BYDAY"] == ["WE"]
    assert rule["UNTIL"] == [dt.datetime(2027, 1, 27, 14, 59, 59, tzinfo=dt.UTC)]
    # vobject expands the series itself: the exception date is gone, the last one is there.
    dates = [d.date() for d in theirs.getrruleset()]
    assert dt.date(2026, 12, 16) not in dates
    assert dates[:3] == [dt.date(2026, 12, 2), dt.date(2026, 12, 9), dt.date(2026, 12, 23)]
    assert dates[-1] == dt.date(2027, 1, 27)


def test_event_fields(client, linked):
    event = linked["event"]
    (mine,), (theirs,) = _parse(_get(client, event.ical_url()))
    assert str(mine["UID"]) == f"{event.hsds_id}@{install_id()}"
    assert mine["URL"] == f"http://localhost{event.url}"
    assert theirs.location.value == "国頭公民館 和泊町国頭1"
    assert mine["STATUS"] == "CONFIRMED" and mine["SEQUENCE"] == 0
    assert mine.DTSTAMP == event.last_published_at
    assert mine.last_modified == event.last_published_at


def test_all_day_events_are_dates(client, calendar):
    event = EventPageFactory(start=at("2026-12-26", "00:00"), end=at("2026-12-27"), all_day=True)
    (mine,), (theirs,) = _parse(_get(client, event.ical_url()))
    assert mine.start == dt.date(2026, 12, 26) and mine.end == dt.date(2026, 12, 28)
    assert theirs.dtstart.value == dt.date(2026, 12, 26)


def test_uid_and_text_are_stable_across_renders(client, linked):
    first = _get(client, "/ical/events.ics")
    assert _get(client, "/ical/events.ics") == first


def test_sequence_bumps_after_a_time_change_is_published(client, linked):
    event = linked["other"]
    (before,), _ = _parse(_get(client, event.ical_url()))
    event.start += dt.timedelta(hours=2)
    event.end += dt.timedelta(hours=2)
    event.save_revision().publish()
    (after,), (theirs,) = _parse(_get(client, event.ical_url()))
    assert after["UID"] == before["UID"]
    assert (before["SEQUENCE"], after["SEQUENCE"], theirs.sequence.value) == (0, 1, "1")
    assert after.start == at("2026-12-05", "12:00")


def test_cancelled_events_stay_in_the_feed_as_cancelled(client, linked):
    event = linked["other"]
    event.cancelled = True
    event.cancellation_notice = "雨天のため中止します。"
    event.save_revision().publish()
    (mine,), (theirs,) = _parse(_get(client, event.ical_url()))
    assert mine["STATUS"] == "CANCELLED" and theirs.status.value == "CANCELLED"
    assert mine["SEQUENCE"] == 1
    assert "雨天のため中止します。" in mine["DESCRIPTION"]


def test_unpublished_and_unknown_return_404(client, linked):
    event = linked["other"]
    event.unpublish()
    assert client.get(event.ical_url()).status_code == 404
    assert client.get("/ical/places/00000000-0000-0000-0000-000000000000.ics").status_code == 404
    by_icalendar, _ = _parse(_get(client, "/ical/events.ics"))
    assert "ほかの催し" not in {str(e["SUMMARY"]) for e in by_icalendar}
