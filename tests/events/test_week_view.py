"""The week view: events and regular activities together, by day and time of day (朝・昼・夕).

The clock is pinned to Tuesday 2026-12-01 09:00 in Tokyo (``now``); that week runs from Sunday
29 November to Saturday 5 December.
"""

import datetime as dt

import pytest
from bs4 import BeautifulSoup
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction

from events.week import ALL_DAY, band_of, week_start
from tests.resources.factories import (
    ActivityPageFactory,
    AreaFactory,
    PlacePageFactory,
    TermFactory,
)

from .factories import EventPageFactory, at

pytestmark = pytest.mark.django_db

TUESDAY = "2026-12-01"


def _soup(client, url: str) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == 200, url
    return BeautifulSoup(response.content.decode(), "html.parser")


def _titles(soup: BeautifulSoup, section_id: str) -> list[str]:
    """The linked titles in one day (``day-2026-12-01``) or band (``day-2026-12-01-morning``)."""
    section = soup.find(id=section_id)
    if section is None:
        return []
    return [a.get_text(strip=True) for a in section.select(".week-entry__title a")]


def _everything(soup: BeautifulSoup) -> list[str]:
    return [a.get_text(strip=True) for a in soup.select(".week-entry__title a")]


def test_weeks_start_on_sunday_and_bands_follow_the_directory():
    assert week_start(dt.date(2026, 12, 1)) == dt.date(2026, 11, 29)
    assert week_start(dt.date(2026, 11, 29)) == dt.date(2026, 11, 29)
    assert week_start(dt.date(2026, 12, 5)) == dt.date(2026, 11, 29)
    assert band_of(dt.time(4, 30)) == "morning"
    assert band_of(dt.time(11, 59)) == "morning"
    assert band_of(dt.time(12, 0)) == "afternoon"
    assert band_of(dt.time(17, 0)) == "evening"
    assert band_of(None) == ALL_DAY


def test_a_tuesday_morning_activity_shows_on_tuesday_morning(client, calendar):
    place = PlacePageFactory(title="喜美留公民館")
    salon = ActivityPageFactory(
        title="いきいきサロン",
        place=place,
        schedule=[{"weekday": 1, "opens_at": "10:00", "closes_at": "12:00"}],
    )
    ActivityPageFactory(
        title="夜の三線教室", schedule=[{"weekday": 1, "opens_at": "19:00", "closes_at": "20:30"}]
    )
    EventPageFactory(title="健康教室", start=at("2026-12-02", "14:00"))

    soup = _soup(client, "/events/week/2026/12/1/")

    assert _titles(soup, "day-2026-12-01-morning") == ["いきいきサロン"]
    assert _titles(soup, "day-2026-12-01-evening") == ["夜の三線教室"]
    assert _titles(soup, "day-2026-12-02-afternoon") == ["健康教室"]
    # Every Tuesday, and only on Tuesday.
    assert _everything(soup).count("いきいきサロン") == 1
    entry = soup.find(id="day-2026-12-01-morning").select_one(".week-entry")
    assert entry.select_one(".week-entry__time").get_text() == "10:00〜12:00"
    assert "喜美留公民館" in entry.select_one(".week-entry__where").get_text()
    assert entry.select_one("a")["href"] == salon.url
    assert entry.select_one(".badge--activity").get_text() == "活動"
    # The band headings say the day too, for screen readers jumping by heading.
    heading = soup.find(id="day-2026-12-01-morning-title").get_text()
    assert heading.startswith("朝") and "2026年12月1日（火）" in heading


def test_any_date_shows_its_whole_week_and_links_to_the_weeks_around(client, calendar):
    ActivityPageFactory(
        title="土曜の体操", schedule=[{"weekday": 5, "opens_at": "09:00", "closes_at": "10:00"}]
    )
    soup = _soup(client, "/events/week/2026/12/3/")

    assert [h.get_text(strip=True) for h in soup.select(".week-day__title")][0].startswith(
        "2026年11月29日（日）"
    )
    assert _titles(soup, "day-2026-12-05-morning") == ["土曜の体操"]
    assert soup.select_one('a[rel="prev"]')["href"] == "/events/week/2026/11/22/"
    assert soup.select_one('a[rel="next"]')["href"] == "/events/week/2026/12/6/"
    this_week = _soup(client, "/events/week/")
    assert this_week.select_one('.week-jump a[aria-current="date"]')["href"] == "#day-2026-12-01"
    assert "今日" in this_week.find(id="day-2026-12-01-title").get_text()


