"""Furigana from the analyser's readings, with the town's own readings of place names winning."""

import pytest

from tsunagu.text import has_kanji, ruby_segments


@pytest.mark.parametrize(
    ("text", "segments"),
    [
        pytest.param("", [], id="empty"),
        pytest.param("ゆんたく サロン", [("ゆんたく サロン", "")], id="kana only"),
        pytest.param("公民館", [("公民館", "こうみんかん")], id="one word"),
        pytest.param("食べる", [("食", "た"), ("べる", "")], id="okurigana stay outside the ruby"),
        pytest.param(
            "取り扱い",
            [("取", "と"), ("り", ""), ("扱", "あつか"), ("い", "")],
            id="kanji and kana alternating",
        ),
        pytest.param(
            "子ども食堂を開催",
            [("子", "こ"), ("ども", ""), ("食堂", "しょくどう"), ("を", ""), ("開催", "かいさい")],
            id="a sentence",
        ),
        pytest.param(
            "月〜金 9:00〜17:00",
            [("月", "げつ"), ("〜", ""), ("金", "きん"), (" 9:00〜17:00", "")],
            id="weekdays in a schedule",
        ),
        pytest.param(
            "12月3日（木）",
            [
                ("12", ""),
                ("月", "がつ"),
                ("3", ""),
                ("日", "か"),
                ("（", ""),
                ("木", "もく"),
                ("）", ""),
            ],
            id="a date: month as がつ, the weekday in brackets as もく",
        ),
        pytest.param("土・日", [("土", "ど"), ("・", ""), ("日", "にち")], id="two weekdays"),
        pytest.param("月に一度", [("月", "つき"), ("に", ""), ("一度", "いちど")], id="month"),
    ],
)
def test_ruby_from_the_dictionary(text: str, segments: list[tuple[str, str]]) -> None:
    assert ruby_segments(text) == segments


def test_the_written_text_comes_back_whole() -> None:
    text = "地域福祉センター ゆいの家（サンプル）で、毎週火曜 10:00〜12:00。ABC １２３"
    assert "".join(written for written, _reading in ruby_segments(text)) == text


def test_the_town_reading_list_wins_over_the_dictionary() -> None:
    # Sudachi reads 手々知名 as てて ちめい; the town says てでちな.
    assert ruby_segments("手々知名") == [("手々", "てて"), ("知名", "ちめい")]
    readings = {"手々知名": "てでちな", "知名": "ちな"}

    assert ruby_segments("和泊町手々知名の公民館", readings) == [
        ("和泊町", "わどまりちょう"),
        ("手々知名", "てでちな"),
        ("の", ""),
        ("公民館", "こうみんかん"),
    ]
    # The longest listed form wins; a shorter one still applies on its own.
    assert ruby_segments("知名町", readings)[0] == ("知名", "ちな")


def test_a_listed_word_inside_a_compound_still_gets_its_reading() -> None:
    assert ruby_segments("大城公民館", {"大城": "おおぐすく"}) == [
        ("大城", "おおぐすく"),
        ("公民館", "こうみんかん"),
    ]


def test_unknown_words_get_no_reading_rather_than_their_own_spelling() -> None:
    # Sudachi "reads" a word it does not know (髙橋, with the old form of 高) as its spelling.
    assert ruby_segments("髙橋") == [("髙橋", "")]


def test_long_text_is_analysed_in_chunks() -> None:
    text = "公民館でお茶を飲みます。" * 2000  # 24,000 characters: over Sudachi's input limit
    segments = ruby_segments(text)
    assert "".join(written for written, _reading in segments) == text
    assert ("公民館", "こうみんかん") in segments


@pytest.mark.parametrize(
    ("text", "expected"), [("喜美留", True), ("きびる", False), ("々", True), ("ABC", False)]
)
def test_has_kanji(text: str, expected: bool) -> None:
    assert has_kanji(text) is expected
