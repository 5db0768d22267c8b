"""Place and activity pages: schedule in words, next dates, access, contact, links."""

import datetime as dt

import pytest
import time_machine

from .factories import ActivityPageFactory, OrganizationFactory, PlacePageFactory

pytestmark = pytest.mark.django_db
# A Friday; the next Saturdays are 11/28, 12/5, 12/12, 12/19, 12/26.
TODAY = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=9)))


@pytest.fixture
def kominkan(directory, town):
    return PlacePageFactory(
        title="喜美留公民館",
        area=town.kibiru,
        address="和泊町喜美留100",
        organization=OrganizationFactory(name="喜美留自治会"),
        phone="0997-84-2222",
        barrier_free=True,
        hearing_support=True,
        parking=True,
        near_bus_stop=True,
        assured_date=dt.date(2026, 11, 27),
        latitude="27.420000",
        longitude="128.680000",
        tags=[town.cooking],
        schedule=[{"weekday": 5, "opens_at": "10:00", "closes_at": "12:00"}],
        exceptions=[
            {"date": dt.date(2026, 12, 5), "closed": True},
            {
                "date": dt.date(2026, 12, 12),
                "closed": False,
                "opens_at": "13:00",
                "closes_at": "15:00",
                "note": "午後に変更",
            },
        ],
    )


@pytest.fixture
def tea_club(kominkan):
    return ActivityPageFactory(
        title="お茶飲み会",
        place=kominkan,
        for_elderly=True,
        tour_ok=True,
        companion_ok=True,
        short_time_ok=True,
        pickup=True,
        accepts_placements=True,
        placement_capacity=7,
        acceptance_conditions="事前に面談します",
        what_to_bring="湯のみ",
        schedule=[
            {"weekday": 2, "weeks_of_month": "2,4", "opens_at": "13:30", "closes_at": "15:00"}
        ],
    )


def page_html(client, page) -> str:
    response = client.get(page.url)
    assert response.status_code == 200
    return response.content.decode()


@time_machine.travel(TODAY, tick=False)
def test_place_page_shows_schedule_and_next_dates_with_exceptions(client, kominkan, tea_club):
    html = page_html(client, kominkan)
    assert "毎週土曜 10:00〜12:00" in html
    dates = html.split('class="occurrences"')[1].split("</ul>")[0]
    assert "11月28日（土） 10:00〜12:00" in dates
    assert "12月5日" not in dates  # closed
    assert "12月12日（土） 13:00〜15:00" in dates and "時間変更" in dates and "午後に変更" in dates
    assert dates.count("<li>") == 5 and "12月26日（土）" in dates


def test_place_page_shows_access_accessibility_contact_and_verification(client, kominkan):
    html = page_html(client, kominkan)
    assert "和泊町喜美留100" in html and "<dd>喜美留</dd>" in html
    assert "<dd>バス停が近い、駐車場</dd>" in html
    assert "<li>段差なし（バリアフリー）</li><li>聴覚障害への配慮</li>" in html
    assert 'class="contact-button contact-button--call" href="tel:0997842222"' in html
    assert '<span class="contact-button__value">0997-84-2222</span>' in html
    assert "<dd>喜美留自治会</dd>" in html
    assert "最終確認日：2026年11月27日" in html
    assert f'href="{kominkan.get_parent().url}?tag=cooking">料理</a>' in html


def test_place_page_map_is_an_enhancement_of_the_address(client, kominkan):
    html = page_html(client, kominkan)
    assert 'id="listing-map" hidden role="region"' in html
    assert 'aria-describedby="listing-map-description"' in html
    assert 'data-lat="27.420000" data-lng="128.680000"' in html


def test_place_page_lists_the_activities_held_there(client, kominkan, tea_club):
    html = page_html(client, kominkan)
    assert "ここで行われている活動" in html
    assert f'<a href="{tea_club.url}">お茶飲み会</a>' in html
    assert "第2・第4水曜 13:30〜15:00" in html


def test_activity_page_links_its_place_and_shows_support_only_as_badges(client, tea_club, kominkan):
    html = page_html(client, tea_club)
    assert f'<a href="{kominkan.url}">喜美留公民館</a>' in html
    for badge in ("見学可", "付き添い可", "短時間可", "送迎あり"):
        assert f'<li class="badge badge--support">{badge}</li>' in html
    assert "持ち物： 湯のみ" in html
    # Capacity and acceptance conditions are for coordinators, not the public.
    assert "事前に面談します" not in html
    assert "受け入れ可能人数" not in html and "参加支援の受け入れ" not in html
    assert "7" not in html.split("参加しやすさ")[1].split("</section>")[0]


def test_activity_page_of_an_unpublished_place_does_not_link_it(client, tea_club, kominkan):
    kominkan.unpublish()
    assert "喜美留公民館" not in page_html(client, tea_club).split("<main")[1]


def test_a_listing_without_contact_points_to_the_town(client, directory, town):
    html = page_html(client, town.oshaberi)
    assert "町の窓口にお問い合わせください" in html


def test_detail_query_count_is_bounded(client, kominkan, tea_club, django_assert_max_num_queries):
    client.get(kominkan.url)  # warms the content type cache
    # 10 of these are the page shell's: site, routing, view restrictions, town settings, menu.
    with django_assert_max_num_queries(17):
        client.get(f"{kominkan.url}?uncached")
    with django_assert_max_num_queries(17):
        client.get(f"{tea_club.url}?uncached")
