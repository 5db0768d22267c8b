"""Ranking: a listing called what the resident typed first, then those whose name contains
every word, then the ones that only mention them."""

import pytest

from resources.filters import DirectoryFilterSet
from resources.search.ranking import name_band, names_first
from resources.selectors import directory_listings

from .factories import PlacePageFactory

pytestmark = pytest.mark.django_db


def titles(directory, q: str) -> list[str]:
    filterset = DirectoryFilterSet({"q": q}, queryset=directory_listings(directory))
    return [page.title for page in filterset.results()]


@pytest.fixture
def salons(directory) -> None:
    # Mentioned often in the text, which the backends' scores reward.
    PlacePageFactory(title="公民館", summary="サロン、サロン、サロン。毎日サロンを開きます。")
    PlacePageFactory(title="ふれあいサロン", summary="お茶の会")
    PlacePageFactory(title="サロン", summary="どなたでも")
    PlacePageFactory(title="喜美留の集い", kana="きびるさろん", summary="サロンです")


def test_the_exact_name_then_names_containing_the_words_then_mentions(directory, salons):
    found = titles(directory, "サロン")
    assert found[0] == "サロン"
    assert set(found[1:3]) == {"ふれあいサロン", "喜美留の集い"}  # its kana is きびるさろん
    assert found[3] == "公民館"


def test_the_exact_name_wins_in_any_script(directory, salons):
    assert titles(directory, "さろん")[0] == "サロン"
    assert titles(directory, "ｷﾋﾞﾙｻﾛﾝ")[0] == "喜美留の集い"


def test_every_word_must_be_in_the_name_for_the_name_band(directory):
    PlacePageFactory(title="喜美留の浜", summary="サロンの帰りに寄れます")
    PlacePageFactory(title="喜美留サロン", summary="浜の近く")
    assert titles(directory, "喜美留 サロン") == ["喜美留サロン", "喜美留の浜"]


def test_bands():
    assert name_band("サロン", "", ["サロン"]) == 0
    assert name_band("キビルノツドイ", "キビルサロン", ["キビル", "サロン"]) == 0
    assert name_band("フレアイサロン", "", ["サロン"]) == 1
    assert name_band("公民館", "", ["サロン"]) == 2
    names = {1: ("公民館", ""), 2: ("サロン", ""), 3: ("ふれあいサロン", ""), 4: ("サロン", "")}
    assert names_first([1, 3, 2, 4], names.__getitem__, ["サロン"]) == [2, 4, 3, 1]
    assert names_first([1, 3], names.__getitem__, []) == [1, 3]