def test_exceptions_close_or_move_a_session_and_rules_keep_their_dates(client, calendar):
    ActivityPageFactory(
        title="お茶会",
        schedule=[{"weekday": 3, "opens_at": "13:00", "closes_at": "15:00"}],
        exceptions=[{"date": dt.date(2026, 12, 3), "closed": True}],
    )
    ActivityPageFactory(
        title="体操教室",
        schedule=[{"weekday": 4, "opens_at": "10:00", "closes_at": "11:00"}],
        exceptions=[
            {"date": dt.date(2026, 12, 4), "closed": False, "opens_at": "14:00",
             "closes_at": "15:00", "note": "会場整備のため"},
        ],
    )  # fmt: skip
    ActivityPageFactory(
        title="第2水曜の会",
        schedule=[{"weekday": 2, "weeks_of_month": "2", "opens_at": "10:00", "closes_at": "11:00"}],
    )
    ActivityPageFactory(
        title="来年からの会",
        schedule=[{"weekday": 1, "opens_at": "10:00", "closes_at": "11:00",
                   "valid_from": dt.date(2027, 1, 1)}],
    )  # fmt: skip

    soup = _soup(client, "/events/week/2026/12/1/")

    assert "お茶会" not in _everything(soup)
    assert _titles(soup, "day-2026-12-04-morning") == []
    assert _titles(soup, "day-2026-12-04-afternoon") == ["体操教室"]
    moved = soup.find(id="day-2026-12-04-afternoon").select_one(".week-entry__note").get_text()
    assert "時間変更" in moved and "会場整備のため" in moved
    assert "第2水曜の会" not in _everything(soup)  # the 2nd Wednesday is 9 December
    assert "来年からの会" not in _everything(soup)
    assert _titles(_soup(client, "/events/week/2026/12/9/"), "day-2026-12-09-morning") == [
        "第2水曜の会"
    ]


def test_events_spanning_days_all_day_and_cancelled(client, calendar):
    EventPageFactory(title="文化祭", all_day=True, start=at("2026-11-28"), end=at("2026-11-30"))
    EventPageFactory(title="浜の清掃", start=at("2026-12-05", "07:00"), cancelled=True)

    soup = _soup(client, "/events/week/2026/12/1/")

    assert _titles(soup, "day-2026-11-29-all_day") == ["文化祭"]
    assert _titles(soup, "day-2026-11-30-all_day") == ["文化祭"]
    assert _titles(soup, "day-2026-12-01") == []
    cancelled = soup.find(id="day-2026-12-05-morning").select_one(".week-entry")
    assert "is-cancelled" in cancelled["class"] and "中止" in cancelled.get_text()


def test_the_calendar_filters_apply_to_events_and_activities(client, calendar):
    kibiru, wadomari = AreaFactory(name="喜美留"), AreaFactory(name="和泊")
    cooking = TermFactory(name="料理", slug="cooking")
    tuesday = [{"weekday": 1, "opens_at": "10:00", "closes_at": "12:00"}]
    ActivityPageFactory(title="喜美留の料理会", area=kibiru, tags=[cooking], schedule=tuesday)
    ActivityPageFactory(title="和泊の料理会", area=wadomari, tags=[cooking], schedule=tuesday)
    ActivityPageFactory(
        title="喜美留の有料講座", area=kibiru, cost="paid", tags=[cooking], schedule=tuesday
    )
    EventPageFactory(
        title="喜美留の料理教室", area=kibiru, tags=[cooking], start=at(TUESDAY, "18:00")
    )
    EventPageFactory(title="喜美留の夕涼み", area=kibiru, start=at(TUESDAY, "18:00"))

    base = "/events/week/2026/12/1/"
    soup = _soup(client, f"{base}?area={kibiru.pk}&tag=cooking&cost=free")
    assert sorted(_everything(soup)) == sorted(["喜美留の料理会", "喜美留の料理教室"])

    only_events = _soup(client, f"{base}?area={kibiru.pk}&kind=event")
    assert sorted(_everything(only_events)) == sorted(["喜美留の夕涼み", "喜美留の料理教室"])

    mornings = _soup(client, f"{base}?area={kibiru.pk}&time=morning")
    assert sorted(_everything(mornings)) == sorted(["喜美留の有料講座", "喜美留の料理会"])
    # The other views of the calendar keep the conditions when switching.
    assert f"/events/month/?area={kibiru.pk}&amp;time=morning" in str(mornings)


