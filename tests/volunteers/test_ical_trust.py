"""The volunteer feed as calendar apps need it: install-scoped UIDs, a calendar id that does not
change, DTSTAMPs that mean something, SEQUENCE when a shift moves, and 304s."""

import datetime as dt

import icalendar
import pytest
import time_machine
from django.urls import reverse

from tsunagu.models import install_id
from volunteers.models import SignUp

from .factories import VolunteerFactory, make_opportunity, tomorrow

pytestmark = pytest.mark.django_db


@pytest.fixture
def signup():
    page = make_opportunity(title="浜の清掃", shifts=[{"starts_at": dt.time(9)}])
    shift = page.shifts.get()
    return SignUp.objects.create(
        volunteer=VolunteerFactory(), shift=shift, status=SignUp.Status.CONFIRMED
    )


def _url(signup: SignUp) -> str:
    return reverse("volunteers:calendar", args=[signup.volunteer.calendar_token])


def _vevent(client, signup: SignUp) -> tuple[icalendar.Calendar, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(client.get(_url(signup)).content)
    return calendar, calendar.walk("VEVENT")[0]


def test_uids_belong_to_this_install(client, signup):
    calendar, vevent = _vevent(client, signup)
    assert str(vevent["UID"]) == f"signup-{signup.pk}@{install_id()}"
    assert "volunteers.tsunagu" not in str(vevent["UID"])
    again, _ = _vevent(client, signup)
    assert calendar["X-WR-RELCALID"] == calendar["UID"] == again["X-WR-RELCALID"]
    text = client.get(_url(signup)).content.decode()
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT6H\r\n" in text
    assert "X-PUBLISHED-TTL:PT6H\r\n" in text


def test_dtstamp_is_the_last_change_and_the_feed_answers_304(client, signup):
    _, vevent = _vevent(client, signup)
    assert vevent.DTSTAMP == signup.created_at.replace(microsecond=0)
    first = client.get(_url(signup))
    assert client.get(_url(signup), HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert client.get(_url(signup), HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == (
        304
    )


def test_a_moved_shift_raises_sequence_and_dtstamp(client, signup):
    _, before = _vevent(client, signup)
    first = client.get(_url(signup))
    shift = signup.shift
    shift.starts_at = dt.time(10)
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)):
        shift.save()
    _, after = _vevent(client, signup)
    assert (before["SEQUENCE"], after["SEQUENCE"]) == (0, 1)
    assert after.DTSTAMP > before.DTSTAMP
    assert after.start.time() == dt.time(10)
    assert client.get(_url(signup), HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200
    shift.note = "軍手持参"
    shift.save()
    assert _vevent(client, signup)[1]["SEQUENCE"] == 1  # a note is not a move


def test_a_cancelled_sign_up_on_a_moved_shift_still_rises(client, signup):
    shift = signup.shift
    shift.date = tomorrow() + dt.timedelta(days=1)
    shift.save()
    signup.status = SignUp.Status.CANCELLED
    signup.save()
    _, vevent = _vevent(client, signup)
    assert vevent["SEQUENCE"] == 2 and vevent["STATUS"] == "CANCELLED"
