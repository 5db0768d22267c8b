"""import_clients: UTF-8 (BOM or not) and CP932, all or nothing, Japanese errors with row and
column, idempotent by external ID, scoped to a team the importer works in."""

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from matching.imports import parse_record_date
from matching.models import Client, ClientLogEntry, Consent, SupportPlan
from resources.models import Term
from tests.resources.factories import AreaFactory, TermFactory

from .factories import ClientFactory

pytestmark = pytest.mark.django_db

HEADER = (
    "外部ID,氏名,ふりがな,生年,性別,分野,地区,関心,必要な支援,配慮,参加できる時間,"
    "移動距離km,送迎が必要,希望,状況,備考"
)
GOOD = [
    "W-001,和泊 一郎,わどまり いちろう,１９４５,男性,高齢,和泊,農作業,居場所,車いす,水朝、金昼,"
    "２.５,○,少人数・見学から,相談中,一人暮らし",
    "W-002,内城 花子,うちじろ はなこ,,女性,子ども・生活困窮,内城,,,,土朝,,×,,支援中,",
]


@pytest.fixture(autouse=True)
def vocabulary(db):
    AreaFactory(name="和泊", kana="わどまり")
    AreaFactory(name="内城", kana="うちじろ")
    TermFactory(name="農作業", kind=Term.Kind.INTEREST)
    TermFactory(name="居場所", kind=Term.Kind.NEED)
    TermFactory(name="車いす", kind=Term.Kind.ACCOMMODATION, synonyms="車椅子")


