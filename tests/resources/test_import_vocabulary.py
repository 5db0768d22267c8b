"""``import_vocabulary``: CSV or JSON, by name, broader terms in any order, all or nothing."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from resources.models import Term

from .factories import TermFactory

LOOP = "の上位語をたどると自分自身に戻ってしまいます（循環しています）。"

CSV = (
    "name,kana,kind,parent,synonyms\r\n"
    "花き栽培,かきさいばい,関心・活動,農作業,花づくり、園芸\r\n"  # the parent comes later
    "農作業,のうさぎょう,interest,,\r\n"
    "見守り,みまもり,支援ニーズ,,\r\n"
    "車いす対応,くるまいすたいおう,配慮,,\r\n"
    "高齢者,こうれいしゃ,対象,,\r\n"
)


def write(tmp_path: Path, text: str, name: str = "vocabulary.csv", encoding="utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def run(path: Path, *args: str) -> str:
    out = StringIO()
    call_command("import_vocabulary", str(path), *args, stdout=out)
    return out.getvalue().strip()


def rejected(path: Path) -> list[str]:
    with pytest.raises(CommandError) as failure:
        run(path)
    return str(failure.value).splitlines()[1:]


def vocabulary() -> dict[str, tuple]:
    return {
        t.name: (t.kana, t.kind, t.parent.name if t.parent else None, t.synonyms)
        for t in Term.objects.select_related("parent")
    }


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_csv_loads_terms_with_parents_in_any_order(db, tmp_path, encoding):
    assert run(write(tmp_path, CSV, encoding=encoding)) == "用語を作成 5 件、更新 0 件。"
    assert vocabulary() == {
        "花き栽培": ("かきさいばい", "interest", "農作業", "花づくり、園芸"),
        "農作業": ("のうさぎょう", "interest", None, ""),
        "見守り": ("みまもり", "need", None, ""),
        "車いす対応": ("くるまいすたいおう", "accommodation", None, ""),
        "高齢者": ("こうれいしゃ", "audience", None, ""),
    }


def test_reimport_updates_by_name(db, tmp_path):
    run(write(tmp_path, CSV))
    changed = CSV.replace("花づくり、園芸", "ガーデニング").replace(
        "農作業,のうさぎょう", "農作業,のうさ"
    )
    assert run(write(tmp_path, changed)) == "用語を作成 0 件、更新 5 件。"
    assert Term.objects.count() == 5
    assert vocabulary()["花き栽培"][3] == "ガーデニング"
    assert vocabulary()["農作業"][0] == "のうさ"


def test_japanese_headers_and_json(db, tmp_path):
    run(write(tmp_path, "名前,よみ,種別,上位語\r\n料理,りょうり,関心・活動,\r\n"))
    terms = [
        {"name": "郷土料理", "kind": "interest", "parent": "料理", "synonyms": "島料理,伝統料理"},
        {"name": "ｶﾌｪ", "kind": "関心・活動"},  # half-width kana, stored normalised
    ]
    path = write(tmp_path, json.dumps({"terms": terms}, ensure_ascii=False), "terms.json")
    assert run(path) == "用語を作成 2 件、更新 0 件。"
    assert vocabulary()["郷土料理"] == ("", "interest", "料理", "島料理、伝統料理")
    assert "カフェ" in vocabulary()


def test_a_column_left_out_keeps_the_value(db, tmp_path):
    TermFactory(name="料理", kana="りょうり", kind=Term.Kind.INTEREST, synonyms="クッキング")
    run(write(tmp_path, "name,kind\r\n料理,支援ニーズ\r\n"))
    assert vocabulary()["料理"] == ("りょうり", "need", None, "クッキング")


def test_every_error_is_listed_and_nothing_is_written(db, tmp_path):
    TermFactory(name="農作業", slug="farming")
    text = (
        "name,kind,parent\r\n"
        "花き栽培,趣味,農作業\r\n"  # unknown kind
        "菊づくり,,ない語\r\n"  # unknown parent
        "甲,,乙\r\n"  # 甲 → 乙 → 甲: a loop
        "乙,,甲\r\n"
        "丙,,丙\r\n"  # its own parent
        "甲,,\r\n"  # the same name twice
        ",,農作業\r\n"  # no name
    )
    assert rejected(write(tmp_path, text)) == [
        "2行目 列「kind」: 「趣味」は選べる値ではありません"
        "（関心・活動、支援ニーズ、対象、配慮）。",
        "6行目 列「parent」: 自分自身を上位語にはできません。",
        "7行目 列「name」: 「甲」は4行目にもあります。",
        "8行目 列「name」: 必須です。",
    ]
    assert Term.objects.count() == 1
    text = "name,parent\r\n菊づくり,ない語\r\n甲,乙\r\n乙,甲\r\n"
    assert rejected(write(tmp_path, text)) == [
        "2行目 列「parent」: 「ない語」はファイルにも用語集にもありません。",
        f"3行目 列「parent」: 「甲」{LOOP}",
        f"4行目 列「parent」: 「乙」{LOOP}",
    ]
    assert Term.objects.count() == 1


def test_a_loop_through_terms_already_loaded_is_refused(db, tmp_path):
    farming = TermFactory(name="農作業", slug="farming")
    TermFactory(name="花き栽培", slug="flowers", parent=farming)
    errors = rejected(write(tmp_path, "name,parent\r\n農作業,花き栽培\r\n"))
    assert errors == [f"2行目 列「parent」: 「農作業」{LOOP}"]
    assert Term.objects.get(name="農作業").parent is None


def test_dry_run_writes_nothing(db, tmp_path):
    output = run(write(tmp_path, CSV), "--dry-run")
    assert output == "用語を作成 5 件、更新 0 件。 （試行のみ: 何も書き込んでいません）"
    assert not Term.objects.exists()


def test_bad_json_items_are_located(db, tmp_path):
    items = [{"name": "料理", "kind": 3}, {"名前": "掃除", "色": "青"}, "文字列"]
    path = write(tmp_path, json.dumps(items, ensure_ascii=False), "terms.json")
    assert rejected(path) == [
        "1件目 項目「kind」: 文字列にしてください。",
        "2件目 項目「色」: この項目は使えません。",
        "3件目 項目「-」: オブジェクトにしてください。",
    ]
