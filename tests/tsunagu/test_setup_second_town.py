"""A second town on the same install (issue 17): ``setup_town`` with a file whose hostname is not
an existing site builds a new site with its own page tree, settings, districts and teams, and
never touches the first town; ``import_areas``/``export_areas --site`` work on one town."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from wagtail.models import GroupPagePermission, Page, Site, Workflow, WorkflowPage

from events.models import EventIndexPage
from matching.models import Team
from resources.models import Area, DirectoryIndexPage, ListingPage
from tsunagu.models import HomePage, TownSettings
from volunteers.models import VolunteerIndexPage

from .test_setup_town import EXAMPLE, refused, run, snapshot, write

pytestmark = pytest.mark.django_db

CHINA = """
[town]
name = "知名町"
kana = "ちなちょう"
phone = "0997-93-0000"

[site]
hostname = "tsunagu.china.example.jp"
title = "つなぐ 知名町"

[[districts]]
name = "手々知名"
kana = "てでちな"
latitude = 27.3860
longitude = 128.5560

[[districts]]
name = "知名"
kana = "ちな"
latitude = 27.3800
longitude = 128.5600

[[teams]]
name = "和泊町地域包括支援センター"
kind = "community_support"
"""


def town_rows(site: Site) -> dict:
    """What belongs to one town: its pages, settings, districts and teams, as values."""
    home = site.root_page
    return {
        "site": (site.hostname, site.port, site.root_page_id, site.is_default_site),
        "pages": list(
            home.get_descendants(inclusive=True)
            .order_by("path")
            .values_list("path", "slug", "title", "live", "latest_revision_id")
        ),
        "settings": list(TownSettings.objects.filter(site=site).values()),
        "areas": list(Area.objects.filter(site=site).order_by("pk").values()),
        "teams": list(Team.objects.filter(site=site).order_by("name").values()),
    }


@pytest.fixture
def china_file(tmp_path: Path) -> Path:
    return write(tmp_path, CHINA, "china.toml")


def test_a_second_town_gets_its_own_site_pages_settings_districts_and_teams(china_file, client):
    run(EXAMPLE)
    wadomari = Site.objects.get(is_default_site=True)
    before = town_rows(wadomari)
    lines = run(china_file)
    assert lines[-1] == "町を設定しました。"
    assert town_rows(wadomari) == before
    china = Site.objects.get(hostname="tsunagu.china.example.jp")
    assert not china.is_default_site
    home = china.root_page.specific
    assert isinstance(home, HomePage) and home.title == "つなぐ 知名町"
    children = [page.specific_class for page in home.get_children()]
    assert children == [DirectoryIndexPage, EventIndexPage, VolunteerIndexPage]
    settings = TownSettings.for_site(china)
    assert (settings.town_name, settings.phone) == ("知名町", "0997-93-0000")
    assert TownSettings.for_site(wadomari).town_name == "和泊町"
    # The same district and team names as 和泊町's, but rows of their own.
    assert sorted(Area.objects.filter(site=china).values_list("name", flat=True)) == [
        "手々知名",
        "知名",
    ]
    assert Area.objects.filter(name="手々知名").count() == 2
    assert Team.objects.filter(name="和泊町地域包括支援センター").count() == 2
    response = client.get("/", HTTP_HOST="tsunagu.china.example.jp")
    assert response.status_code == 200 and "つなぐ 知名町" in response.content.decode()
    assert "つなぐ 和泊町" in client.get("/", HTTP_HOST="tsunagu.town.example.jp").content.decode()


def test_a_second_town_gets_its_own_staff_group_and_approval_workflow(china_file):
    """知名町's staff approve 知名町's pages; 和泊町's group and workflow stay on 和泊町's."""
    run(EXAMPLE)
    run(china_file)
    for site, group, workflow in (
        (Site.objects.get(is_default_site=True), "町職員", "町の承認"),
        (
            Site.objects.get(hostname="tsunagu.china.example.jp"),
            "町職員（知名町）",
            "町の承認（知名町）",
        ),
    ):
        indexes = set(
            Page.objects.descendant_of(site.root_page)
            .type(DirectoryIndexPage, EventIndexPage, VolunteerIndexPage)
            .values_list("pk", flat=True)
        )
        assert len(indexes) == 3
        granted = GroupPagePermission.objects.filter(group__name=group)
        assert set(granted.values_list("page_id", flat=True)) == indexes
        assigned = WorkflowPage.objects.filter(workflow__name=workflow)
        assert set(assigned.values_list("page_id", flat=True)) == indexes
        task = Workflow.objects.get(name=workflow).tasks.get().specific
        assert list(task.groups.values_list("name", flat=True)) == [group]


def test_re_running_either_town_changes_nothing(china_file):
    run(EXAMPLE)
    run(china_file)
    before = snapshot()
    unchanged = ["変更はありません。町はすでにこの内容で設定されています。"]
    assert run(china_file) == unchanged
    assert run(EXAMPLE) == unchanged
    assert snapshot() == before


def test_editing_one_towns_file_never_touches_the_other(china_file, tmp_path):
    run(EXAMPLE)
    run(china_file)
    wadomari = town_rows(Site.objects.get(is_default_site=True))
    edited = CHINA.replace('phone = "0997-93-0000"', 'phone = "0997-93-1111"').replace(
        "latitude = 27.3860", "latitude = 27.3870"
    )
    lines = run(write(tmp_path, edited, "china2.toml"))
    assert "町の設定を保存しました。" in lines
    assert any(line.startswith("地区") for line in lines), lines
    assert town_rows(Site.objects.get(is_default_site=True)) == wadomari
    china = Site.objects.get(hostname="tsunagu.china.example.jp")
    assert TownSettings.for_site(china).phone == "0997-93-1111"


def test_districts_go_to_the_site_named_by_the_option(china_file, tmp_path):
    run(EXAMPLE)
    run(china_file)
    csv_path = tmp_path / "areas.csv"
    csv_path.write_text("名称,かな,緯度,経度\n屋子母,やこも,27.36,128.58\n", encoding="utf-8")
    out = StringIO()
    call_command("import_areas", str(csv_path), "--site", "tsunagu.china.example.jp", stdout=out)
    assert "新規 1 件" in out.getvalue()
    assert Area.objects.get(name="屋子母").site.hostname == "tsunagu.china.example.jp"
    out = StringIO()
    call_command("export_areas", "--site", "tsunagu.china.example.jp", stdout=out)
    exported = out.getvalue()
    assert "屋子母" in exported and "知名" in exported and "和泊" not in exported
    out = StringIO()
    call_command("export_areas", stdout=out)  # the default site: 和泊町
    assert "和泊" in out.getvalue() and "屋子母" not in out.getvalue()


def test_an_unknown_site_option_is_refused_in_japanese(tmp_path):
    run(EXAMPLE)
    with pytest.raises(CommandError, match="サイト「nowhere.example.jp」はありません"):
        call_command("export_areas", "--site", "nowhere.example.jp", stdout=StringIO())


def directory_csv(tmp_path: Path, district: str) -> Path:
    path = tmp_path / "活動一覧.csv"
    path.write_text(
        "活動ID,活動名,曜日,開始時刻,終了時刻,場所ID,場所名,地区,団体ID,団体名,団体種別\n"
        f"C-1,ふれあいサロン,水,9:00,11:00,P-1,公民館,{district},O-1,自治会,自治会・集落\n",
        encoding="utf-8",
    )
    return path


def test_import_directory_fills_the_directory_of_the_site_named_by_the_option(china_file, tmp_path):
    run(EXAMPLE)
    run(china_file)
    china = Site.objects.get(hostname="tsunagu.china.example.jp")
    call_command(
        "import_directory", str(directory_csv(tmp_path, "知名")), "--live",
        "--site", china.hostname, stdout=StringIO(), stderr=StringIO(),
    )  # fmt: skip
    salon = ListingPage.objects.get(title="ふれあいサロン")
    assert salon.get_parent().pk == (
        DirectoryIndexPage.objects.descendant_of(china.root_page).get().pk
    )
    assert salon.specific.area.site_id == china.pk
    assert salon.specific.organization.site_id == china.pk  # a new operator: that town's


def test_a_district_of_another_town_is_refused_and_nothing_is_written(china_file, tmp_path):
    run(EXAMPLE)  # 和泊町's districts: 和泊, 手々知名 (the second town has its own 手々知名)
    run(china_file)
    with pytest.raises(CommandError, match="「和泊」という地区はありません"):
        call_command(
            "import_directory", str(directory_csv(tmp_path, "和泊")), "--live",
            "--site", "tsunagu.china.example.jp", stdout=StringIO(), stderr=StringIO(),
        )  # fmt: skip
    assert not ListingPage.objects.filter(title="ふれあいサロン").exists()
    with pytest.raises(CommandError, match="サイト「nowhere.example.jp」はありません"):
        call_command(
            "import_directory", str(directory_csv(tmp_path, "和泊")),
            "--site", "nowhere.example.jp", stdout=StringIO(), stderr=StringIO(),
        )  # fmt: skip


def test_the_town_file_says_whether_the_town_shares_with_the_island(china_file, tmp_path):
    run(EXAMPLE)
    shared = china_file.read_text(encoding="utf-8").replace(
        "[site]", "share_with_island = true\n\n[site]"
    )
    run(write(tmp_path, shared, name="shared.toml"))
    china = Site.objects.get(hostname="tsunagu.china.example.jp")
    assert TownSettings.for_site(china).share_with_island
    wrong = shared.replace("share_with_island = true", 'share_with_island = "はい"')
    errors = refused(write(tmp_path, wrong, name="wrong.toml"))
    assert any("share_with_island" in e and "true か false" in e for e in errors), errors
    assert TownSettings.for_site(china).share_with_island
