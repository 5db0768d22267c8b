"""Japanese search text tools, checked on real sentences with the real Sudachi dictionary."""

from concurrent.futures import ThreadPoolExecutor

import pytest

from tsunagu import text
from tsunagu.text import (
    index_terms,
    matches,
    normalize,
    query_terms,
    to_hiragana,
    to_katakana,
)

SHOKUDO = "子ども食堂を毎週土曜日に開催しています"


@pytest.mark.parametrize(
    "query",
    [
        "食堂",
        "しょくどう",
        "ショクドウ",
        "ｼｮｸﾄﾞｳ",
        "子ども",
        "こども",
        "子供",
        "土曜日",
        "土曜",
        "ｺﾄﾞﾓ",
        "こどもしょくどう",
        "子ども食堂",
        "食堂　土曜日",
        "開催する",
    ],
)
def test_matching_queries(query: str) -> None:
    assert matches(SHOKUDO, query)


@pytest.mark.parametrize("query", ["ラーメン", "食堂 ラーメン", "らーめん", "市"])
def test_non_matching_queries(query: str) -> None:
    assert not matches(SHOKUDO, query)


def test_index_terms_have_whole_parts_and_readings() -> None:
    terms = index_terms(SHOKUDO).split()
    for term in ["子供", "コドモ", "食堂", "ショクドウ", "コドモショクドウ", "土曜日", "土曜"]:
        assert term in terms
    assert "ヲ" not in terms and "を" not in terms and "マス" not in terms  # particles dropped
    assert len(terms) == len(set(terms))


def test_place_name_found_by_furigana() -> None:
    # The core dictionary knows 喜美留 (固有名詞, reading キビル).
    assert "キビル" in index_terms("喜美留公民館").split()
    assert matches("喜美留公民館", "きびる")
    assert matches("喜美留公民館", "キビル")
    assert matches("喜美留公民館", "きびるこうみんかん")
    assert not matches("喜美留公民館", "きみる")
    # Places also carry an explicit kana field that callers index alongside the name.
    assert matches("喜美留 キビル", "きびる")


def test_latin_is_lower_cased_and_width_folded() -> None:
    assert "line" in index_terms("LINEでZoom会議").split()
    assert matches("LINEでZoom会議", "ｌｉｎｅ")
    assert matches("LINEでZoom会議", "zoom")


def test_query_terms_shape() -> None:
    assert query_terms("食堂 ラーメン") == [["食堂", "ショクドウ"], ["ラーメン"]]
    # Kana word: its whole reading is an alternative in every token's list.
    assert all("ショクドウ" in alts for alts in query_terms("しょくどう"))
    assert query_terms("") == []
    assert query_terms("を") == []


def test_normalize() -> None:
    assert normalize("０１２３") == "0123"
    assert normalize("ｶﾀｶﾅ") == "カタカナ"
    assert normalize("メ－ル") == normalize("メール") == "メール"
    assert normalize("メ-ル") == normalize("メ—ル") == normalize("メｰル") == "メール"
    assert normalize("ｽｰﾊﾟｰ") == "スーパー"
    assert normalize("  子ども\u3000 食堂 \n") == "子ども 食堂"
    # Hyphens not after kana are kept: phone numbers, Latin words.
    assert normalize("0997-93-3111 Wi-Fi") == "0997-93-3111 Wi-Fi"


def test_kana_folding() -> None:
    assert to_katakana("こどもしょくどう・ゔ") == "コドモショクドウ・ヴ"
    assert to_hiragana("コドモショクドウ・ヴ") == "こどもしょくどう・ゔ"
    assert to_katakana("子ども ABC ー") == "子ドモ ABC ー"


def test_dictionary_is_loaded_once() -> None:
    index_terms("見守り活動")
    index_terms("ボランティア募集")
    assert text._load_dictionary.cache_info().misses == 1
    assert text.dictionary() is text.dictionary()
    assert text.tokenizer() is text.tokenizer()


def test_threads_get_their_own_tokenizer() -> None:
    # Sudachi tokenizers are not thread-safe; sharing one raises "Already borrowed".
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(index_terms, [SHOKUDO] * 200))
    assert set(results) == {index_terms(SHOKUDO)}
    assert text._load_dictionary.cache_info().misses == 1
