"""``import_directory`` and ``export_directory``: CSV as Excel saves it, HSDS JSON, all or nothing,
re-imports that update, and a round trip that gives back the same documents."""

import copy
import csv
import datetime as dt
import io
import json
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from wagtail.models import Page

from resources.importing.directory_csv import COLUMNS
from resources.models import (
    ActivityPage,
    DirectoryIndexPage,
    ListingPage,
    Organization,
    PlacePage,
    Term,
)

from .factories import AreaFactory, TermFactory, directory_page
from .hsds_fixtures import build_directory, require_hsds

TEMPLATE = Path(__file__).parents[2] / "resources" / "import_templates" / "directory_template.csv"

ROW = {
    "活動ID": "A-001",
    "活動名": "喜美留 子ども食堂",
    "活動名よみ": "きびる こどもしょくどう",
    "概要": "地域の子どもと大人が一緒に夕ごはんを食べます。",
    "曜日": "土",
    "週": "第2・第4",
    "開始時刻": "17:00",
    "終了時刻": "19:00",
    "費用": "寄付",
    "対象": "子ども・どなたでも",
    "設備・配慮": "段差なし・駐車場",
    "タグ": "料理、子ども食堂",
    "参加しやすさ": "見学可",
    "参加支援の受け入れ": "○",
    "受け入れ人数": "2",
    "最終確認日": "2025/4/1",
    "場所ID": "P-001",
    "場所名": "喜美留公民館",
    "地区": "喜美留",
    "住所": "和泊町喜美留123",
    "緯度": "27.409",
    "経度": "128.657",
    "団体ID": "O-001",
    "団体名": "喜美留自治会",
    "団体種別": "自治会・集落",
}
SECOND = {
    "活動ID": "A-002",
    "活動名": "ゆんぬ体操",
    "曜日": "月・木",
    "開始時刻": "１０：００",  # full-width, as typed with a Japanese IME
    "終了時刻": "11時半",
    "場所ID": "P-001",
    "団体名": "喜美留自治会",
    "団体ID": "O-001",
}


