"""``export_directory --site``: one town's public listings and their operators, which
``import_directory --site`` of the same town reads back; every town's without it (issue 17)."""

from __future__ import annotations

import json
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from resources.models import ActivityPage, ListingPage, Organization, PlacePage
from tests.tsunagu.island import CHINA_HOST, share, two_towns

from .factories import (
    ActivityPageFactory,
    AreaFactory,
    OrganizationFactory,
    PlacePageFactory,
    TermFactory,
)
from .test_import_directory import _without_last_modified

pytestmark = pytest.mark.django_db


@pytest.fixture
def island():
    """和泊町 and 知名町, sharing with each other, each with a district, an operator, a place
    and an activity there, and one vocabulary."""
    wadomari, china = two_towns()
    share(wadomari, china)
    cooking = TermFactory(name="料理", kana="りょうり", slug="cooking")
    for town, district, operator, place, activity in (
        (wadomari, "喜美留", "喜美留自治会", "喜美留公民館", "喜美留 子ども食堂"),
        (china, "瀬利覚", "瀬利覚字会", "瀬利覚公民館", "瀬利覚 ふれあいサロン"),
    ):
        town.area = AreaFactory(name=district, site=town.site)
        town.operator = OrganizationFactory(name=operator, kana="", site=town.site)
        town.place = PlacePageFactory(
            title=place,
            area=town.area,
            organization=town.operator,
            latitude=Decimal("27.40"),
            longitude=Decimal("128.60"),
            parent=town.directory,
        )
        town.activity = ActivityPageFactory(
            title=activity,
            place=town.place,
            organization=town.operator,
            tags=[cooking],
            parent=town.directory,
        )
    return wadomari, china


def export(*args: str) -> dict:
    out = StringIO()
    call_command("export_directory", *args, stdout=out, stderr=StringIO())
    return json.loads(out.getvalue())


def names(document: dict) -> tuple[list[str], list[str], list[str]]:
    return (
        sorted(s["name"] for s in document["services"]),
        sorted(loc["name"] for loc in document["locations"]),
        sorted(o["name"] for o in document["organizations"]),
    )


def test_site_option_exports_that_town_s_listings_only(island):
    document = export("--site", CHINA_HOST)
    # Only 知名町's, though it shares the island's directory with 和泊町.
    assert names(document) == (["瀬利覚 ふれあいサロン"], ["瀬利覚公民館"], ["瀬利覚字会"])
    assert "喜美留" not in json.dumps(document, ensure_ascii=False)
    assert document["taxonomy_terms"] == export()["taxonomy_terms"]  # the install's vocabulary


def test_a_town_s_export_names_its_own_groups_and_its_listings_operators(island):
    wadomari, china = island
    OrganizationFactory(name="知名町の新しい会", kana="", site=china.site)  # no listing yet
    PlacePageFactory(
        title="知名の集会所",
        area=china.area,
        organization=wadomari.operator,
        parent=china.directory,
    )  # run by 和泊町's group
    assert names(export("--site", CHINA_HOST))[2] == sorted(
        ["知名町の新しい会", "瀬利覚字会", "喜美留自治会"]
    )
    assert names(export("--site", "localhost"))[2] == ["喜美留自治会"]


def test_without_the_option_every_town_s_listings_are_exported(island):
    services, locations, operators = names(export())
    assert services == ["喜美留 子ども食堂", "瀬利覚 ふれあいサロン"]
    assert locations == ["喜美留公民館", "瀬利覚公民館"]
    assert operators == ["喜美留自治会", "瀬利覚字会"]


def test_a_town_s_export_imports_back_into_that_town(island, tmp_path: Path):
    wadomari, china = island
    first = export("--site", CHINA_HOST)
    path = tmp_path / "china.json"
    path.write_text(json.dumps(first, ensure_ascii=False), encoding="utf-8")
    for page in ListingPage.objects.descendant_of(china.directory):
        page.delete()
    china.operator.delete()
    out = StringIO()
    call_command(
        "import_directory", str(path), "--live", "--site", CHINA_HOST,
        stdout=out, stderr=StringIO(),
    )  # fmt: skip
    assert (
        out.getvalue().strip() == "作成: 運営団体 1、居場所 1、活動 1。更新: 0。 変更なし: 用語 1。"
    )
    place = PlacePage.objects.get(title="瀬利覚公民館")
    assert place.is_descendant_of(china.directory) and place.area.site == china.site
    assert ActivityPage.objects.descendant_of(wadomari.directory).count() == 1  # untouched
    second = export("--site", CHINA_HOST)
    assert _without_last_modified(second) == _without_last_modified(first)
    assert Organization.objects.count() == 2
    assert Organization.objects.get(name="瀬利覚字会").site == china.site  # made in that town


def test_an_unknown_site_is_refused_in_japanese_naming_the_sites(island):
    with pytest.raises(CommandError) as refused:
        export("--site", "nowhere.example.jp")
    assert str(refused.value) == (
        f"サイト「nowhere.example.jp」はありません。登録されているサイト: {CHINA_HOST}, localhost"
    )


def test_on_an_install_of_one_town_the_option_changes_nothing(db):
    AreaFactory(name="和泊")
    PlacePageFactory(title="和泊ふれあい館")
    ActivityPageFactory(title="ゆんぬ体操")
    assert export("--site", "localhost") == export()
    assert names(export())[:2] == (["ゆんぬ体操"], ["和泊ふれあい館"])


def test_one_town_s_file_never_updates_another_town_s_listings(island, tmp_path: Path):
    """和泊町's export brought into 知名町 by mistake: refused, naming the rows, nothing written
    (it matched 和泊町's pages by their ids and would have rewritten them)."""
    wadomari, china = island
    path = tmp_path / "wadomari.json"
    path.write_text(json.dumps(export("--site", "localhost"), ensure_ascii=False), "utf-8")
    before = sorted(ListingPage.objects.values_list("pk", "path", "title", "latest_revision_id"))
    with pytest.raises(CommandError, match="別の町の掲載のものです"):
        call_command(
            "import_directory", str(path), "--live", "--site", CHINA_HOST,
            stdout=StringIO(), stderr=StringIO(),
        )  # fmt: skip
    after = sorted(ListingPage.objects.values_list("pk", "path", "title", "latest_revision_id"))
    assert after == before
