"""The calendar pages: upcoming, month grid, archive, filters, "this week", query counts."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from tests.resources.factories import AreaFactory, TermFactory

from .factories import EventPageFactory, at

pytestmark = pytest.mark.django_db


def _html(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_upcoming_lists_future_occurrences_of_repeating_events_and_not_past_ones(client, calendar):
    EventPageFactory(title="終わった催し", start=at("2026-11-20"), end=at("2026-11-20", "12:00"))
    EventPageFactory(
        title="子ども食堂の日", start=at("2026-12-02", "17:00"), end=at("2026-12-02", "19:00"),
        frequency="weekly", repeat_count=3, exdates=[dt.date(2026, 12, 9)],
    )  # fmt: skip
    html = _html(client, "/events/")
    assert "終わった催し" not in html
    assert html.count("子ども食堂の日</a>") == 2
    assert "2026年12月2日（水） 17:00〜19:00" in html
    assert "2026年12月9日" not in html
    assert "2026年12月16日（水） 17:00〜19:00" in html


def test_the_upcoming_list_is_cached_until_something_is_published(rendering_client, calendar):
    client = rendering_client  # the list's own fragment cache, not the whole page's
    EventPageFactory(title="体操教室", start=at("2026-12-03"))
    assert "体操教室</a>" in _html(client, "/events/")
    with CaptureQueriesContext(connection) as cached:
        client.get("/events/")
    assert not [q for q in cached.captured_queries if "events_eventpage" in q["sql"]]

    EventPageFactory(title="新しい催し", start=at("2026-12-04"))
    html = _html(client, "/events/")
    assert "体操教室</a>" in html and "新しい催し</a>" in html
    # Another page of the list, or other filters, are other fragments.
    assert "体操教室</a>" not in _html(client, "/events/?audience=children")


def test_upcoming_is_paginated(client, calendar):
    EventPageFactory(
        title="毎週の催し", start=at("2026-12-02"), frequency="weekly", weekdays="MO,WE,FR"
    )
    first = _html(client, "/events/")
    assert first.count("毎週の催し</a>") == 20
    assert 'rel="next"' in first
    second = _html(client, "/events/?page=2")
    assert "毎週の催し</a>" in second and 'rel="prev"' in second


def test_cancelled_events_are_marked_cancelled(client, calendar):
    event = EventPageFactory(title="浜の清掃", cancelled=True, cancellation_notice="台風のため")
    assert re.search(
        r'badge--cancelled">中止</span> <a href="[^"]+">浜の清掃</a>', _html(client, "/events/")
    )
    page = _html(client, event.url)
    assert "この催しは中止になりました。" in page and "台風のため" in page


def test_month_grid_is_an_accessible_table_with_links_per_day(client, calendar):
    event = EventPageFactory(
        title="健康教室", start=at("2026-12-08"), end=at("2026-12-08", "11:30")
    )
    html = _html(client, "/events/month/2026/12/")
    assert "<caption>2026年12月の催し</caption>" in html
    assert html.count('<th scope="col">') == 7
    assert '<th scope="col"><abbr title="日曜">日</abbr></th>' in html
    assert f'<a href="{event.url}"><span class="month-grid__time">10:00</span> 健康教室</a>' in html
    assert 'href="/events/month/2026/11/"' in html and 'href="/events/month/2027/1/"' in html
    # Each day carries its full date: read out with the grid, shown when a phone lists the days.
    assert '<span class="month-grid__full-date">2026年12月8日（火）</span>' in html
    assert 'class="month-grid__day has-events"' in html


def test_month_defaults_to_this_month_and_rejects_a_bad_one(client, calendar):
    assert "<caption>2026年12月の催し</caption>" in _html(client, "/events/month/")
    assert client.get("/events/month/2026/13/").status_code == 404


def test_month_shows_the_occurrences_of_that_month_only(client, calendar):
    EventPageFactory(
        title="第2火曜の教室", start=at("2026-12-08"), frequency="monthly", weekdays="TU",
        weeks_of_month="2", repeat_count=6,
    )  # fmt: skip
    html = _html(client, "/events/month/2027/2/")
    assert html.count("第2火曜の教室</a>") == 1
    assert "2027年2月9日（火）" in html


def test_a_crowded_day_links_to_the_list_of_that_day(client, calendar):
    for n in range(6):
        EventPageFactory(title=f"同じ日の催し{n}", start=at("2026-12-12", f"{9 + n:02d}:00"))
    html = _html(client, "/events/month/2026/12/")
    assert html.count("同じ日の催し") == 4
    assert '<a class="month-grid__more" href="/events/day/2026/12/12/">ほか 2 件' in html
    day = _html(client, "/events/day/2026/12/12/")
    assert "2026年12月12日の催し" in day and day.count("同じ日の催し") == 6
    assert client.get("/events/day/2026/2/30/").status_code == 404


def test_archive_lists_ended_events_only(client, calendar):
    EventPageFactory(title="秋の運動会", start=at("2026-10-10"), end=at("2026-10-10", "15:00"))
    EventPageFactory(title="来週の催し", start=at("2026-12-08"))
    EventPageFactory(title="続いている教室", start=at("2026-11-03"), frequency="weekly")
    html = _html(client, "/events/archive/")
    assert "秋の運動会" in html
    assert "来週の催し" not in html and "続いている教室" not in html


def test_filters_by_district_audience_and_tag(client, calendar):
    kunigami, wadomari = AreaFactory(name="国頭"), AreaFactory(name="和泊")
    cooking = TermFactory(name="料理")
    EventPageFactory(title="国頭の料理教室", area=kunigami, for_elderly=True, tags=[cooking])
    EventPageFactory(title="和泊の子ども会", area=wadomari, for_children=True)
    by_area = _html(client, f"/events/?area={kunigami.pk}")
    assert "国頭の料理教室" in by_area and "和泊の子ども会" not in by_area
    by_audience = _html(client, "/events/?audience=children")
    assert "和泊の子ども会" in by_audience and "国頭の料理教室" not in by_audience
    by_tag = _html(client, f"/events/month/2026/12/?tag={cooking.slug}")
    assert "国頭の料理教室" in by_tag and "和泊の子ども会" not in by_tag
    assert f"?tag={cooking.slug}" in by_tag  # kept in the links to other months and views
    assert f'value="{cooking.slug}" checked' in by_tag
    both = _html(client, f"/events/?area={kunigami.pk}&area={wadomari.pk}")  # the directory's OR
    assert "国頭の料理教室" in both and "和泊の子ども会" in both


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return len(queries)


@pytest.mark.parametrize("url", ["/events/", "/events/month/2026/12/", "/events/archive/"])
def test_query_count_does_not_grow_with_the_number_of_events(
    rendering_client, calendar, url, django_assert_max_num_queries
):
    client = rendering_client  # rendered every time: the page cache would answer with none
    area = AreaFactory(name="喜美留")

    def add(n: int) -> None:
        start = at("2026-12-03") + dt.timedelta(days=n % 20) - dt.timedelta(days=60 * (n % 2))
        EventPageFactory(start=start, area=area, frequency="weekly" if n % 5 == 0 else "")

    filtered = f"{url}?area={area.pk}&audience=everyone"
    for n in range(4):  # past and future, single and repeating
        add(n)
    for u in (url, filtered):
        client.get(u)  # warm Wagtail's site and settings caches, and the directory's lists
    baseline = {u: _queries(client, u) for u in (url, filtered)}
    for n in range(4, 16):
        add(n)
    for u, count in baseline.items():
        client.get(u)  # publishing emptied the directory's cached districts and terms
        with django_assert_max_num_queries(count):
            client.get(u)
    assert max(baseline.values()) <= 12


def test_this_week_block_lists_the_next_seven_days(calendar, rf: RequestFactory):
    EventPageFactory(title="今週の催し", start=at("2026-12-04"))
    EventPageFactory(title="再来週の催し", start=at("2026-12-15"))
    request = rf.get("/")
    html = Template("{% load events_tags %}{% events_this_week %}").render(
        Context({"request": request})
    )
    assert "今週の催し</a>" in html and "再来週の催し" not in html
    assert 'href="/events/"' in html


def test_event_page_shows_when_where_and_how_to_apply(client, calendar):
    event = EventPageFactory(
        title="健康教室", start=at("2026-12-08"), end=at("2026-12-08", "11:30"),
        frequency="monthly", weekdays="TU", weeks_of_month="2", repeat_count=6,
        venue_name="ゆいの家", phone="0997-84-0000", how_to_apply="phone",
        exdates=[dt.date(2027, 1, 12)],
    )  # fmt: skip
    html = _html(client, event.url)
    assert "毎月第2火曜（全6回） 10:00〜11:30" in html
    assert "2026年12月8日（火） 10:00〜11:30" in html
    assert "2027年2月9日（火） 10:00〜11:30" in html
    assert "お休みの日:" in html and "2027年1月12日（火）" in html
    assert "ゆいの家" in html and "電話で申込" in html
    assert event.ical_url() in html
