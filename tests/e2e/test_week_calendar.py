"""The week view on a 360 px phone in Chromium: 「火曜の朝に何がある？」 → add it to a calendar.

Also the month view's heading, which used to stack one character per line on a phone (a table
caption inside a table turned into a block), and axe on both views at phone and desktop width.
"""

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import icalendar
import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

from events.week import week_start

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("demo_site")]

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


def _open(page, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.status == 200, url


def _assert_accessible(page) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"


def _this_tuesday() -> dt.date:
    return week_start(timezone.localdate()) + dt.timedelta(days=2)


def test_tuesday_morning_on_a_phone_then_add_it_to_a_calendar(page, live_server):
    page.set_viewport_size(PHONE)
    _open(page, live_server.url + "/events/")
    page.get_by_role("link", name="週間（活動も）").click()
    page.wait_for_url("**/events/week/")

    tuesday = _this_tuesday().isoformat()
    page.locator(f'.week-jump a[href="#day-{tuesday}"]').click()
    morning = page.locator(f"#day-{tuesday}-morning")
    titles = morning.locator(".week-entry__title a").all_inner_texts()
    assert "ゆいの家 ふれあいサロン" in titles, titles
    # A list of days, not a wide grid: nothing scrolls sideways at 360 px.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    morning.get_by_role("link", name="ゆいの家 ふれあいサロン").click()
    page.wait_for_selector(".add-to-calendar")
    google = page.locator(".add-to-calendar__button--google").first
    google.scroll_into_view_if_needed()
    assert google.bounding_box()["height"] >= 44
    params = parse_qs(urlsplit(google.get_attribute("href")).query)
    assert params["action"] == ["TEMPLATE"] and params["ctz"] == ["Asia/Tokyo"]
    assert params["text"] == ["ゆいの家 ふれあいサロン"]
    assert params["recur"] == ["RRULE:FREQ=WEEKLY;BYDAY=TU"]
    assert params["dates"][0][9:] == "100000/" + params["dates"][0][:9] + "120000"

    ics = page.locator(".add-to-calendar__button--ics").get_attribute("href")
    webcal = page.locator(".add-to-calendar__button--webcal").get_attribute("href")
    assert webcal.startswith("webcal://") and webcal.endswith(ics)
    feed = page.request.get(live_server.url + ics)
    assert feed.ok and feed.headers["content-type"] == "text/calendar; charset=utf-8"
    events = icalendar.Calendar.from_ical(feed.body()).walk("VEVENT")
    assert any(e["RRULE"]["BYDAY"] == ["TU"] for e in events if "RRULE" in e)
    assert all(str(e["LOCATION"]) for e in events)
    _assert_accessible(page)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_week_view_has_no_axe_violations(page, live_server, viewport):
    page.set_viewport_size(viewport)
    _open(page, live_server.url + "/events/week/")
    _assert_accessible(page)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_month_heading_is_on_one_line_and_the_month_is_accessible(page, live_server, viewport):
    page.set_viewport_size(viewport)
    _open(page, live_server.url + "/events/month/")
    caption = page.locator(".month-grid caption")
    box = caption.bounding_box()
    line = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('.month-grid caption')).lineHeight)"
    )
    assert box["height"] < 2 * line, f"the heading takes {box['height']:.0f}px ({line}px a line)"
    assert box["width"] > 200
    _assert_accessible(page)
