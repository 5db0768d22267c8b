# ruff: noqa: F811 - pytest passes the imported town fixture by name
"""Every official HSDS 3.0 example imports (with warnings for what Tsunagu approximates), read
from ../shared at test time; unknown taxonomies are kept and can be mapped with --term-map."""

import json

import pytest

from resources.models import ActivityPage, Organization, PlacePage, Term

from .hsds_fixtures import HSDS_DIR, require_hsds
from .test_import_directory import run, town, write  # noqa: F401 - town is a fixture

EXAMPLES = sorted(p.name for p in (HSDS_DIR / "examples").glob("*.json")) or ["(missing)"]


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_official_example_imports(town, name):
    path = require_hsds() / "examples" / name
    output = run(path, "--live")
    assert output.startswith("作成: ")
    assert "Traceback" not in output
    if name in {"service_full.json", "service_list.json", "tabular.json"}:
        assert ActivityPage.objects.filter(title="Community Counselling").exists()
    if name.startswith("organization"):
        assert Organization.objects.filter(name="Example Organization Inc.").exists()


def test_defaults_and_approximations_are_reported_with_their_json_path(town):
    output = run(require_hsds() / "examples" / "service_full.json", "--live")
    lines = output.splitlines()
    assert lines[1] == "次の既定値・近似で取り込みました:"
    assert (
        "- $.organization 項目「legal_status」: 「Limited Company」はつなぐの種別にないため、"
        "種別を「その他」にしました。"
    ) in lines
    assert any(
        "項目「region」: 「MyRegion」は町の地区にないため、住所に残しました。" in line
        for line in lines
    )
    assert any("項目「bymonthday」" in line for line in lines)
    organization = Organization.objects.get(name="Example Organization Inc.")
    assert organization.kind == Organization.Kind.OTHER
    place = PlacePage.objects.get(title="MyCity Civic Center")
    assert place.area is None and "MyRegion" in place.address


def test_unknown_taxonomy_terms_are_kept_and_mappable(town, tmp_path):
    example = require_hsds() / "examples" / "service_full.json"
    run(example)
    service = json.loads(example.read_text())
    term = service["attributes"][0]["taxonomy_term"]
    kept = Term.objects.get(uuid=term["id"])
    assert kept.source_taxonomy and kept.name == term["name"]
    ActivityPage.objects.all().delete()
    kept.delete()
    mapping = write(tmp_path, f"元の語,用語\r\n{term['name']},料理\r\n", name="map.csv")
    run(example, "--term-map", str(mapping))
    activity = ActivityPage.objects.get(title="Community Counselling")
    activity = activity.get_latest_revision_as_object()
    assert [t.name for t in activity.tags.all()] == ["料理"]
    assert not Term.objects.filter(uuid=term["id"]).exists()
