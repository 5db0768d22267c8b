"""Hostile input on the calendar: absurd dates answer 404, control characters never reach a
feed, and anonymous sign-ups are throttled per address and event."""

import datetime as dt

import icalendar
import pytest
import time_machine
import vobject
from django.db import connection

from events.models import EventPage, EventSignup
from tests.resources.factories import OrganizationFactory, PlacePageFactory, TermFactory

from .conftest import NOW
from .factories import EventPageFactory, at

pytestmark = pytest.mark.django_db

HUGE = "9" * 30


@pytest.mark.parametrize(
    "url",
    [
        f"/events/day/2026/{HUGE}/1/",
        f"/events/day/{HUGE}/1/1/",
        "/events/day/9999/12/31/",  # the day after overflows Python's dates
        "/events/day/0/1/1/",
        "/events/day/2026/13/1/",
        "/events/day/2026/12/32/",
        "/events/day/2026/2/29/",
        f"/events/month/{HUGE}/1/",
        "/events/month/2026/0/",
        "/events/month/2201/1/",
        "/events/month/1899/12/",
    ],
)
def test_impossible_or_absurd_dates_are_not_found(client, calendar, url):
    assert client.get(url).status_code == 404


def test_the_years_served_still_work_at_both_ends(client, calendar):
    assert client.get("/events/month/1900/1/").status_code == 200
    assert client.get("/events/day/2200/12/31/").status_code == 200


def _feed_events(text: str) -> list[icalendar.Event]:
    vobject.readOne(text)  # a second parser must accept the whole feed too
    return icalendar.Calendar.from_ical(text).walk("VEVENT")


def test_control_characters_are_removed_from_titles_when_saved(client, calendar):
    event = EventPageFactory(title="浜の\r\n清掃\x00\x1b", start=at("2026-12-05"))
    event.refresh_from_db()
    assert event.title == "浜の 清掃" and event.draft_title == "浜の 清掃"
    response = client.get(event.ical_url())
    assert response.status_code == 200
    (vevent,) = _feed_events(response.content.decode())
    assert str(vevent["SUMMARY"]) == "浜の 清掃"