def csv_text(*rows: dict[str, str], columns=tuple(COLUMNS)) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def write(tmp_path: Path, text: str, encoding: str = "utf-8", name: str = "活動一覧.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def run(path: Path, *args: str) -> str:
    out = StringIO()
    call_command("import_directory", str(path), *args, stdout=out, stderr=StringIO())
    return out.getvalue().strip()


def rejected(path: Path, *args: str) -> list[str]:
    with pytest.raises(CommandError) as failure:
        run(path, *args)
    first, *errors = str(failure.value).splitlines()
    assert first == "何も取り込んでいません。次の点を直してからもう一度実行してください:"
    return errors


def counts() -> tuple[int, int, int]:
    return (
        ActivityPage.objects.count(),
        PlacePage.objects.count(),
        Organization.objects.count(),
    )


@pytest.fixture
def town(db) -> None:
    """What a town loads before its directory: districts, vocabulary, the directory page."""
    directory_page()
    AreaFactory(name="喜美留", kana="きびる")
    AreaFactory(name="和泊", kana="わどまり")
    TermFactory(name="料理", slug="cooking")
    TermFactory(name="子ども食堂", slug="canteen")


def test_template_has_exactly_the_documented_columns():
    text = TEMPLATE.read_text(encoding="utf-8-sig")
    assert next(csv.reader(io.StringIO(text))) == list(COLUMNS)
    readme = (TEMPLATE.parent / "README.md").read_text(encoding="utf-8")
    for column in COLUMNS:
        assert column in readme


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_csv_in_any_excel_encoding_creates_drafts(town, tmp_path, encoding):
    output = run(write(tmp_path, csv_text(ROW, SECOND), encoding))
    assert output == "作成: 運営団体 1、居場所 1、活動 2。更新: 0。"
    canteen = ActivityPage.objects.get(external_id="A-001")
    assert canteen.title == "喜美留 子ども食堂" and not canteen.live
    assert canteen.has_unpublished_changes and canteen.latest_revision is not None
    assert canteen.place.title == "喜美留公民館" and canteen.place.external_id == "P-001"
    assert canteen.area.name == "喜美留"  # copied from the place
    assert canteen.place.latitude == Decimal("27.409000")
    assert canteen.organization.name == "喜美留自治会"
    assert canteen.organization.kind == Organization.Kind.NEIGHBOURHOOD
    assert canteen.cost == ListingPage.Cost.DONATION
    assert (canteen.for_children, canteen.for_everyone, canteen.for_elderly) == (True, True, False)
    assert (canteen.barrier_free, canteen.parking, canteen.tour_ok) == (True, True, True)
    assert (canteen.accepts_placements, canteen.placement_capacity) == (True, 2)
    assert canteen.assured_date == dt.date(2025, 4, 1)
    assert sorted(t.name for t in canteen.tags.all()) == ["子ども食堂", "料理"]
    (rule,) = canteen.schedule_rules.all()
    assert (rule.weekday, rule.weeks_of_month, rule.opens_at) == (5, "2,4", dt.time(17))
    exercise = ActivityPage.objects.get(external_id="A-002")
    assert exercise.place_id == canteen.place_id
    assert [(r.weekday, r.opens_at, r.closes_at) for r in exercise.schedule_rules.all()] == [
        (0, dt.time(10), dt.time(11, 30)),
        (3, dt.time(10), dt.time(11, 30)),
    ]


def test_live_publishes_and_dry_run_writes_nothing(town, tmp_path):
    path = write(tmp_path, csv_text(ROW))
    assert run(path, "--dry-run").endswith("（試行のみ: 何も書き込んでいません）")
    assert counts() == (0, 0, 0)
    run(path, "--live")
    assert ActivityPage.objects.live().filter(external_id="A-001").exists()
    assert PlacePage.objects.live().count() == 1


def test_reimport_updates_instead_of_duplicating(town, tmp_path):
    run(write(tmp_path, csv_text(ROW, SECOND)), "--live")
    changed = {**ROW, "活動名": "喜美留こども食堂", "タグ": "料理", "曜日": "日"}
    output = run(write(tmp_path, csv_text(changed, SECOND)), "--live")
    assert output == "作成: 0。更新: 活動 1。 変更なし: 運営団体 1、居場所 1、活動 1。"
    assert counts() == (2, 1, 1)
    canteen = ActivityPage.objects.get(external_id="A-001")
    assert canteen.title == "喜美留こども食堂"
    assert [t.name for t in canteen.tags.all()] == ["料理"]
    assert [r.weekday for r in canteen.schedule_rules.all()] == [6]


def test_a_column_left_out_leaves_the_field_alone(town, tmp_path):
    run(write(tmp_path, csv_text(ROW)), "--live")
    run(
        write(
            tmp_path,
            csv_text(
                {"活動ID": "A-001", "活動名": "喜美留 子ども食堂"}, columns=["活動ID", "活動名"]
            ),
        ),
        "--live",
    )
    canteen = ActivityPage.objects.get(external_id="A-001")
    assert canteen.place is not None and canteen.organization is not None
    assert canteen.tags.count() == 2 and canteen.schedule_rules.count() == 1


def test_every_error_is_listed_and_nothing_is_written(town, tmp_path):
    bad = [
        {**ROW, "地区": "存在しない地区", "開始時刻": "25:00"},
        {"活動ID": "A-003", "活動名": "体操", "曜日": "月曜x", "緯度": "95", "経度": "128"},
        {"活動ID": "A-001", "活動名": "", "タグ": "未登録のタグ", "参加支援の受け入れ": "たぶん"},
        {**SECOND, "活動ID": "A-004", "住所": "別の住所"},
    ]
    errors = rejected(write(tmp_path, csv_text(*bad)))
    assert errors == [
        "2行目 列「開始時刻」: 「25:00」は時刻として正しくありません。",
        "2行目 列「地区」: 「存在しない地区」という地区はありません。"
        "先に町の地区を読み込んでください。",
        "3行目 列「曜日」: 「月曜x」は曜日ではありません。月 火 水 木 金 土 日 で書いてください。",
        "3行目 列「開始時刻」: 時刻も入れてください。",
        "3行目 列「終了時刻」: 時刻も入れてください。",
        "3行目 列「緯度」: 95 は −90〜90 の範囲外です。",
        "4行目 列「曜日」: 曜日も入れてください。",
        "4行目 列「タグ」: 同じIDの2行目と内容が違います。"
        "時間帯を足す行には、活動IDと日程の列だけを書いてください。",
        "4行目 列「参加支援の受け入れ」: 同じIDの2行目と内容が違います。"
        "時間帯を足す行には、活動IDと日程の列だけを書いてください。",
        "5行目 列「住所」: 同じ居場所の前の行と内容が違います。",
    ]
    assert counts() == (0, 0, 0)


def test_unknown_columns_and_undecodable_files_are_refused(town, tmp_path):
    errors = rejected(write(tmp_path, "活動ID,活動名,曜日です\r\nA-1,体操,月\r\n"))
    assert errors == [
        "1行目 列「曜日です」: この列は使えません。テンプレートの見出しを確認してください。"
    ]
    errors = rejected(write(tmp_path, "", name="empty.csv"))
    assert errors == ["ファイルが空です。"]
    path = tmp_path / "broken.csv"
    path.write_bytes("活動ID,活動名\r\n".encode() + b"\x81\x20\xef\xbf\r\n")
    assert rejected(path) == [
        "ファイルの文字コードが UTF-8 でも Shift_JIS（CP932）でもありません。"
        "Excel では「CSV UTF-8（コンマ区切り）」で保存してください。"
    ]


def test_refuses_without_a_directory_page(db, tmp_path):
    assert rejected(write(tmp_path, csv_text({"活動ID": "A", "活動名": "体操"}))) == [
        "「居場所・活動をさがす」のページがありません。取り込む前に管理画面で作成してください。"
    ]


def test_progress_bar_on_request(town, tmp_path):
    err = StringIO()
    path = write(tmp_path, csv_text(ROW, SECOND))
    call_command("import_directory", str(path), "--progress", stdout=StringIO(), stderr=err)
    assert err.getvalue().endswith("] 4/4\n")


# --- HSDS JSON ------------------------------------------------------------------------------


def _without_last_modified(document):
    """The one field that legitimately differs: when this installation published the page."""
    if isinstance(document, dict):
        return {k: _without_last_modified(v) for k, v in document.items() if k != "last_modified"}
    if isinstance(document, list):
        return [_without_last_modified(v) for v in document]
    return document


def _export(tmp_path: Path, name: str) -> tuple[Path, dict]:
    path = tmp_path / name
    call_command("export_directory", output=path, stderr=StringIO())
    return path, json.loads(path.read_text(encoding="utf-8"))


def test_round_trip_gives_the_same_documents(db, tmp_path):
    build_directory()
    path, first = _export(tmp_path, "first.json")
    for page in ListingPage.objects.all():
        page.delete()
    Organization.objects.all().delete()
    Term.objects.all().delete()
    assert run(path, "--live") == "作成: 運営団体 2、用語 4、居場所 2、活動 3。更新: 0。"
    _, second = _export(tmp_path, "second.json")
    assert _without_last_modified(second) == _without_last_modified(first)


def test_reimporting_an_export_changes_nothing(db, tmp_path):
    build_directory()
    path, first = _export(tmp_path, "first.json")
    before = counts()
    assert (
        run(path, "--live") == "作成: 0。更新: 0。 変更なし: 運営団体 2、用語 4、居場所 2、活動 3。"
    )
    assert counts() == before
    _, second = _export(tmp_path, "second.json")
    assert _without_last_modified(second) == _without_last_modified(first)


def test_export_writes_to_stdout_by_default(db):
    build_directory()
    out = StringIO()
    call_command("export_directory", stdout=out)
    document = json.loads(out.getvalue())
    assert [s["name"] for s in document["services"]] == [
        "出張サロン",
        "喜美留 子ども食堂",
        "花づくりクラブ",
    ]
    assert "準備中の活動" not in out.getvalue()  # drafts are not open data


def _official_service() -> dict:
    """examples/service_full.json, with the values Tsunagu cannot hold made holdable."""
    service = json.loads((require_hsds() / "examples" / "service_full.json").read_text())
    location = service["service_at_locations"][0]["location"]
    location.update(latitude=27.39, longitude=128.65)
    location["addresses"][0]["region"] = "和泊"
    service["organization"]["legal_status"] = "NPO"
    service["organization"]["locations"] = []  # the same place again, as in the original
    for schedule in [service, *service["service_at_locations"], location]:
        for rule in schedule.get("schedules", []):
            for name in ("byweekno", "bymonthday", "byyearday", "count", "until", "dtstart"):
                rule.pop(name)
            rule.pop("notes")  # with the description, longer than a schedule note may be
    return service


def test_imports_services_shaped_like_the_official_examples(town, tmp_path):
    TermFactory(name="name", slug="name")  # the example's attribute term, as if loaded
    service = _official_service()
    path = write(tmp_path, json.dumps([service]), name="services.json")
    assert run(path) == "作成: 運営団体 1、居場所 1、活動 1。更新: 0。"
    activity = ActivityPage.objects.get(hsds_id=service["id"])
    assert activity.title == "Community Counselling"
    assert activity.place.title == "MyCity Civic Center"
    assert activity.place.area.name == "和泊"
    assert activity.organization.kind == Organization.Kind.NPO
    assert [(r.weekday, r.opens_at) for r in activity.schedule_rules.all()] == [
        (3, dt.time(10)),
        (4, dt.time(10)),
    ]
    assert [t.name for t in activity.tags.all()] == ["name"]


def test_imports_an_organization_with_its_services(town, tmp_path):
    TermFactory(name="name", slug="name")
    organization = json.loads((require_hsds() / "examples" / "organization_full.json").read_text())
    organization["legal_status"] = "NPO"
    organization["locations"] = []
    organization["services"] = [_official_service()]
    path = write(tmp_path, json.dumps(organization), name="organization.json")
    assert run(path) == "作成: 運営団体 1、居場所 1、活動 1。更新: 0。"
    assert Organization.objects.get(uuid=organization["id"]).name == "Example Organization Inc."


def test_invalid_json_is_refused(town, tmp_path):
    assert rejected(write(tmp_path, '{"services": [', name="x.json")) == [
        "JSONとして読めません（1行目）: Expecting value"
    ]


def test_import_creates_pages_under_the_directory(town, tmp_path):
    run(write(tmp_path, csv_text(ROW)))
    directory = DirectoryIndexPage.objects.get()
    assert set(Page.objects.child_of(directory).values_list("title", flat=True)) == {
        "喜美留 子ども食堂",
        "喜美留公民館",
    }


def test_a_second_copy_of_a_place_with_other_content_is_refused(db, tmp_path):
    build_directory()
    path, document = _export(tmp_path, "first.json")
    document = copy.deepcopy(document)
    document["locations"][0]["name"] = "別の名前"
    path.write_text(json.dumps(document), encoding="utf-8")
    errors = rejected(path)
    assert any("同じIDが前にも別の内容で出てきます。" in error for error in errors)


def test_a_service_no_longer_active_is_unpublished(db, tmp_path):
    directory = build_directory()
    path, document = _export(tmp_path, "first.json")
    service = next(s for s in document["services"] if s["id"] == str(directory.salon.hsds_id))
    service["status"] = "defunct"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    run(path, "--live")
    assert not ActivityPage.objects.get(pk=directory.salon.pk).live
    assert ActivityPage.objects.get(pk=directory.canteen.pk).live


def test_text_longer_than_its_field_is_refused_before_writing(town, tmp_path):
    errors = rejected(write(tmp_path, csv_text({**ROW, "活動名": "長" * 256})))
    assert errors == ["2行目: 「タイトル」は255文字以内にしてください。"]
    assert counts() == (0, 0, 0)
