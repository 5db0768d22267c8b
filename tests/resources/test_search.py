"""Japanese full-text search through Wagtail's search backend (SQLite FTS5 or PostgreSQL)."""

from types import SimpleNamespace

import pytest
from wagtail.models import Page

from resources.filters import DirectoryFilterSet, IndexedResults
from resources.models import ListingPage, PlacePage
from resources.selectors import SearchHits, directory_listings, listing_search_query

from .factories import ActivityPageFactory, AreaFactory, PlacePageFactory, TermFactory

pytestmark = pytest.mark.django_db
SATURDAY = {"weekday": 5, "opens_at": "11:00", "closes_at": "14:00"}


@pytest.fixture
def town(directory) -> SimpleNamespace:
    wadomari = AreaFactory(name="和泊", kana="わどまり")
    kibiru = AreaFactory(name="喜美留", kana="きびる")
    return SimpleNamespace(
        shokudo=PlacePageFactory(
            title="子ども食堂ひまわり",
            summary="毎週土曜日のお昼に、みんなでご飯を食べます。",
            area=wadomari,
            schedule=[SATURDAY],
        ),
        weekday_shokudo=ActivityPageFactory(
            title="みんなの夕ごはん",
            summary="平日の夕方、地域の食堂で一緒に食べましょう。",
            area=wadomari,
        ),
        salon=PlacePageFactory(title="いきいきサロン", summary="体操とお茶の会", area=kibiru),
    )


def titles(directory, q: str) -> list[str]:
    filterset = DirectoryFilterSet({"q": q}, queryset=directory_listings(directory))
    return [page.title for page in filterset.results()]


@pytest.mark.parametrize("q", ["こどもしょくどう", "子ども食堂", "こども食堂", "子供"])
def test_reading_or_writing_finds_the_childrens_kitchen(directory, town, q):
    assert titles(directory, q) == ["子ども食堂ひまわり"]


@pytest.mark.parametrize("q", ["ショクドウ", "ｼｮｸﾄﾞｳ", "食堂", "しょくどう"])
def test_katakana_and_half_width_find_every_kitchen(directory, town, q):
    assert sorted(titles(directory, q)) == ["みんなの夕ごはん", "子ども食堂ひまわり"]


def test_a_listing_named_for_the_words_ranks_first(directory):
    PlacePageFactory(title="ふれあいサロン", summary="土曜日は食堂でお昼ごはん")
    PlacePageFactory(title="ふれあい食堂", summary="毎週土曜日に開いています")
    assert titles(directory, "しょくどう") == ["ふれあい食堂", "ふれあいサロン"]


def test_district_furigana_finds_listings_in_that_district(directory, town):
    assert titles(directory, "きびる") == ["いきいきサロン"]


def test_several_words_must_all_match(directory, town):
    assert titles(directory, "食堂 土曜") == ["子ども食堂ひまわり"]
    assert titles(directory, "食堂　平日") == ["みんなの夕ごはん"]  # full-width space


def test_unknown_words_find_nothing(directory, town):
    assert titles(directory, "ラーメン") == []
    assert titles(directory, "食堂 ラーメン") == []


@pytest.mark.parametrize("q", ['"', "*", "食堂 OR", "(食堂", "'; DROP TABLE", "食堂^2", "a:b"])
def test_query_syntax_characters_are_just_text(directory, town, q):
    titles(directory, q)  # no backend syntax error, whatever it finds


def test_particles_alone_constrain_nothing(directory, town):
    assert listing_search_query("を") is None
    assert len(titles(directory, "を")) == 3


def test_unpublished_listings_are_not_found(directory, town):
    town.shokudo.unpublish()
    assert titles(directory, "食堂") == ["みんなの夕ごはん"]


def test_a_published_tag_change_is_searchable_at_once(directory, town):
    # Tags are saved after the page row; the index must still see the new tag.
    page = PlacePage.objects.get(pk=town.salon.pk)
    page.tags.add(TermFactory(name="園芸", kana="えんげい", synonyms="ガーデニング、庭いじり"))
    page.save_revision().publish()
    assert titles(directory, "えんげい") == ["いきいきサロン"]
    assert titles(directory, "ガーデニング") == ["いきいきサロン"]


def test_renamed_district_reading_is_searchable(directory, town):
    kibiru = town.salon.area
    kibiru.kana = "きびるむら"
    kibiru.save()
    assert titles(directory, "きびるむら") == ["いきいきサロン"]


def test_search_only_covers_this_directorys_listings(directory, town):
    assert set(ListingPage.objects.live().values_list("title", flat=True)) >= set(
        titles(directory, "食堂")
    )


def test_latin_words_match_the_same_way_on_every_database(directory):
    # No stemming on PostgreSQL either: SQLite has none, and results must not differ.
    PlacePageFactory(title="LINEで相談", summary="Zoom meetings")
    assert titles(directory, "ｌｉｎｅ") == ["LINEで相談"]
    assert titles(directory, "meetings") == ["LINEで相談"]
    assert titles(directory, "meeting") == []


def test_ranked_results_page_in_relevance_order_and_skip_filtered_hits(directory):
    named = [PlacePageFactory(title=f"食堂{n}", summary="食堂です") for n in range(3)]
    other = PlacePageFactory(title="サロン", summary="食堂もあります")
    drafted = PlacePageFactory(title="食堂の下書き", summary="食堂")
    drafted.unpublish()
    ranking = [other.pk, drafted.pk, *(page.pk for page in named)]

    index = DirectoryFilterSet({}, queryset=directory_listings(directory)).index()
    ranked = SearchHits(ranking, ranking).ranked(index.keys_of(index.everything))
    results = IndexedResults(directory_listings(directory), ranked)

    assert len(results) == 4  # the unpublished hit is not in the queryset
    assert [page.pk for page in results[0:2]] == [other.pk, named[0].pk]
    assert [page.pk for page in results[2:10]] == [named[1].pk, named[2].pk]
    assert results[3].pk == named[2].pk


def test_keywords_and_facets_page_through_every_hit_once(client, directory):
    for n in range(25):
        PlacePageFactory(title=f"ふれあい食堂{n:02}", summary="食堂", schedule=[SATURDAY])
    url = f"{directory.url}?q=しょくどう&weekday=5"
    first, second = client.get(url).context, client.get(f"{url}&page=2").context
    keys = [*first["results"], *second["results"]]
    titles = [Page.objects.get(pk=key).title for key in keys]
    assert len(first["cards"]) == 20 and len(second["cards"]) == 5
    assert first["total"] == 25
    assert sorted(titles) == [f"ふれあい食堂{n:02}" for n in range(25)]


def test_a_listing_published_after_a_search_is_found_by_the_next(directory, town):
    assert sorted(titles(directory, "食堂")) == ["みんなの夕ごはん", "子ども食堂ひまわり"]
    PlacePageFactory(title="海辺の食堂", summary="土曜のお昼")
    town.shokudo.unpublish()
    assert sorted(titles(directory, "食堂")) == ["みんなの夕ごはん", "海辺の食堂"]
