"""Add to calendar: Google Calendar links, the .ics download, and an activity's webcal:// feed.

The clock is pinned to Tuesday 2026-12-01 09:00 in Tokyo (``now``).
"""

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import icalendar
import pytest
import vobject
from bs4 import BeautifulSoup

from events.calendar_links import google_url
from tests.resources.factories import ActivityPageFactory, PlacePageFactory
from tsunagu.models import install_id

from .factories import EventPageFactory, at

pytestmark = pytest.mark.django_db


def _buttons(client, url: str) -> dict[str, list[str]]:
    """The add-to-calendar links of a page, by kind (google, ics, webcal)."""
    response = client.get(url)
    assert response.status_code == 200
    section = BeautifulSoup(response.content.decode(), "html.parser").select_one(".add-to-calendar")
    if section is None:
        return {}
    found: dict[str, list[str]] = {}
    for kind in ("google", "ics", "webcal"):
        found[kind] = [a["href"] for a in section.select(f".add-to-calendar__button--{kind}")]
    return found


def _params(url: str) -> dict[str, str]:
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == (
        "https://calendar.google.com/calendar/render"
    )
    return {key: values[0] for key, values in parse_qs(parts.query).items()}


def test_google_link_parameters_for_a_one_off_event(client, calendar):
    place = PlacePageFactory(title="和泊公民館", address="和泊町和泊1")
    event = EventPageFactory(
        title="健康教室",
        summary="血圧を測ります。",
        place=place,
        start=at("2026-12-10", "10:00"),
        end=at("2026-12-10", "11:30"),
    )
    buttons = _buttons(client, event.url)

    params = _params(buttons["google"][0])
    assert params["action"] == "TEMPLATE"
    assert params["text"] == "健康教室"
    assert params["dates"] == "20261210T100000/20261210T113000"
    assert params["ctz"] == "Asia/Tokyo"
    assert params["location"] == "和泊公民館 和泊町和泊1"
    assert params["details"].startswith("血圧を測ります。") and event.url in params["details"]
    assert "recur" not in params
    assert buttons["ics"] == [event.ical_url()]
    assert buttons["webcal"] == []


def test_a_repeating_event_goes_to_google_as_its_series(client, calendar):
    event = EventPageFactory(
        title="子ども食堂の日",
        start=at("2026-12-02", "17:00"),
        end=at("2026-12-02", "19:00"),
        frequency="weekly",
        repeat_until=dt.date(2027, 1, 27),
    )
    params = _params(_buttons(client, event.url)["google"][0])
    assert params["dates"] == "20261202T170000/20261202T190000"
    assert params["recur"] == "RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=WE;UNTIL=20270127T145959Z"


def test_all_day_dates_end_on_the_day_after():
    start = at("2026-12-10", "00:00")
    url = google_url(title="文化祭", start=start, end=at("2026-12-11", "00:00"), all_day=True)
    assert _params(url)["dates"] == "20261210/20261212"


def test_cancelled_and_finished_events_offer_no_buttons(client, calendar):
    cancelled = EventPageFactory(title="中止の催し", cancelled=True, start=at("2026-12-10"))
    finished = EventPageFactory(title="終わった催し", start=at("2026-11-10"))
    assert _buttons(client, cancelled.url) == {}
    assert _buttons(client, finished.url) == {}


@pytest.fixture
def salon(calendar):
    """Every Tuesday 10:00–12:00 and the 2nd Friday 13:00–15:00, at a hall; 8 Dec closed, 15 Dec
    moved to the afternoon."""
    place = PlacePageFactory(title="喜美留公民館", address="和泊町喜美留100")
    return ActivityPageFactory(
        title="いきいきサロン",
        summary="体操とおしゃべり。",
        place=place,
        latitude="27.400000",
        longitude="128.650000",
        schedule=[
            {"weekday": 1, "opens_at": "10:00", "closes_at": "12:00", "note": "雨天決行"},
            {"weekday": 4, "weeks_of_month": "2", "opens_at": "13:00", "closes_at": "15:00"},
        ],
        exceptions=[
            {"date": dt.date(2026, 12, 8), "closed": True},
            {"date": dt.date(2026, 12, 15), "closed": False, "opens_at": "14:00",
             "closes_at": "16:00", "note": "午後に変更"},
        ],
    )  # fmt: skip


