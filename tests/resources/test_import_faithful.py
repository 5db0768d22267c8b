# ruff: noqa: F811 - pytest passes the imported town fixture by name
"""Imports that keep what the town wrote, refuse what cannot be stored without a traceback,
change nothing when nothing changed, and read terms and schedules the way staff write them."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from wagtail.models import Page

from resources.importing import files
from resources.models import ActivityPage, Organization, PlacePage, Term

from .factories import TermFactory
from .test_import_directory import (  # noqa: F401 - town is a fixture
    ROW,
    SECOND,
    counts,
    csv_text,
    rejected,
    run,
    town,
    write,
)

# --- free text kept exactly -------------------------------------------------------------------


def test_csv_keeps_free_text_exactly_and_normalises_only_codes(town, tmp_path):
    row = {
        **ROW,
        "活動ID": "Ａ－００１",  # a code: read as A-001
        "活動名": "子ども食堂（ＣＳＶ）～①②",
        "概要": "一行目\r\n二行目　全角スペース",
        "配慮の詳細": "車いす可（要連絡）",
        "場所名": "喜美留公民館（ＣＳＶ）",
        "団体名": "喜美留自治会①",
        "電話番号": "０９９７－８４－１１１１",
    }
    run(write(tmp_path, csv_text(row)))
    activity = ActivityPage.objects.get().get_latest_revision_as_object()
    assert activity.external_id == "A-001"
    assert activity.title == "子ども食堂（ＣＳＶ）～①②"
    assert activity.summary == "一行目\n二行目　全角スペース"
    assert activity.accessibility_note == "車いす可（要連絡）"
    assert activity.phone == "0997-84-1111"
    assert PlacePage.objects.get().title == "喜美留公民館（ＣＳＶ）"
    assert Organization.objects.get().name == "喜美留自治会①"


# --- limits: Japanese errors, nothing written ---------------------------------------------------


def test_a_nul_byte_in_a_cell_is_refused(town, tmp_path):
    errors = rejected(write(tmp_path, csv_text({**ROW, "活動名": "子ども\x00食堂"})))
    assert errors == [
        "2行目 列「活動名」: 制御文字（NUL など）が含まれています。取り除いてください。"
    ]
    assert counts() == (0, 0, 0)


def test_a_cell_over_the_csv_limit_is_refused(town, tmp_path):
    errors = rejected(write(tmp_path, csv_text(ROW, {**SECOND, "概要": "あ" * 131_073})))
    assert errors == [
        "3行目 列「-」: セルが 131,072 文字を超えているか、ここで CSV の形が崩れています。"
    ]
    assert counts() == (0, 0, 0)


def test_a_file_over_the_size_limit_is_refused(town, tmp_path, monkeypatch):
    monkeypatch.setattr(files, "MAX_FILE_BYTES", 1000)
    path = write(tmp_path, csv_text(*[{**ROW, "活動ID": f"A-{n}"} for n in range(20)]))
    size = path.stat().st_size
    assert rejected(path) == [
        f"ファイルが {size:,} バイトあります。1,000 バイトを超えるファイルは読み込めません。"
    ]
    assert counts() == (0, 0, 0)


@pytest.mark.parametrize("command", ["import_directory", "import_vocabulary"])
def test_json_nested_100000_deep_is_refused(town, tmp_path, command):
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with pytest.raises(Exception) as failure:
        call_command(command, str(path), stdout=StringIO(), stderr=StringIO())
    assert "JSON の入れ子が 64 段より深いため読み込めません。" in str(failure.value)
    assert counts() == (0, 0, 0)


def test_a_nul_in_json_text_is_refused(town, tmp_path):
    path = write(
        tmp_path,
        '{"id": "9f2b8a55-5e9a-4bb7-8d2b-7a2f9f1f4c11", "name": "a\\u0000b", "status": "active"}',
        name="service.json",
    )
    assert "$ 項目「name」: 制御文字（NUL など）が含まれています。取り除いてください。" in rejected(
        path
    )


# --- re-importing unchanged data changes nothing ------------------------------------------------


def _state() -> list[tuple]:
    pages = [
        (p.pk, p.latest_revision_id, p.last_published_at, p.has_unpublished_changes)
        for p in Page.objects.type(ActivityPage, PlacePage).order_by("pk")
    ]
    return [*pages, *Organization.objects.order_by("pk").values_list("pk", "last_modified")]


@pytest.mark.parametrize("mode", ["--live", "--draft"])
def test_reimporting_an_unchanged_csv_changes_nothing(town, tmp_path, mode):
    path = write(tmp_path, csv_text(ROW, SECOND))
    run(path, mode)
    before = _state()
    assert run(path, mode) == "作成: 0。更新: 0。 変更なし: 運営団体 1、居場所 1、活動 2。"
    assert _state() == before
    # A real change still makes a revision, of that activity only.
    changed = write(tmp_path, csv_text({**ROW, "概要": "新しい説明"}, SECOND))
    assert run(changed, mode) == "作成: 0。更新: 活動 1。 変更なし: 運営団体 1、居場所 1、活動 1。"
    assert _state() != before


def test_tags_in_another_order_change_nothing_but_another_set_does(town, tmp_path):
    run(write(tmp_path, csv_text(ROW)), "--live")
    before = _state()
    reordered = write(tmp_path, csv_text({**ROW, "タグ": "子ども食堂、料理"}))
    assert run(reordered, "--live") == "作成: 0。更新: 0。 変更なし: 運営団体 1、居場所 1、活動 1。"
    assert _state() == before
    fewer = write(tmp_path, csv_text({**ROW, "タグ": "子ども食堂"}))
    assert run(fewer, "--live") == "作成: 0。更新: 活動 1。 変更なし: 運営団体 1、居場所 1。"
    assert [t.name for t in ActivityPage.objects.get().tags.all()] == ["子ども食堂"]


def test_time_ranges_in_another_order_change_nothing_but_another_set_does(town, tmp_path):
    def with_days(days: str) -> str:
        return write(tmp_path, csv_text({**ROW, "曜日": days, "開始時刻": "", "終了時刻": ""}))

    run(with_days("火 10:00-11:30; 木 13:00-15:00"), "--live")
    before = _state()
    reordered = with_days("木 13:00-15:00; 火 10:00-11:30")
    assert run(reordered, "--live") == "作成: 0。更新: 0。 変更なし: 運営団体 1、居場所 1、活動 1。"
    assert _state() == before
    assert run(with_days("木 13:00-15:00"), "--live").startswith("作成: 0。更新: 活動 1。")
    rules = ActivityPage.objects.get().schedule_rules.all()
    assert [(rule.weekday, rule.opens_at) for rule in rules] == [(3, dt.time(13))]


# --- terms by synonym or reading ------------------------------------------------------------------


def test_tags_accept_a_synonym_or_reading_of_a_term(town, tmp_path):
    TermFactory(name="体操", kana="たいそう", synonyms="ストレッチ、ラジオ体操")
    Term.objects.filter(name="料理").update(kana="りょうり")
    run(write(tmp_path, csv_text({**ROW, "タグ": "ストレッチ、タイソウ、りょうり"})))
    run(write(tmp_path, csv_text({**ROW, "タグ": "ストレッチ、りょうり"})))
    activity = ActivityPage.objects.get().get_latest_revision_as_object()
    assert sorted(t.name for t in activity.tags.all()) == ["体操", "料理"]


def test_an_unknown_or_ambiguous_word_is_refused_with_a_clear_message(town, tmp_path):
    TermFactory(name="体操", synonyms="運動")
    TermFactory(name="散歩", synonyms="運動")
    errors = rejected(write(tmp_path, csv_text({**ROW, "タグ": "運動、未登録のタグ"})))
    assert errors == [
        "2行目 列「タグ」: 「運動」は複数の用語（体操、散歩）のよみ・同義語です。"
        "用語の名前で書いてください。",
    ]
    errors = rejected(write(tmp_path, csv_text({**ROW, "タグ": "未登録のタグ"})))
    assert errors == [
        "2行目 列「タグ」: 「未登録のタグ」は用語集の用語・よみ・同義語のどれでもありません。"
        "先に import_vocabulary で用語か同義語として加えてください。"
    ]


def test_vocabulary_parent_may_be_a_synonym(town, tmp_path):
    TermFactory(name="農作業", synonyms="畑仕事")
    path = write(tmp_path, "名前,上位語\r\n花き栽培,畑仕事\r\n", name="terms.csv")
    call_command("import_vocabulary", str(path), stdout=StringIO())
    assert Term.objects.get(name="花き栽培").parent.name == "農作業"


# --- several time ranges per activity ------------------------------------------------------------


def _rules() -> list[tuple]:
    activity = ActivityPage.objects.get(external_id="A-001").get_latest_revision_as_object()
    return sorted(
        (r.weekday, r.opens_at, r.closes_at, r.weeks_of_month)
        for r in activity.schedule_rules.all()
    )


def test_several_time_ranges_in_the_day_cell(town, tmp_path):
    row = {**ROW, "曜日": "火 10:00-11:30; 木・金 13:00〜15:00", "週": "", "開始時刻": ""}
    run(write(tmp_path, csv_text({**row, "終了時刻": ""})))
    assert _rules() == [
        (1, dt.time(10), dt.time(11, 30), ""),
        (3, dt.time(13), dt.time(15), ""),
        (4, dt.time(13), dt.time(15), ""),
    ]


def test_one_row_per_time_range(town, tmp_path):
    more = {"活動ID": "A-001", "曜日": "水", "週": "", "開始時刻": "9:00", "終了時刻": "10:00"}
    output = run(
        write(tmp_path, csv_text(ROW, more, {**more, "曜日": "金", "活動名": ROW["活動名"]}))
    )
    assert output == "作成: 運営団体 1、居場所 1、活動 1。更新: 0。"
    assert _rules() == [
        (2, dt.time(9), dt.time(10), ""),
        (4, dt.time(9), dt.time(10), ""),
        (5, dt.time(17), dt.time(19), "2,4"),
    ]


def test_a_repeated_id_with_other_content_or_bad_ranges_is_refused(town, tmp_path):
    errors = rejected(
        write(
            tmp_path,
            csv_text(
                ROW,
                {
                    "活動ID": "A-001",
                    "活動名": "別の活動",
                    "曜日": "水",
                    "開始時刻": "9:00",
                    "終了時刻": "10:00",
                },
                {**SECOND, "曜日": "火 11:00-10:00", "開始時刻": "10:00", "終了時刻": ""},
            ),
        )
    )
    assert errors == [
        "3行目 列「活動名」: 同じIDの2行目と内容が違います。"
        "時間帯を足す行には、活動IDと日程の列だけを書いてください。",
        "4行目 列「曜日」: 火 11:00-10:00: 終了時刻は開始時刻より後にしてください。",
        "4行目 列「開始時刻」: 時刻は曜日の列に書かれています。この列は空にしてください。",
    ]
    assert counts() == (0, 0, 0)


def test_demo_export_import_export_is_identical(db, tmp_path):
    call_command("load_demo", stdout=StringIO())
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    call_command("export_directory", output=first, stderr=StringIO())
    before = _state()
    output = run(first, "--live")
    assert output.startswith("作成: 0。更新: 0。 変更なし: ")
    assert _state() == before
    call_command("export_directory", output=second, stderr=StringIO())
    assert second.read_text(encoding="utf-8") == first.read_text(encoding="utf-8")
