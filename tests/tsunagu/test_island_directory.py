"""The directory across the island: a sharing town finds the other sharing towns' listings."""

from __future__ import annotations

import re

import pytest

from tests.resources.factories import ActivityPageFactory, PlacePageFactory
from tests.tsunagu.island import CHINA_HOST, second_town, share, two_towns


@pytest.fixture
def island(db):
    wadomari, china = two_towns()
    wadomari.salon = PlacePageFactory(title="和泊ふれあい館", kana="わどまりふれあいかん")
    china.salon = ActivityPageFactory(
        title="ふれあいサロン知名", kana="ふれあいさろんちな", parent=china.directory
    )
    return wadomari, china


def _html(client, url: str, host: str = "localhost") -> str:
    response = client.get(url, HTTP_HOST=host)
    assert response.status_code == 200
    return response.content.decode()


def _titles(html: str) -> list[str]:
    return re.findall(r'class="result__title"><a href="[^"]+">([^<]+)</a>', html)


def _town_count(html: str, town) -> str:
    """The label of the town facet's option for ``town``, with its count."""
    option = re.search(
        rf'name="town" value="{town.site.pk}" id="(f-town-\d+)"><label for="\1">(.+?)</label>', html
    )
    return re.sub(r"<[^>]+>", "", option[2]) if option else ""


def test_a_sharing_town_finds_the_other_towns_listing_by_name(client, island):
    wadomari, china = island
    share(wadomari, china)
    html = _html(client, f"{wadomari.directory.url}?q=ふれあいサロン知名")
    assert _titles(html) == ["ふれあいサロン知名"]
    # Marked with its town and linked to the other town's own site.
    assert '<span class="badge badge--town">知名町</span>' in html
    assert f'href="http://{CHINA_HOST}/places/' in html


def test_each_sharing_town_lists_both_and_labels_only_the_others(client, island):
    wadomari, china = island
    share(wadomari, china)
    here = _html(client, wadomari.directory.url)
    there = _html(client, china.directory.url, CHINA_HOST)
    both = ["ふれあいサロン知名", "和泊ふれあい館"]
    assert sorted(_titles(here)) == sorted(_titles(there)) == both
    assert 'badge--town">知名町' in here and 'badge--town">和泊町' not in here
    assert 'badge--town">和泊町' in there and 'badge--town">知名町' not in there


@pytest.mark.parametrize("sharing", [(), ("wadomari",), ("china",)])
def test_unless_both_share_neither_sees_the_other(client, island, sharing):
    wadomari, china = island
    share(*(town for key, town in (("wadomari", wadomari), ("china", china)) if key in sharing))
    here = _html(client, f"{wadomari.directory.url}?q=ふれあい")
    there = _html(client, f"{china.directory.url}?q=ふれあい", CHINA_HOST)
    assert _titles(here) == ["和泊ふれあい館"]
    assert _titles(there) == ["ふれあいサロン知名"]
    assert "badge--town" not in here + there
    assert "f-town-" not in here  # no town facet where nothing is shared


def test_the_town_facet_counts_and_narrows(client, island):
    wadomari, china = island
    share(wadomari, china)
    PlacePageFactory(title="知名の居場所", parent=china.directory)
    html = _html(client, wadomari.directory.url)
    assert '<legend class="facet__legend">町</legend>' in html
    assert _town_count(html, china) == "知名町 （2件）"
    assert _town_count(html, wadomari) == "和泊町 （1件）"
    only_china = _html(client, f"{wadomari.directory.url}?town={china.site.pk}")
    assert sorted(_titles(only_china)) == ["ふれあいサロン知名", "知名の居場所"]
    only_here = _html(client, f"{wadomari.directory.url}?town={wadomari.site.pk}")
    assert _titles(only_here) == ["和泊ふれあい館"]


def test_the_map_follows_the_town_facet_and_names_the_other_town(client, island):
    wadomari, china = island
    share(wadomari, china)
    for page in (wadomari.salon, china.salon):
        page.latitude, page.longitude = "27.38", "128.60"
        page.save_revision().publish()
    url = f"{wadomari.directory.url}map/"
    markers = client.get(url, HTTP_HOST="localhost").json()["markers"]
    assert {(m["title"], m.get("town")) for m in markers} == {
        ("和泊ふれあい館", None),
        ("ふれあいサロン知名", "知名町"),
    }
    only_china = client.get(f"{url}?town={china.site.pk}", HTTP_HOST="localhost").json()
    assert [m["title"] for m in only_china["markers"]] == ["ふれあいサロン知名"]


def test_a_listing_of_a_town_outside_the_island_never_shows(client, island):
    wadomari, china = island
    yoron = second_town(name="与論町", hostname="yoron.example")
    ActivityPageFactory(title="ふれあい与論", parent=yoron.directory)
    share(wadomari, china)
    assert "ふれあい与論" not in _html(client, f"{wadomari.directory.url}?q=ふれあい")


def test_the_detail_page_names_its_town_when_shared(client, island):
    wadomari, china = island
    share(wadomari, china)
    html = _html(client, china.salon.url, CHINA_HOST)
    assert '<span class="badge badge--town">知名町</span>' in html


def test_a_publish_in_the_other_town_changes_the_cached_list(client, island):
    wadomari, china = island
    share(wadomari, china)
    url = f"{wadomari.directory.url}?q=知名"
    assert _titles(_html(client, url)) == ["ふれあいサロン知名"]
    assert client.get(url, HTTP_HOST="localhost").headers.get("X-Page-Cache") == "hit"
    PlacePageFactory(title="知名コミュニティ", parent=china.directory)
    assert sorted(_titles(_html(client, url))) == ["ふれあいサロン知名", "知名コミュニティ"]


def test_turning_sharing_off_takes_the_other_town_away_at_once(client, island):
    wadomari, china = island
    share(wadomari, china)
    assert len(_titles(_html(client, wadomari.directory.url))) == 2
    share(china, shares=False)
    assert _titles(_html(client, wadomari.directory.url)) == ["和泊ふれあい館"]


@pytest.mark.parametrize("view", ["", "print/"])
def test_the_shared_list_costs_no_more_queries_with_more_results(
    client, island, django_assert_max_num_queries, view
):
    wadomari, china = island
    share(wadomari, china)
    for number in range(10):
        PlacePageFactory(title=f"知名の場{number}", parent=china.directory)
        PlacePageFactory(title=f"和泊の場{number}")
    client.get(f"{wadomari.directory.url}?q=ばしょ")  # fills the process's caches
    with django_assert_max_num_queries(12):
        _html(client, f"{wadomari.directory.url}{view}?page=1")
    with django_assert_max_num_queries(12):
        _html(client, f"{wadomari.directory.url}{view}?town={china.site.pk}&q=知名")


def test_each_town_s_open_data_holds_its_own_listings_and_the_island_s_when_shared(client, island):
    wadomari, china = island

    def names(path: str, host: str) -> set[str]:
        response = client.get(f"/api/hsds/{path}", HTTP_HOST=host)
        assert response.status_code == 200
        return {item["name"] for item in response.json()["contents"]}

    assert "ふれあいサロン知名" not in names("services", "localhost")
    assert names("services", CHINA_HOST) == {"ふれあいサロン知名"}
    found = client.get(f"/api/hsds/services/{china.salon.hsds_id}", HTTP_HOST="localhost")
    assert found.status_code == 404
    share(wadomari, china)
    assert "ふれあいサロン知名" in names("services", "localhost")
    assert client.get(f"/api/hsds/services/{china.salon.hsds_id}").status_code == 200
