"""A volunteer's personal iCal feed: valid for two parsers, Tokyo time, secret and revocable."""

import datetime as dt
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject
from django.urls import reverse

from volunteers import services
from volunteers.models import SignUp

from .factories import VolunteerFactory, make_opportunity, tomorrow

pytestmark = pytest.mark.django_db
TOKYO = ZoneInfo("Asia/Tokyo")


@pytest.fixture
def volunteer():
    volunteer = VolunteerFactory()
    page = make_opportunity(
        title="子ども食堂の配膳",
        address="和泊町和泊10",
        shifts=[
            {"starts_at": dt.time(10), "ends_at": dt.time(13)},
            {"date": tomorrow() + dt.timedelta(days=7)},
            {"date": tomorrow() + dt.timedelta(days=14)},
        ],
    )
    first, second, third = page.shifts.order_by("date")
    SignUp.objects.create(volunteer=volunteer, shift=first, status=SignUp.Status.CONFIRMED)
    SignUp.objects.create(volunteer=volunteer, shift=second, status=SignUp.Status.CANCELLED)
    SignUp.objects.create(volunteer=volunteer, shift=third, status=SignUp.Status.WAITLISTED)
    return volunteer


def _feed(client, volunteer):
    return client.get(reverse("volunteers:calendar", args=[volunteer.calendar_token]))


def test_the_feed_lists_my_shifts_in_tokyo_time(client, volunteer):
    response = _feed(client, volunteer)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    events = calendar.walk("VEVENT")
    assert len(events) == 2  # the waiting-list sign-up is not a date to keep
    confirmed = next(e for e in events if str(e["STATUS"]) == "CONFIRMED")
    assert str(confirmed["SUMMARY"]) == "子ども食堂の配膳"
    assert str(confirmed["LOCATION"]) == "和泊町和泊10"
    assert confirmed.decoded("DTSTART") == dt.datetime.combine(tomorrow(), dt.time(10), TOKYO)
    assert confirmed["DTSTART"].params["TZID"] == "Asia/Tokyo"
    assert calendar.walk("VTIMEZONE")[0]["TZID"] == "Asia/Tokyo"


def test_cancelled_sign_ups_stay_as_cancelled_so_calendars_remove_them(client, volunteer):
    calendar = icalendar.Calendar.from_ical(_feed(client, volunteer).content)

    statuses = sorted(str(e["STATUS"]) for e in calendar.walk("VEVENT"))

    assert statuses == ["CANCELLED", "CONFIRMED"]


def test_uids_are_stable_between_fetches(client, volunteer):
    def uids():
        calendar = icalendar.Calendar.from_ical(_feed(client, volunteer).content)
        return sorted(str(e["UID"]) for e in calendar.walk("VEVENT"))

    assert uids() == uids()


def test_an_independent_parser_reads_it(client, volunteer):
    parsed = vobject.readOne(_feed(client, volunteer).content.decode())

    summaries = [event.summary.value for event in parsed.vevent_list]
    assert summaries == ["子ども食堂の配膳", "子ども食堂の配膳"]
    assert parsed.vevent_list[0].dtstart.value.utcoffset() == dt.timedelta(hours=9)


def test_a_new_calendar_address_revokes_the_old_one(client, volunteer):
    old = volunteer.calendar_token

    services.volunteer_reset_calendar(volunteer=volunteer)

    assert client.get(reverse("volunteers:calendar", args=[old])).status_code == 404
    assert _feed(client, volunteer).status_code == 200


def test_an_unknown_token_is_not_found(client):
    assert client.get(reverse("volunteers:calendar", args=["guess"])).status_code == 404
