# ruff: noqa: F811 - pytest passes the imported town fixture by name
"""A document in another implementation's shape imports with warnings and no errors: Open Referral
UK's profile of HSDS 3.0 (tests/resources/data/README.md says where it comes from). Nothing is
read from ../shared, so this runs where the standard is absent too."""

import datetime as dt
from pathlib import Path

from resources.models import ActivityPage, Organization, PlacePage

from .test_import_directory import run, town  # noqa: F401 - town is a fixture

SAMPLE = Path(__file__).parent / "data" / "oruk_organization_full.json"
SERVICE = "$.services[0]"
LOCATION = f"{SERVICE}.service_at_locations[0].location"


def test_the_uk_profile_example_imports_with_each_approximation_at_its_json_path(town):
    lines = run(SAMPLE, "--live").splitlines()
    assert lines[0] == "作成: 運営団体 1、用語 1、居場所 1、活動 1。更新: 0。"
    assert lines[1] == "次の既定値・近似で取り込みました:"
    warnings = lines[2:]
    expected_paths = [
        "$ 項目「legal_status」",  # the UK profile has no legal status
        f"{SERVICE}.attributes[0].taxonomy_term 項目「taxonomy_id」",
        f"{SERVICE}.schedules[0] 項目「bymonthday」",
        f"{SERVICE}.schedules[0] 項目「description」",
        f"{LOCATION}.addresses[0] 項目「region」",
        f"{LOCATION} 項目「latitude」",
        f"{SERVICE}.attributes[0].taxonomy_term 項目「parent_id」",
    ]
    assert [w.split(":", 1)[0] for w in warnings] == [f"- {p}" for p in expected_paths]
    assert (Organization.objects.count(), PlacePage.objects.count()) == (1, 1)
    assert ActivityPage.objects.count() == 1


def test_the_uk_profile_example_s_values_land_in_tsunagu_s_fields(town):
    run(SAMPLE, "--live")
    organization = Organization.objects.get()
    assert organization.name == "Example Organization Inc."
    assert organization.kind == Organization.Kind.OTHER
    assert (organization.email, organization.website) == ("email@example.com", "http://example.com")
    place = PlacePage.objects.get().get_latest_revision_as_object()
    assert place.title == "MyCity Civic Center"
    assert place.external_id == "10092008082"  # the location's UPRN
    assert place.latitude is None  # 100 is no latitude: dropped, with its warning
    assert place.accessibility_note.startswith("The building is equipped with induction loops")
    activity = ActivityPage.objects.get().get_latest_revision_as_object()
    assert activity.title == "Community Counselling" and activity.live
    assert activity.place.specific == PlacePage.objects.get()
    assert activity.organization == organization
    assert (activity.min_age, activity.max_age) == (12, 100)
    # byday "TH,FR" 10:00–18:00, weekly: Thursday and Friday (Monday is 0).
    assert sorted(
        (r.weekday, r.opens_at, r.closes_at, r.weeks_of_month, r.valid_from)
        for r in activity.schedule_rules.all()
    ) == [
        (3, dt.time(10), dt.time(18), "", dt.date(2005, 1, 1)),
        (4, dt.time(10), dt.time(18), "", dt.date(2005, 1, 1)),
    ]
    # Its only telephone number belongs to a contact person, whom Tsunagu does not read.
    assert (organization.phone, place.phone, activity.phone) == ("", "", "")
