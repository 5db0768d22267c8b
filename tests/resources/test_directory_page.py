"""The directory page: results, facets, active filters, paging, print view, map data, queries."""

import json
import re

import pytest
from django.http import QueryDict
from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase

from resources import views
from resources.models import ActivityPage, DirectoryIndexPage, PlacePage
from tsunagu.models import HomePage

from .factories import (
    ActivityPageFactory,
    AreaFactory,
    PlacePageFactory,
    TermFactory,
    directory_page,
)

pytestmark = pytest.mark.django_db


def html_of(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def result_titles(html: str) -> list[str]:
    return re.findall(r'class="result__title"><a href="[^"]+">([^<]+)</a>', html)


class DirectoryPageTree(WagtailPageTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.directory = directory_page()
        cls.place = PlacePageFactory(parent=cls.directory, title="公民館")
        cls.activity = ActivityPageFactory(parent=cls.directory, title="体操", place=cls.place)

    def test_where_pages_may_be_created(self):
        self.assertCanCreateAt(HomePage, DirectoryIndexPage)
        self.assertCanNotCreateAt(Page, DirectoryIndexPage)
        self.assertCanCreateAt(DirectoryIndexPage, PlacePage)
        self.assertCanCreateAt(DirectoryIndexPage, ActivityPage)
        self.assertCanNotCreateAt(HomePage, PlacePage)
        self.assertCanNotCreateAt(PlacePage, ActivityPage)
        self.assertCanNotCreateAt(ActivityPage, PlacePage)

    def test_routes_and_rendering(self):
        for route in ("/", "/print/", "/map/"):
            self.assertPageIsRoutable(self.directory, route)
        self.assertPageIsRenderable(self.directory)
        self.assertPageIsRenderable(self.directory, "/print/")
        self.assertPageIsRenderable(self.place)
        self.assertPageIsRenderable(self.activity)


def test_lists_every_listing_with_schedule_cost_and_badges(client, directory, town):
    html = html_of(client, directory.url)
    assert "検索結果 4件" in html
    assert set(result_titles(html)) == {
        "子ども食堂ひまわり",
        "いきいき体操",
        "みんなの畑",
        "夜のおしゃべり会",
    }
    assert "毎週土曜 12:00〜14:00" in html
    assert "第2・第4水曜 13:30〜15:00" in html
    assert "毎週月曜 9:00〜11:00<br>毎週土曜 17:00〜19:00" in html
    assert (
        '<span class="badge badge--kind">居場所</span> <span class="result__area">和泊</span>'
        in html
    )
    assert "<dd>無料</dd>" in html and "<dd>有料（1回100円）</dd>" in html
    assert '<li class="badge">子ども・子育て家庭</li>' in html
    assert '<li class="badge badge--access">送迎あり</li>' in html


def test_listed_in_kana_order(client, directory, town):
    assert result_titles(html_of(client, directory.url)) == [
        "いきいき体操",
        "子ども食堂ひまわり",
        "みんなの畑",
        "夜のおしゃべり会",
    ]


def test_facets_are_labelled_groups_with_counts_and_ticks(client, directory, town):
    html = html_of(client, f"{directory.url}?weekday=5&cost=free")
    for legend in (
        "種類",
        "地区",
        "対象",
        "曜日",
        "時間帯",
        "費用",
        "バリアフリー・配慮",
        "交通・アクセス",
    ):
        assert f'<legend class="facet__legend">{legend}</legend>' in html
    assert re.search(r'name="weekday" value="5" id="f-weekday-6" checked>\s*<label', html)
    assert re.search(r'for="f-weekday-6">土曜 <span class="facet__count">（1件）', html)
    assert re.search(r'for="f-weekday-3">水曜 <span class="facet__count">（1件）', html)
    assert re.search(r'name="cost" value="free" id="f-cost-1" checked>', html)


def test_active_filters_each_link_to_the_list_without_them(client, directory, town):
    html = html_of(client, f"{directory.url}?q=%E9%A3%9F%E5%A0%82&cost=free&page=1")
    links = dict(re.findall(r'<a class="chip" href="\?([^"]*)">([^<]+)<', html))
    by_label = {label: QueryDict(query.replace("&amp;", "&")) for query, label in links.items()}
    assert by_label["キーワード: 食堂"].dict() == {"cost": "free"}
    assert by_label["費用: 無料のみ"].dict() == {"q": "食堂"}
    assert f'<a href="{directory.url}">すべての条件を外す</a>' in html


def test_form_round_trips_the_query(client, directory, town):
    html = html_of(client, f"{directory.url}?q=ｼｮｸﾄﾞｳ&tag=cooking&transport=pickup")
    assert 'name="q" id="id_q" value="ショクドウ"' in html
    assert re.search(r'name="tag" value="cooking" id="f-tag-\d+" checked', html)
    assert re.search(r'name="transport" value="pickup" id="f-transport-1" checked', html)
    assert result_titles(html) == ["子ども食堂ひまわり"]


def test_no_results_says_so_and_offers_to_remove_each_filter(client, directory, town):
    html = html_of(client, f"{directory.url}?q=ラーメン&area={town.kibiru.pk}")
    assert "検索結果 0件" in html
    assert "この条件に合う居場所・活動は見つかりませんでした。" in html
    assert "「キーワード：ラーメン」を外す" in html
    assert "「地区：喜美留」を外す" in html
    assert "すべての条件を外して、全部を見る" in html
    assert 'id="directory-map"' not in html and "print/" not in html


def test_bad_input_is_a_japanese_message_not_a_server_error(client, directory, town):
    html = html_of(client, f"{directory.url}?weekday=9&kind=place&area=x")
    assert 'role="alert"' in html
    assert "曜日: 正しく選択してください。 9 は候補にありません。" in html
    assert "地区: 正しく選択してください。" in html
    assert "検索結果 2件" in html  # the valid condition still applies
    # Links built from the page drop the invalid values.
    assert "weekday=9" not in html.split('role="alert"')[1]


def test_results_are_paged_and_page_links_keep_the_filters(client, directory, town, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 3)
    first = html_of(client, f"{directory.url}?kind=place&kind=activity")
    assert len(result_titles(first)) == 3
    assert "2ページ中 1ページ目" in first
    assert 'rel="next" href="?kind=place&amp;kind=activity&amp;page=2"' in first
    second = html_of(client, f"{directory.url}?kind=place&kind=activity&page=２")
    assert result_titles(second) == ["夜のおしゃべり会"]
    assert 'rel="prev" href="?kind=place&amp;kind=activity&amp;page=1"' in second
    assert result_titles(html_of(client, f"{directory.url}?page=abc")) == result_titles(first)


def test_map_is_an_enhancement_with_a_text_alternative(client, directory, town):
    html = html_of(client, f"{directory.url}?cost=free")
    assert re.search(r'<div class="map" id="directory-map" hidden role="region"', html)
    assert 'aria-describedby="map-description"' in html
    assert "地図の内容はすべて一覧にも載っています。" in html
    assert f'data-markers-url="{directory.url}map/?cost=free"' in html


def test_map_data_has_the_same_results_and_only_public_fields(client, directory, town):
    town.taiso.latitude, town.taiso.longitude = "27.400000", "128.660000"
    town.taiso.placement_capacity = 7
    town.taiso.save_revision().publish()
    response = client.get(f"{directory.url}map/?cost=free")
    assert response["Content-Type"] == "application/json"
    markers = json.loads(response.content)["markers"]
    assert {m["title"] for m in markers} == {"子ども食堂ひまわり", "いきいき体操"}
    shokudo = next(m for m in markers if m["title"] == "子ども食堂ひまわり")
    assert shokudo == {
        "title": "子ども食堂ひまわり",
        "url": town.shokudo.url,
        "kind": "居場所",
        "area": "和泊",
        "lat": 27.39228,
        "lng": 128.65547,
    }
    assert all(set(m) == set(shokudo) for m in markers)
    # Listings without a location are in the list but not on the map.
    all_markers = json.loads(client.get(f"{directory.url}map/").content)["markers"]
    assert {m["title"] for m in all_markers} == {"子ども食堂ひまわり", "いきいき体操", "みんなの畑"}


def test_print_view_lists_every_result_without_map_and_ends_with_the_town_contact(
    client, directory, town, monkeypatch
):
    monkeypatch.setattr(views, "PAGE_SIZE", 1)
    html = html_of(client, f"{directory.url}print/?kind=place")
    assert "居場所・活動をさがす（印刷用）" in html
    assert "条件：" in html and "種類: 居場所" in html
    assert "map" not in html.split("<main")[1].split("</main>")[0]
    assert "leaflet" not in html
    assert html.count('class="print-entry"') == 2
    assert "毎週月曜 9:00〜11:00" in html
    assert "0997-84-1111" in html  # the listing's own telephone
    assert html.rindex("print-entry") < html.index("0997-84-0000")  # the town's, after the list


def test_print_view_says_when_it_is_capped(client, directory, town, monkeypatch):
    monkeypatch.setattr(views, "PRINT_LIMIT", 3)
    html = html_of(client, f"{directory.url}print/")
    assert html.count('class="print-entry"') == 3
    assert "最初の3件だけを表示しています" in html


@pytest.fixture
def twenty(directory):
    """Twenty listings with rules and tags: five in one district, fifteen in another."""
    few, many = AreaFactory(name="国頭"), AreaFactory(name="和泊")
    tag = TermFactory(name="料理", slug="cooking")
    for number in range(20):
        PlacePageFactory(
            title=f"居場所{number:02}",
            area=few if number < 5 else many,
            tags=[tag],
            schedule=[
                {"weekday": number % 7, "opens_at": "10:00", "closes_at": "12:00"},
                {"weekday": 5, "weeks_of_month": "2,4", "opens_at": "13:00", "closes_at": "15:00"},
            ],
        )
    return few


@pytest.mark.parametrize("view", ["", "print/"])
def test_query_count_does_not_grow_with_results(
    client, directory, twenty, django_assert_max_num_queries, view
):
    # 6 of these are the page shell's: site, routing, view restrictions.
    client.get(f"{directory.url}?q=いばしょ")  # the first request fills the process's caches
    with django_assert_max_num_queries(12):
        html_of(client, f"{directory.url}{view}?page=1")  # 20 results
    with django_assert_max_num_queries(12):
        html_of(client, f"{directory.url}{view}?area={twenty.pk}&tag=cooking&weekday=5")  # 5
    with django_assert_max_num_queries(12):  # keywords: the search, then ranked keys
        html_of(client, f"{directory.url}{view}?q=いばしょ&area={twenty.pk}")
