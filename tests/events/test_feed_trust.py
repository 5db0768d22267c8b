"""Feeds other software can rely on: ids that do not depend on the address, polling hints,
conditional GETs, old single-event feeds, and the reason a date is skipped."""

import datetime as dt

import icalendar
import pytest
import time_machine
from django.utils.http import http_date

from events.models import EventExdate
from tests.resources.factories import PlacePageFactory
from tsunagu.models import Installation, install_id

from .conftest import NOW
from .factories import EventPageFactory, at

pytestmark = pytest.mark.django_db


def _calendar(response) -> icalendar.Calendar:
    assert response.status_code == 200
    return icalendar.Calendar.from_ical(response.content)


@pytest.fixture
def series(calendar):
    return EventPageFactory(
        title="ふれあいサロン", start=at("2026-12-02", "10:00"), end=at("2026-12-02", "12:00"),
        frequency="weekly", repeat_until=dt.date(2027, 1, 27),
        exdates=[dt.date(2026, 12, 16), dt.date(2026, 12, 30)],
    )  # fmt: skip


def test_uids_come_from_the_install_not_the_host(client, series):
    feeds = [
        _calendar(client.get(series.ical_url(), HTTP_HOST=host))
        for host in ("wadomari.example.jp", "localhost", "192.0.2.7")
    ]
    uids = {str(feed.walk("VEVENT")[0]["UID"]) for feed in feeds}
    calendar_uids = {(str(feed["UID"]), str(feed["X-WR-RELCALID"])) for feed in feeds}
    row = Installation.objects.get()
    assert uids == {f"{series.hsds_id}@{row.uid.hex}.tsunagu"}
    assert len(calendar_uids) == 1
    (uid, relcalid), *_ = calendar_uids
    assert uid == relcalid and "localhost" not in uid


def test_another_install_gives_other_uids(client, series):
    """Two installs (two towns, a staging copy) never share an event's UID."""
    first = install_id()
    Installation.objects.all().delete()
    assert install_id() != first
    series.save_revision().publish()
    vevent = _calendar(client.get(series.ical_url())).walk("VEVENT")[0]
    assert str(vevent["UID"]) == f"{series.hsds_id}@{install_id()}"


def test_every_feed_says_how_often_to_poll(client, series):
    place = PlacePageFactory()
    for url in ("/ical/events.ics", series.ical_url(), f"/ical/places/{place.hsds_id}.ics"):
        text = client.get(url).content.decode()
        assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in text, url
        assert "X-PUBLISHED-TTL:PT1H\r\n" in text, url


def test_etag_and_last_modified_answer_304(client, series):
    first = client.get("/ical/events.ics")
    assert first["ETag"] and first["Last-Modified"] == http_date(NOW.timestamp())
    again = client.get("/ical/events.ics", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""
    since = client.get("/ical/events.ics", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert since.status_code == 304
    assert client.get("/ical/events.ics", HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_an_unpublished_event_changes_the_feed_for_both_validators(client, series, now):
    other = EventPageFactory(title="ほかの催し", start=at("2026-12-05"))
    first = client.get("/ical/events.ics")
    with time_machine.travel(now + dt.timedelta(hours=1), tick=False):
        other.unpublish()
    by_etag = client.get("/ical/events.ics", HTTP_IF_NONE_MATCH=first["ETag"])
    by_date = client.get("/ical/events.ics", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert by_etag.status_code == by_date.status_code == 200
    assert "ほかの催し" not in by_date.content.decode()


def test_a_moved_event_raises_sequence_and_the_etag(client, series):
    before = client.get(series.ical_url())
    series.start += dt.timedelta(hours=1)
    series.end += dt.timedelta(hours=1)
    series.save_revision().publish()
    after = client.get(series.ical_url(), HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    assert _calendar(after).walk("VEVENT")[0]["SEQUENCE"] == 1


def test_a_single_event_feed_outlives_the_event(client, calendar):
    """A link in last year's newsletter still opens the event as it was."""
    old = EventPageFactory(title="昨年の敬老会", start=at("2025-10-20", "10:00"))
    assert NOW - old.start > dt.timedelta(days=400)
    vevent = _calendar(client.get(old.ical_url())).walk("VEVENT")[0]
    assert str(vevent["SUMMARY"]) == "昨年の敬老会"
    assert vevent.start == at("2025-10-20", "10:00")
    assert "昨年の敬老会" not in client.get("/ical/events.ics").content.decode()


def test_an_unpublished_or_deleted_old_event_is_gone(client, calendar):
    old = EventPageFactory(start=at("2025-10-20", "10:00"))
    url = old.ical_url()
    old.unpublish()
    assert client.get(url).status_code == 404
    old.delete()
    assert client.get(url).status_code == 404


def test_a_skipped_dates_reason_is_kept(client, series):
    series.exdates = [
        EventExdate(date=dt.date(2026, 12, 16)),
        EventExdate(date=dt.date(2026, 12, 30), note="年末のため"),
    ]
    series.save_revision().publish()
    vevent = _calendar(client.get(series.ical_url())).walk("VEVENT")[0]
    description = str(vevent["DESCRIPTION"])
    assert "2026年12月30日はお休みです（年末のため）" in description
    assert "2026年12月16日はお休みです" in description
    exdates = vevent["EXDATE"] if isinstance(vevent["EXDATE"], list) else [vevent["EXDATE"]]
    skipped = {d.dt.date() for exdate in exdates for d in exdate.dts}
    assert skipped == {dt.date(2026, 12, 16), dt.date(2026, 12, 30)}


def test_vevents_stored_before_the_install_id_existed_are_rendered_again(
    calendar, django_capture_on_commit_callbacks, eager_tasks
):
    """An upgraded install: VEVENTs stored under another UID domain get the install's own as
    soon as its id is made."""
    event = EventPageFactory()
    old = icalendar.Event.from_ical(event.ical_vevent)["UID"]
    Installation.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        domain = install_id()
    event.refresh_from_db()
    new = icalendar.Event.from_ical(event.ical_vevent)["UID"]
    assert new == f"{event.hsds_id}@{domain}" != old