def write(tmp_path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path = tmp_path / "clients.csv"
    path.write_bytes("\r\n".join([HEADER, *lines]).encode(encoding))
    return path


def run(path: Path, *args: str) -> str:
    out = io.StringIO()
    call_command("import_clients", str(path), *args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_imports_every_encoding_excel_writes(tmp_path, team_a, encoding):
    output = run(write(tmp_path, GOOD, encoding), "--team", team_a.name)
    assert "2" in output
    ichiro = Client.objects.get(external_id="W-001")
    assert (ichiro.name, ichiro.kana, ichiro.birth_year, ichiro.gender) == (
        "和泊 一郎", "わどまり いちろう", 1945, "male"
    )  # fmt: skip
    assert ichiro.field_elderly and not ichiro.field_children
    assert ichiro.area.name == "和泊"
    assert [t.name for t in ichiro.interests.all()] == ["農作業"]
    assert [t.name for t in ichiro.needs.all()] == ["居場所"]
    assert [t.name for t in ichiro.accommodations.all()] == ["車いす"]
    assert ichiro.availability == ["2-morning", "4-afternoon"]
    assert float(ichiro.max_distance_km) == 2.5
    assert ichiro.needs_pickup and ichiro.prefers_small_group and ichiro.wants_visit_first
    assert (ichiro.status, ichiro.notes, ichiro.team) == ("consulting", "一人暮らし", team_a)
    hanako = Client.objects.get(external_id="W-002")
    assert hanako.field_children and hanako.field_poverty and hanako.status == "supporting"
    assert ichiro.reference_code and ichiro.reference_code != hanako.reference_code


def test_importing_again_updates_by_external_id(tmp_path, team_a):
    run(write(tmp_path, GOOD), "--team", team_a.name)
    codes = dict(Client.objects.values_list("external_id", "reference_code"))
    changed = [GOOD[0].replace("相談中", "支援中"), GOOD[1]]
    output = run(write(tmp_path, changed), "--team", team_a.name)
    assert "0" in output and Client.objects.count() == 2
    assert Client.objects.get(external_id="W-001").status == "supporting"
    assert dict(Client.objects.values_list("external_id", "reference_code")) == codes


def test_a_bad_file_imports_nothing_and_lists_every_error(tmp_path, team_a):
    bad = [
        GOOD[0],
        "W-003,,,,,高齢,喜界,農作業,,,水朝,,,,,",
        "W-004,名前あり,,1850,不明,高齢者・その他,和泊,居場所,,,火夜中,abc,たぶん,,,",
        "W-001,重複,,,,,,,,,,,,,,",
    ]
    with pytest.raises(CommandError) as error:
        run(write(tmp_path, bad), "--team", team_a.name)
    message = str(error.value)
    for expected in (
        "3行目",  # the row as Excel numbers it (header = 1)
        "「氏名」",
        "喜界",
        "1850",
        "不明",
        "「関心」",
        "火夜中",
        "abc",
        "たぶん",
        "5行目",
    ):
        assert expected in message, expected
    assert not Client.objects.exists()


def test_unknown_and_missing_columns_are_refused(tmp_path, team_a):
    path = tmp_path / "clients.csv"
    path.write_text("外部ID,なまえ\nW-1,誰か\n", encoding="utf-8")
    with pytest.raises(CommandError) as error:
        run(path, "--team", team_a.name)
    assert "なまえ" in str(error.value) and "氏名" in str(error.value)


def test_an_external_id_of_another_team_is_refused(tmp_path, team_a, team_b):
    ClientFactory(team=team_b, external_id="W-001")
    with pytest.raises(CommandError) as error:
        run(write(tmp_path, GOOD), "--team", team_a.name)
    assert "W-001" in str(error.value)
    assert Client.objects.count() == 1


def test_the_team_is_required_and_must_be_the_importers(tmp_path, team_a, other_coordinator):
    path = write(tmp_path, GOOD)
    with pytest.raises(CommandError):
        run(path)
    with pytest.raises(CommandError):
        run(path, "--team", team_a.name, "--by", other_coordinator.username)
    with pytest.raises(CommandError):
        run(path, "--team", "存在しないチーム")
    assert not Client.objects.exists()


def test_a_dry_run_writes_nothing(tmp_path, team_a):
    output = run(write(tmp_path, GOOD), "--team", team_a.name, "--dry-run")
    assert "2" in output
    assert not Client.objects.exists()
    assert not ClientLogEntry.objects.exists()


def test_every_imported_client_is_in_the_audit_log(tmp_path, team_a, coordinator):
    run(write(tmp_path, GOOD), "--team", team_a.name, "--by", coordinator.username)
    entries = ClientLogEntry.objects.filter(action="matching.client.import", user=coordinator)
    assert entries.count() == 2
    assert {e.label for e in entries} == set(
        Client.objects.values_list("reference_code", flat=True)
    )


# --- consent, support plans, synonyms (a town moving from Excel) --------------------------------

WITH_CONSENT = (
    "外部ID,氏名,配慮,関心,同意,同意日,同意の方法,同意の範囲,同意の備考,"
    "支援計画の目標,支援内容,支援会議の日,会議の参加機関,見直し予定日"
)


def write_consent(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "clients.csv"
    path.write_text("\r\n".join([WITH_CONSENT, *lines]), encoding="utf-8")
    return path


CONSENTED = [
    "W-101,和泊 一郎,車椅子,,同意あり,2026/4/1,書面,受け入れ先への要約の提供,,"
    "週に一度外出する,社協が送迎を調整,令和8年4月10日,地域包括支援センター、社会福祉協議会,2027-03-31",
    "W-102,内城 花子,,,同意撤回,R8.5.1,電話,,本人から電話で撤回,,,,,",
    "W-103,国頭 次郎,,,支援会議のみ,2026-04-01,,,,,,,,",
]


def test_consent_and_plan_columns_are_recorded_as_in_the_admin(tmp_path, team_a, coordinator):
    output = run(write_consent(tmp_path, CONSENTED), "--team", team_a.name)
    assert "3" in output
    ichiro = Client.objects.get(external_id="W-101")
    latest = ichiro.latest_consent()
    assert (latest.stage, latest.obtained_on, latest.method) == (
        Consent.Stage.CONSENTED, dt.date(2026, 4, 1), Consent.Method.WRITTEN
    )  # fmt: skip
    assert latest.scope == "受け入れ先への要約の提供"
    assert latest.allows_placement
    plan = ichiro.current_plan()
    assert (plan.goals, plan.support_details, plan.meeting_date, plan.review_due) == (
        "週に一度外出する", "社協が送迎を調整", dt.date(2026, 4, 10), dt.date(2027, 3, 31)
    )  # fmt: skip
    assert plan.organisation_list() == ["地域包括支援センター", "社会福祉協議会"]
    assert plan.status == SupportPlan.Status.AGREED
    assert [t.name for t in ichiro.accommodations.all()] == ["車いす"]  # by its synonym
    withdrawn = Client.objects.get(external_id="W-102").latest_consent()
    assert (withdrawn.stage, withdrawn.obtained_on, withdrawn.note) == (
        Consent.Stage.WITHDRAWN, dt.date(2026, 5, 1), "本人から電話で撤回"
    )  # fmt: skip
    meeting = Client.objects.get(external_id="W-103").latest_consent()
    assert meeting.stage == Consent.Stage.SUPPORT_MEETING and not meeting.allows_placement


def test_importing_the_same_consent_again_adds_no_record(tmp_path, team_a):
    path = write_consent(tmp_path, CONSENTED)
    run(path, "--team", team_a.name)
    counts = (Consent.objects.count(), SupportPlan.objects.count())
    run(path, "--team", team_a.name)
    assert (Consent.objects.count(), SupportPlan.objects.count()) == counts
    later = [CONSENTED[0].replace("2026/4/1", "2026/6/1"), *CONSENTED[1:]]
    run(write_consent(tmp_path, later), "--team", team_a.name)
    ichiro = Client.objects.get(external_id="W-101")
    assert ichiro.consents.count() == 2
    assert ichiro.latest_consent().obtained_on == dt.date(2026, 6, 1)


def test_consent_rows_break_the_admins_rules_and_nothing_is_written(tmp_path, team_a):
    bad = [
        "W-201,一,,,同意あり,2026-04-01,面談,,,,,,,",  # no scope
        "W-202,二,,,同意撤回,2026-04-01,,,,,,,,",  # no reason
        "W-203,三,,,たぶん,2026-13-01,ファクス,,,,,,,",
        "W-204,四,,,同意あり,,面談,範囲,,,支援内容だけ,,,",  # no date; a plan without goals
        "W-205,五,,,同意あり,2999-01-01,面談,範囲,,,,,,",
    ]
    with pytest.raises(CommandError) as error:
        run(write_consent(tmp_path, bad), "--team", team_a.name)
    message = str(error.value)
    for expected in (
        "2行目 列「同意の範囲」: 本人が同意した内容（範囲）を記録してください。",
        "3行目 列「同意の備考」: 撤回の理由を記入してください。",
        "4行目 列「同意」",
        "たぶん",
        "2026-13-01",
        "ファクス",
        "5行目 列「同意日」",
        "5行目 列「支援計画の目標」",
        "6行目 列「同意日」",
    ):
        assert expected in message, (expected, message)
    assert not Client.objects.exists() and not Consent.objects.exists()


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2026-04-01", dt.date(2026, 4, 1)),
        ("2026/4/1", dt.date(2026, 4, 1)),
        ("２０２６年４月１日", dt.date(2026, 4, 1)),
        ("令和8年4月1日", dt.date(2026, 4, 1)),
        ("R8.4.1", dt.date(2026, 4, 1)),
        ("令和元年5月1日", dt.date(2019, 5, 1)),
        ("H31.4.30", dt.date(2019, 4, 30)),
    ],
)
def test_dates_as_towns_write_them(written, expected):
    assert parse_record_date(written) == expected


def test_a_synonym_or_kana_is_accepted_and_only_an_unknown_word_blames_the_vocabulary(
    tmp_path, team_a
):
    TermFactory(name="三線", kana="さんしん", kind=Term.Kind.INTEREST)
    lines = [
        "W-301,一,車椅子,サンシン,,,,,,,,,,",  # synonym; katakana reading
        "W-302,二,,車いす,,,,,,,,,,",  # a term, of another kind
        "W-303,三,,囲碁,,,,,,,,,,",  # unknown, nothing like it
        "W-304,四,車いすの,,,,,,,,,,,",  # unknown, something like it
    ]
    with translation.override("ja"), pytest.raises(CommandError) as error:
        run(write_consent(tmp_path, lines), "--team", team_a.name)
    message = str(error.value)
    assert "2行目" not in message
    assert "3行目 列「関心」: 「車いす」は別の種別（配慮）の用語です。" in message
    assert "「囲碁」は用語集にありません。先に import_vocabulary で加えてください。" in message
    assert "「車いすの」は用語集にありません（近い用語: 車いす）" in message
