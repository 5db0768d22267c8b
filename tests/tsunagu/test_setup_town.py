"""``manage.py setup_town``: a real town's site from a small file, on an empty database."""

import csv
import io
import shutil
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from wagtail.models import GroupPagePermission, Page, Site, WorkflowPage

from events.models import EventIndexPage
from matching.models import Team
from resources.models import Area, DirectoryIndexPage, ListingPage, Organization
from tsunagu.models import HomePage, TownSettings
from volunteers.models import VolunteerIndexPage

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "deploy" / "town.example.toml"

pytestmark = pytest.mark.django_db


def run(path: Path) -> list[str]:
    out = StringIO()
    call_command("setup_town", str(path), stdout=out, stderr=StringIO())
    return out.getvalue().strip().splitlines()


def refused(path: Path) -> list[str]:
    with pytest.raises(CommandError) as failure:
        run(path)
    first, *errors = str(failure.value).splitlines()
    assert (
        first
        == "何も設定していません。町の設定ファイルの次の点を直してからもう一度実行してください:"
    )
    return errors


def write(tmp_path: Path, text: str, name: str = "town.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def snapshot() -> dict:
    """Every row setup_town writes, as values: two equal snapshots mean nothing changed."""
    return {
        "pages": list(
            Page.objects.order_by("path").values_list(
                "path", "slug", "title", "live", "latest_revision_id", "content_type__model"
            )
        ),
        "sites": list(Site.objects.values_list("hostname", "port", "root_page_id")),
        "settings": list(TownSettings.objects.values()),
        "areas": list(Area.objects.order_by("pk").values()),
        "teams": list(Team.objects.order_by("name").values()),
        "groups": sorted(
            (group.name, sorted(group.permissions.values_list("codename", flat=True)))
            for group in Group.objects.all()
        ),
        "page_permissions": GroupPagePermission.objects.count(),
        "workflow_pages": WorkflowPage.objects.count(),
    }


def test_the_example_sets_up_a_site_that_answers_with_no_sample_content(client):
    lines = run(EXAMPLE)
    assert lines[-1] == "町を設定しました。"
    assert "ページ「居場所・活動をさがす」を用意しました。" in lines
    home = HomePage.objects.get()
    assert home.title == "つなぐ 和泊町"
    site = Site.objects.get(is_default_site=True)
    assert (site.hostname, site.root_page_id) == ("tsunagu.town.example.jp", home.pk)
    assert not Page.objects.filter(slug="home", depth=2).exists()  # Wagtail's welcome page
    settings = TownSettings.for_site(site)
    assert (settings.town_name, settings.town_kana, settings.sample_data) == (
        "和泊町",
        "わどまりちょう",
        False,
    )
    assert list(Area.objects.values_list("name", "kana", "order")) == [
        ("和泊", "わどまり", 1),
        ("手々知名", "てでちな", 2),
    ]
    assert Team.objects.get().kind == Team.Kind.COMMUNITY_SUPPORT_CENTER
    assert {"町職員", "参加支援スタッフ", "ボランティア担当"} <= set(
        Group.objects.values_list("name", flat=True)
    )
    directory = DirectoryIndexPage.objects.get()
    calendar = EventIndexPage.objects.get()
    volunteers = VolunteerIndexPage.objects.get()
    # Staff publish under every index, and the approval workflow covers each of them.
    staff = Group.objects.get(name="町職員")
    for index in (directory, calendar, volunteers):
        assert GroupPagePermission.objects.filter(group=staff, page=index).exists()
        assert WorkflowPage.objects.filter(page=index).exists()
    assert [p.pk for p in home.get_children()] == [directory.pk, calendar.pk, volunteers.pk]
    for url in ("/", directory.url, calendar.url, volunteers.url):
        response = client.get(url)
        assert response.status_code == 200, url
    assert "居場所・活動をさがす" in client.get("/").content.decode()
    # No sample content of any kind.
    assert not ListingPage.objects.exists()
    assert not Organization.objects.exists()
    assert not Area.objects.filter(name__contains="サンプル").exists()


def test_a_second_run_changes_nothing_and_says_so():
    run(EXAMPLE)
    before = snapshot()
    assert run(EXAMPLE) == ["変更はありません。町はすでにこの内容で設定されています。"]
    assert snapshot() == before


def test_an_edited_file_updates_only_what_changed(tmp_path):
    run(EXAMPLE)
    text = EXAMPLE.read_text(encoding="utf-8").replace(
        'office_name = "保健福祉課 地域福祉係"', 'office_name = "福祉課"'
    )
    assert run(write(tmp_path, text)) == ["町の設定を保存しました。", "町を設定しました。"]
    assert TownSettings.objects.get().office_name == "福祉課"


def test_import_directory_works_after_setup_town(tmp_path):
    run(EXAMPLE)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["活動ID", "活動名", "曜日", "開始時刻", "終了時刻", "場所ID", "場所名",
                     "地区", "団体ID", "団体名", "団体種別"])  # fmt: skip
    writer.writerow(["A-1", "ゆんぬ体操", "月", "10:00", "11:00", "P-1", "和泊公民館", "和泊",
                     "O-1", "和泊字自治会", "自治会・集落"])  # fmt: skip
    path = write(tmp_path, out.getvalue(), name="活動一覧.csv")
    call_command("import_directory", str(path), "--live", stdout=StringIO(), stderr=StringIO())
    activity = ListingPage.objects.get(title="ゆんぬ体操")
    assert activity.get_parent().pk == DirectoryIndexPage.objects.get().pk
    assert activity.specific.area.name == "和泊"


