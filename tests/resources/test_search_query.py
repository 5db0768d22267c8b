"""How a typed query becomes a backend query: kana folded before analysis, mis-splits left
out, character pairs as phrases, the vocabulary's words, and a tree that stays shallow."""

import pytest
from wagtail.search.query import And, Or, PlainText

from resources.models import Term
from resources.search.query import MAX_VARIANTS, search_query, search_words
from resources.search.synonyms import synonym_map
from resources.search_input import MAX_SEARCH_WORDS
from tsunagu.text import fold, ngram_query, ngram_terms, word_terms


def test_two_and_three_character_ngrams_of_each_kanji_and_kana_run():
    assert ngram_terms("ゆんたく") == "bユン bンタ bタク bユンタ bンタク"
    assert ngram_terms("ｻﾄｳｷﾋﾞ畑・LINE 和") == (
        "bサト bトウ bウキ bキビ bビ畑 bサトウ bトウキ bウキビ bキビ畑"
    )


def test_a_word_of_up_to_three_characters_is_one_ngram_a_longer_one_its_windows():
    assert ngram_query("キビル") == ["bキビル"]  # not in サトウキビ's n-grams
    assert ngram_query("きび") == ["bキビ"]
    assert ngram_query("ふれあいさろん") == ["bフレア", "bレアイ", "bアイサ", "bイサロ", "bサロン"]
    assert ngram_query("グラウンド・ゴルフ") == ["bグラウ", "bラウン", "bウンド", "bゴルフ"]


def test_a_word_is_found_by_its_characters_only_when_every_run_has_two():
    assert ngram_query("畑") == []
    assert ngram_query("ゆり・花") == []
    assert ngram_query("LINE相談") == []  # Latin letters are words already


@pytest.mark.parametrize(
    ("hiragana", "katakana"),
    [
        ("ゆんたく", "ユンタク"),
        ("きびる", "キビル"),
        ("たいそう", "タイソウ"),
        ("けーたい", "ケータイ"),
    ],
)
def test_either_kana_script_is_analysed_the_same(hiragana, katakana):
    assert word_terms(hiragana) == word_terms(katakana) == word_terms(fold(katakana))


@pytest.mark.parametrize("word", ["ゆんたく", "きびる", "しまうた", "さんしん", "てでちな"])
def test_a_kana_word_the_analyser_splits_wrongly_is_only_its_whole_reading(word):
    # ゆん+たく (揺る), きび+る (黍, which さとうきび contains), しまう+た (仕舞う)…
    assert word_terms(word) == [[[fold(word)]]]


def test_a_kana_word_the_dictionary_knows_brings_its_normalised_form():
    assert word_terms("ケータイ") == [[["ケータイ", "携帯"]]]
    assert [["イキイキ", "生キ生キ"], ["タイソウ", "大層"]] in word_terms("いきいきたいそう")


def test_particles_alone_constrain_nothing():
    assert word_terms("を") == word_terms("です") == []
    assert search_query("を です", {}) is None
    assert search_words("食堂 の") == ["食堂"]


def test_the_query_is_the_same_whatever_the_script_or_width():
    assert repr(search_query("ゆんたく", {})) == repr(search_query("ﾕﾝﾀｸ", {}))


def test_a_typed_word_is_its_analysis_or_its_characters():
    query = search_query("キビル", {})
    assert isinstance(query, And) and len(query.subqueries) == 1
    word = query.subqueries[0]
    assert isinstance(word, Or)
    assert {type(q) for q in word.subqueries} == {PlainText}
    assert {q.query_string for q in word.subqueries} == {"キビル", "bキビル"}


def test_a_term_finds_its_synonyms_and_a_synonym_its_term():
    term = Term(name="体操", kana="たいそう", synonyms="ヨガ、健康体操")
    synonyms = synonym_map([term])
    assert synonyms[fold("体操")] == ["体操", "たいそう", "ヨガ", "健康体操"]
    assert synonyms[fold("たいそう")] == synonyms[fold("体操")]
    assert synonyms[fold("ヨガ")] == ["体操", "たいそう"]  # not the other synonyms


def _depth(query) -> int:
    children = getattr(query, "subqueries", [])
    return 1 + max((_depth(child) for child in children), default=0)


def _leaves(query) -> int:
    children = getattr(query, "subqueries", [])
    return sum(_leaves(child) for child in children) if children else 1


def test_a_long_query_with_many_synonyms_stays_shallow():
    many = {fold("体操"): [f"体操{n}号" for n in range(40)]}
    query = search_query(" ".join(["体操"] * MAX_SEARCH_WORDS), many)
    assert _leaves(query) > 100
    assert _depth(query) <= 12  # SQLite's FTS5 parser overflows near 90 levels
    # The vocabulary's words are capped: forty would bring some 240 leaves per word.
    assert _leaves(query.subqueries[0]) <= MAX_VARIANTS * 6


def _terms(query) -> set[str]:
    if isinstance(query, PlainText):
        return {query.query_string}
    return set().union(*(_terms(child) for child in getattr(query, "subqueries", [])))


def test_vocabulary_words_of_three_characters_or_more_are_found_by_their_characters_only():
    synonyms = {fold("はなしあいて"): ["話し相手", "ゆんたく", "会話", "キビ"]}
    terms = _terms(search_query("はなしあいて", synonyms))
    assert {"b話シ相", "bシ相手", "bユンタ", "bンタク"} <= terms  # by their windows
    assert {"会話", "カイワ", "キビ"} <= terms  # two characters: by the analyser's terms
    assert not {"b会話", "bキビ", "ユンタク", "話シ相手"} & terms