def test_a_bad_title_already_in_the_database_does_not_break_any_feed(client, calendar):
    place = PlacePageFactory(title="国頭公民館")
    organization = OrganizationFactory(name="国頭字自治会")
    term = TermFactory(name="子ども食堂")
    event = EventPageFactory(
        title="夜の会", start=at("2026-12-05"), place=place, organization=organization, tags=[term]
    )
    # Written past save(), as rows from before the fix are: CR/LF, NUL and ESC in every name.
    nul = "" if connection.vendor == "postgresql" else "\x00"  # PostgreSQL text holds no NUL
    bad = f"夜の\r\n会{nul}\x1b"
    EventPage.objects.filter(pk=event.pk).update(
        title=bad, ical_vevent=event.ical_vevent.replace("夜の会", f"夜の{nul}会\x1b")
    )
    type(place).objects.filter(pk=place.pk).update(title="国頭\r\n公民館")
    type(organization).objects.filter(pk=organization.pk).update(name="国頭\n字自治会")
    type(term).objects.filter(pk=term.pk).update(name="子ども\r食堂")
    for url in (
        event.ical_url(),
        "/ical/events.ics",
        f"/ical/places/{place.hsds_id}.ics",
        f"/ical/organizations/{organization.uuid}.ics",
        f"/ical/tags/{term.uuid}.ics",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert "\x00" not in body and "\x1b" not in body
        (vevent,) = _feed_events(body)
        assert str(vevent["SUMMARY"]) == "夜の会"
    calendar_name = icalendar.Calendar.from_ical(client.get(event.ical_url()).content)
    assert str(calendar_name["X-WR-CALNAME"]) == "夜の 会"


def test_operator_and_tag_names_lose_line_breaks_when_saved():
    assert OrganizationFactory(name="国頭\r\n字自治会").name == "国頭 字自治会"
    assert TermFactory(name="子ども\n食堂").name == "子ども 食堂"


# --- Sign-up throttle


@pytest.fixture
def event(calendar):
    return EventPageFactory(
        title="ゆり畑ボランティア", start=at("2026-12-10", "08:00"), how_to_apply="form",
        capacity=200, phone="0997-84-0000",
    )  # fmt: skip


def _apply(client, event, n: int, **extra):
    form = {"name": f"申込者{n}", "phone": f"0997-84-{n:04d}", "party_size": "1"}
    return client.post(event.url, form, **extra)


def test_the_sixth_signup_from_one_address_within_ten_minutes_gets_429(client, event, settings):
    settings.PUBLIC_SIGNUP_THROTTLE_COUNT = 5
    for n in range(5):
        assert _apply(client, event, n).status_code == 302
    response = _apply(client, event, 5)
    assert response.status_code == 429
    html = response.content.decode()
    assert "短い時間にこの接続から多くのお申し込みがあったため" in html
    assert "10分ほどたってから" in html
    assert '<form method="post"' in html  # the form is still there, with what was typed
    assert EventSignup.objects.filter(event=event).count() == 5


def test_the_throttle_is_per_event_and_per_address(client, event, settings):
    settings.PUBLIC_SIGNUP_THROTTLE_COUNT = 1
    other = EventPageFactory(
        title="別の催し", start=at("2026-12-11"), how_to_apply="form", phone="0997-84-0000"
    )
    assert _apply(client, event, 1).status_code == 302
    assert _apply(client, event, 2).status_code == 429
    assert _apply(client, other, 3).status_code == 302  # another event
    assert _apply(client, event, 4, REMOTE_ADDR="192.0.2.7").status_code == 302  # another address


def test_the_window_ends(client, event, settings):
    # The window is the cache key's timeout: Redis expires keys by its own clock, which no time
    # travel moves, so this test counts in a local-memory cache (the throttle's code is the same).
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "throttle-window",
        }
    }
    settings.PUBLIC_SIGNUP_THROTTLE_COUNT = 1
    settings.PUBLIC_SIGNUP_THROTTLE_SECONDS = 600
    assert _apply(client, event, 1).status_code == 302
    assert _apply(client, event, 2).status_code == 429
    with time_machine.travel(NOW + dt.timedelta(seconds=601), tick=False):
        assert _apply(client, event, 3).status_code == 302


def test_invalid_forms_do_not_use_up_the_allowance(client, event, settings):
    settings.PUBLIC_SIGNUP_THROTTLE_COUNT = 1
    for _ in range(3):
        assert client.post(event.url, {"name": "", "party_size": "1"}).status_code == 200
    assert _apply(client, event, 1).status_code == 302


def test_behind_a_trusted_proxy_the_forwarded_address_counts(client, event, settings):
    settings.PUBLIC_SIGNUP_THROTTLE_COUNT = 1
    settings.TRUSTED_PROXY_COUNT = 1

    def via_proxy(n: int, forwarded: str):
        return _apply(client, event, n, HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR="10.0.0.2")

    assert via_proxy(1, "198.51.100.1").status_code == 302
    assert via_proxy(2, "198.51.100.2").status_code == 302  # another resident, same proxy
    # What the client wrote to the left of our proxy's entry is ignored: still 198.51.100.1.
    assert via_proxy(3, "203.0.113.9, 198.51.100.1").status_code == 429


def test_without_trusted_proxies_a_forged_header_changes_nothing(client, event, settings):
    settings.PUBLIC_SIGNUP_THROTTLE_COUNT = 1
    settings.TRUSTED_PROXY_COUNT = 0
    assert _apply(client, event, 1, HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 302
    assert _apply(client, event, 2, HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 429


def test_a_party_over_the_cap_is_refused_on_the_page_and_takes_nothing(client, event):
    response = client.post(event.url, {"name": "大人数", "phone": "0997-84-1111", "party_size": 20})
    assert response.status_code == 200
    assert "1件のお申し込みは10人までです。" in response.content.decode()
    assert not EventSignup.objects.filter(event=event).exists()