def test_an_activity_page_offers_google_per_rule_ics_and_webcal(client, salon):
    buttons = _buttons(client, salon.url)

    tuesday, friday = (_params(url) for url in buttons["google"])
    assert tuesday["dates"] == "20261201T100000/20261201T120000"
    assert tuesday["recur"] == "RRULE:FREQ=WEEKLY;BYDAY=TU"
    assert tuesday["location"] == "喜美留公民館 和泊町喜美留100"
    assert friday["dates"] == "20261211T130000/20261211T150000"
    assert friday["recur"] == "RRULE:FREQ=MONTHLY;BYDAY=2FR"
    feed = f"/ical/activities/{salon.hsds_id}.ics"
    assert buttons["ics"] == [feed]
    assert buttons["webcal"] == [f"webcal://testserver{feed}"]
    html = client.get(salon.url).content.decode()
    assert "Googleカレンダー（毎週火曜 10:00〜12:00）" in html


def test_an_activity_with_nothing_scheduled_offers_no_buttons(client, calendar):
    assert _buttons(client, ActivityPageFactory(title="不定期の会").url) == {}


def test_the_activity_feed_has_the_weekly_rule_exceptions_and_the_address(client, salon):
    response = client.get(f"/ical/activities/{salon.hsds_id}.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    text = response.content.decode()
    calendar = icalendar.Calendar.from_ical(text)
    vobject.readOne(text)  # a second, independent parser accepts it too
    assert str(calendar["X-WR-CALNAME"]) == "いきいきサロン"
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    rules = list(salon.schedule_rules.order_by("sort_order"))
    moved = salon.schedule_exceptions.get(closed=False)

    weekly = events[f"{salon.hsds_id}-{rules[0].pk}@{install_id()}"]
    assert weekly["RRULE"].to_ical() == b"FREQ=WEEKLY;BYDAY=TU"
    assert weekly.decoded("DTSTART") == at("2026-12-01", "10:00")
    assert weekly.decoded("DTEND") == at("2026-12-01", "12:00")
    assert str(weekly["LOCATION"]) == "喜美留公民館 和泊町喜美留100"
    assert "雨天決行" in str(weekly["DESCRIPTION"]) and "体操とおしゃべり。" in str(
        weekly["DESCRIPTION"]
    )
    assert weekly["GEO"].to_ical() == "27.4;128.65"
    excluded = {d.dt for d in weekly["EXDATE"].dts}
    assert excluded == {at("2026-12-08", "10:00"), at("2026-12-15", "10:00")}

    monthly = events[f"{salon.hsds_id}-{rules[1].pk}@{install_id()}"]
    assert monthly["RRULE"].to_ical() == b"FREQ=MONTHLY;BYDAY=2FR"
    assert monthly.decoded("DTSTART") == at("2026-12-11", "13:00")
    assert "EXDATE" not in monthly

    one_off = events[f"{salon.hsds_id}-x{moved.pk}@{install_id()}"]
    assert one_off.decoded("DTSTART") == at("2026-12-15", "14:00")
    assert one_off.decoded("DTEND") == at("2026-12-15", "16:00")
    assert "午後に変更" in str(one_off["DESCRIPTION"])
    assert "RRULE" not in one_off
    assert len(events) == 3


def test_a_rule_that_ends_carries_its_until_in_utc(client, calendar):
    activity = ActivityPageFactory(
        title="冬の体操",
        schedule=[{"weekday": 3, "opens_at": "09:00", "closes_at": "10:00",
                   "valid_until": dt.date(2027, 2, 25)}],
    )  # fmt: skip
    text = client.get(f"/ical/activities/{activity.hsds_id}.ics").content.decode()
    (event,) = icalendar.Calendar.from_ical(text).walk("VEVENT")
    rule = event["RRULE"]
    assert (rule["FREQ"], rule["BYDAY"]) == (["WEEKLY"], ["TH"])
    # The last second of 25 February in Tokyo.
    assert rule["UNTIL"] == [dt.datetime(2027, 2, 25, 14, 59, 59, tzinfo=dt.UTC)]


def test_unpublished_or_unknown_activities_have_no_feed(client, salon):
    url = f"/ical/activities/{salon.hsds_id}.ics"
    salon.unpublish()
    assert client.get(url).status_code == 404
    assert (
        client.get("/ical/activities/00000000-0000-0000-0000-000000000000.ics").status_code == 404
    )