def test_a_bad_filter_value_is_ignored_and_a_bad_date_is_not_found(client, calendar):
    ActivityPageFactory(
        title="体操", schedule=[{"weekday": 1, "opens_at": "10:00", "closes_at": "11:00"}]
    )
    assert _everything(_soup(client, "/events/week/?area=999999&kind=nonsense")) == ["体操"]
    assert client.get("/events/week/2026/2/30/").status_code == 404
    assert client.get("/events/week/1800/1/1/").status_code == 404


def test_drafts_and_private_listings_stay_out(client, calendar):
    tuesday = [{"weekday": 1, "opens_at": "10:00", "closes_at": "11:00"}]
    ActivityPageFactory(title="公開の活動", schedule=tuesday)
    ActivityPageFactory(title="下書きの活動", schedule=tuesday).unpublish()
    private = ActivityPageFactory(title="会員限定の活動", schedule=tuesday)
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)
    EventPageFactory(title="下書きの催し", start=at(TUESDAY)).unpublish()

    assert _everything(_soup(client, "/events/week/2026/12/1/")) == ["公開の活動"]


def test_the_week_is_cached_until_something_is_published(client, calendar):
    url = "/events/week/2026/12/1/"
    tuesday = [{"weekday": 1, "opens_at": "10:00", "closes_at": "11:00"}]
    ActivityPageFactory(title="体操", schedule=tuesday)
    assert _everything(_soup(client, url)) == ["体操"]
    with CaptureQueriesContext(connection) as cached:
        client.get(url)
    cache.clear()
    client.get("/events/")  # Wagtail's site and settings caches back, the fragment not
    with CaptureQueriesContext(connection) as fresh:
        client.get(url)
    # Events, rules, exceptions and titles: read only when the fragment is not cached.
    assert len(cached) <= len(fresh) - 4

    ActivityPageFactory(title="新しい活動", schedule=tuesday)
    assert sorted(_everything(_soup(client, url))) == sorted(["体操", "新しい活動"])


def test_query_count_does_not_grow_with_the_number_of_listings(
    client, calendar, django_assert_max_num_queries
):
    area = AreaFactory(name="喜美留")
    place = PlacePageFactory(title="公民館", area=area)

    def add(n: int) -> None:
        ActivityPageFactory(
            place=place,
            area=area,
            for_everyone=True,
            schedule=[
                {"weekday": n % 7, "opens_at": "10:00", "closes_at": "12:00"},
                {"weekday": (n + 3) % 7, "weeks_of_month": "1", "opens_at": "18:00",
                 "closes_at": "19:00"},
            ],
            exceptions=[{"date": dt.date(2026, 12, 1 + n % 5), "closed": True}],
        )  # fmt: skip
        EventPageFactory(start=at(TUESDAY) + dt.timedelta(days=n % 5), area=area,
                         frequency="weekly" if n % 3 == 0 else "")  # fmt: skip

    def count(url: str) -> int:
        cache.clear()  # the fragment cache would hide the listing queries
        client.get(url)  # warm Wagtail's site and settings caches, and the directory's lists
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        return len(queries)

    urls = ["/events/week/2026/12/1/", f"/events/week/2026/12/1/?area={area.pk}&audience=everyone"]
    for n in range(3):
        add(n)
    baseline = {url: count(url) for url in urls}
    for n in range(3, 25):
        add(n)
    for url, queries in baseline.items():
        cache.clear()
        client.get(url)
        cache.clear()
        with django_assert_max_num_queries(queries):
            soup = _soup(client, url)
        titles = _everything(soup)
        assert len(titles) > 25, titles
    assert max(baseline.values()) <= 20


def test_the_calendar_the_home_page_and_the_directory_link_to_the_week(client, calendar):
    area = AreaFactory(name="喜美留")
    tabs = _soup(client, "/events/month/2026/12/").select_one(".calendar-tabs")
    assert tabs.find("a", string="週間（活動も）")["href"] == "/events/week/"
    home = _soup(client, "/")
    assert home.select_one('.events-this-week a[href="/events/week/"]') is not None
    # The directory's conditions carry over to the week.
    directory = _soup(client, f"/places/?area={area.pk}")
    assert directory.select_one(".week-link a")["href"] == f"/events/week/?area={area.pk}"
