"""``import_areas`` / ``export_areas``: districts as Excel saves them, checked row by row."""

from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from resources.models import Area

pytestmark = pytest.mark.django_db

GOOD = (
    "名称,かな,緯度,経度,コード\r\n"
    "和泊,わどまり,27.392280,128.655470,001\r\n"
    "手々知名,ﾃﾃﾞﾁﾅ,２７．３９６２,１２８．６５１３,\r\n"  # half-width kana, full-width digits
)


def write(tmp_path: Path, text: str, encoding: str = "utf-8", name: str = "地区.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def rows() -> list[tuple]:
    return list(Area.objects.values_list("name", "kana", "latitude", "longitude", "code", "order"))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_imports_utf8_with_or_without_bom_and_cp932(tmp_path, encoding):
    message = run("import_areas", str(write(tmp_path, GOOD, encoding)))
    assert message.strip() == "地区を新規 2 件、更新 0 件取り込みました（変更なし 0 件）。"
    assert rows() == [
        ("和泊", "わどまり", Decimal("27.392280"), Decimal("128.655470"), "001", 1),
        ("手々知名", "テデチナ", Decimal("27.396200"), Decimal("128.651300"), "", 2),
    ]


def test_export_then_import_round_trips_identically(tmp_path):
    run("import_areas", str(write(tmp_path, GOOD)))
    Area.objects.create(
        name="伊延", kana="いのべ", latitude="27.3986", longitude="128.6624", order=3
    )
    first = tmp_path / "first.csv"
    run("export_areas", "--output", str(first))
    before = rows()
    message = run("import_areas", str(first))
    assert message.strip() == "地区を新規 0 件、更新 0 件取り込みました（変更なし 3 件）。"
    assert rows() == before
    second = tmp_path / "second.csv"
    run("export_areas", "--output", str(second))
    assert second.read_bytes() == first.read_bytes()
    assert first.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel opens it as UTF-8
    assert run("export_areas").splitlines()[1] == "和泊,わどまり,27.392280,128.655470,001"


def test_a_re_import_updates_by_name(tmp_path):
    run("import_areas", str(write(tmp_path, GOOD)))
    changed = GOOD.replace("27.392280", "27.4")
    message = run("import_areas", str(write(tmp_path, changed)))
    assert message.strip() == "地区を新規 0 件、更新 1 件取り込みました（変更なし 1 件）。"
    assert Area.objects.get(name="和泊").latitude == Decimal("27.400000")


def test_every_bad_row_is_reported_and_nothing_is_written(tmp_path):
    Area.objects.create(name="既存", latitude=1, longitude=1)
    before = rows()
    text = (
        "名称,かな,緯度,経度\r\n"
        "和泊,わどまり,91,128.6\r\n"
        ",てでちな,27.39,東\r\n"
        "和泊,わどまり,27.39,-181\r\n"
        "伊\x00延,いのべ,,128.6\r\n"
    )
    with pytest.raises(CommandError) as failure:
        run("import_areas", str(write(tmp_path, text)))
    first, *errors = str(failure.value).splitlines()
    assert first == "何も取り込んでいません。次の点を直してからもう一度実行してください:"
    assert errors == [
        "2行目 列「緯度」: 91 は −90〜90 の範囲外です。",
        "3行目 列「名称」: 必須です。",
        "3行目 列「経度」: 「東」は数値ではありません。",
        "4行目 列「名称」: 同じ地区が2行目にもあります。",
        "4行目 列「経度」: -181 は −180〜180 の範囲外です。",
        "5行目 列「名称」: 制御文字や改行は使えません。",
        "5行目 列「緯度」: 必須です。",
    ]
    assert rows() == before


def test_missing_and_unknown_columns(tmp_path):
    with pytest.raises(CommandError) as failure:
        run("import_areas", str(write(tmp_path, "名称,よみがな,緯度\r\n和泊,わどまり,27\r\n")))
    assert str(failure.value).splitlines()[1:] == [
        "1行目 列「経度」: この列は必須です。",
        "1行目 列「よみがな」: この列は使えません。",
    ]


def test_dry_run_writes_nothing(tmp_path):
    message = run("import_areas", str(write(tmp_path, GOOD)), "--dry-run")
    assert message.startswith("地区を新規 2 件")
    assert message.strip().endswith("（試行のみ: 何も書き込んでいません）")
    assert not Area.objects.exists()