def test_districts_from_a_csv_next_to_the_file(tmp_path):
    (tmp_path / "areas.csv").write_bytes(
        "名称,かな,緯度,経度\r\n国頭,くにがみ,２７.４３,128.66\r\n".encode("cp932")
    )
    text = 'districts_csv = "areas.csv"\n[town]\nname = "知名町"\n[site]\nhostname = "c.jp"\n'
    run(write(tmp_path, text))
    assert list(Area.objects.values_list("name", "latitude")) == [("国頭", Decimal("27.430000"))]


def test_a_bad_file_names_each_key_and_writes_nothing(tmp_path):
    before = snapshot()
    text = """
districts_csv = "missing.csv"
colour = "blue"

[town]
kana = "ちなちょう"
latitude = 95

[site]
hostname = "https://china.example.jp/"

[[teams]]
name = "チーム"
kind = "保健所"

[[teams]]
name = "チーム"
"""
    errors = refused(write(tmp_path, text))
    assert "ファイル 項目「colour」: この項目は使えません。" in errors
    assert "town 項目「name」: 必須です。" in errors
    assert any(e.startswith("town 項目「latitude」: 95 は") for e in errors)
    assert any(
        e.startswith("site 項目「hostname」: 「https://china.example.jp/」はホスト名")
        for e in errors
    )
    assert any(e.startswith("teams[0] 項目「kind」: 「保健所」は") for e in errors)
    assert "teams[1] 項目「name」: このチームが2回書かれています。" in errors
    assert any(e.startswith("districts_csv: ファイル") and "missing.csv" in e for e in errors)
    assert snapshot() == before


def test_a_syntax_error_names_the_line(tmp_path):
    errors = refused(write(tmp_path, '[town]\nname = "和泊町"\nkana = わどまり\n'))
    assert len(errors) == 1 and errors[0].startswith("TOMLとして読めません（3行目 8文字目）")


def test_inline_district_errors_name_the_entry(tmp_path):
    text = EXAMPLE.read_text(encoding="utf-8").replace("longitude = 128.651300", 'longitude = "東"')
    errors = refused(write(tmp_path, text))
    assert errors == ["districts: districts[1] 項目「longitude」: 「東」は数値ではありません。"]
    assert not HomePage.objects.exists()


def test_a_failure_half_way_rolls_everything_back(tmp_path, monkeypatch):
    """One transaction: if the last step fails, the pages made before it are gone too."""
    from tsunagu import town

    def broken(site):
        raise RuntimeError("boom")

    monkeypatch.setattr(town, "ensure_moderation", broken)
    before = snapshot()
    with pytest.raises(RuntimeError):
        run(EXAMPLE)
    assert snapshot() == before


def test_json_town_files_work_too(tmp_path):
    path = write(
        tmp_path,
        '{"town": {"name": "知名町"}, "site": {"hostname": "china.example.jp", "port": 8443},'
        ' "districts": [{"名称": "知名", "緯度": 27.33, "経度": 128.59}]}',
        name="town.json",
    )
    run(path)
    site = Site.objects.get()
    assert (site.hostname, site.port) == ("china.example.jp", 8443)
    assert HomePage.objects.get().title == "つなぐ 知名町"


def test_refuses_the_sample_town(tmp_path):
    call_command("load_demo", stdout=StringIO())
    with pytest.raises(CommandError, match="サンプルの町"):
        run(EXAMPLE)


def test_the_example_file_is_copied_elsewhere_without_its_districts_csv(tmp_path):
    """The example stands alone (inline districts), so an operator can copy it anywhere."""
    copy = tmp_path / "town.toml"
    shutil.copy(EXAMPLE, copy)
    assert run(copy)[-1] == "町を設定しました。"


def test_the_readme_walk_from_an_empty_database_to_a_published_directory(tmp_path, client):
    """README "For a real town", steps 2–4, with the real files the README points to."""
    data = ROOT / "resources" / "demo_data"
    run(EXAMPLE)
    call_command("import_areas", str(data / "wadomari_areas.csv"), stdout=StringIO())
    call_command("import_vocabulary", str(data / "vocabulary.csv"), stdout=StringIO())
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["活動ID", "活動名", "曜日", "開始時刻", "終了時刻", "タグ", "場所ID",
                     "場所名", "地区", "団体ID", "団体名", "団体種別"])  # fmt: skip
    writer.writerow(["A-1", "畑の会", "火", "9:00", "11:00", "農作業", "P-1", "伊延の畑",
                     "伊延", "O-1", "伊延字自治会", "自治会・集落"])  # fmt: skip
    path = write(tmp_path, out.getvalue(), name="活動一覧.csv")
    call_command("import_directory", str(path), "--live", stdout=StringIO(), stderr=StringIO())
    assert Area.objects.count() == 20
    activity = ListingPage.objects.get(title="畑の会").specific
    assert activity.live and activity.area.name == "伊延"
    assert [tag.name for tag in activity.tags.all()] == ["農作業"]
    assert client.get(activity.url).status_code == 200
    assert "畑の会" in client.get(DirectoryIndexPage.objects.get().url).content.decode()
