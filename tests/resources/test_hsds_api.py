"""The read-only HSDS 3.0 API at /api/hsds/: paths, parameters, errors, caching, query count."""

import datetime as dt
import uuid

import pytest
from django.conf import settings
from django.utils import timezone
from wagtail.models import Page, PageViewRestriction

from resources import caching
from resources.hsds.serializers import service_at_location_id
from resources.hsds.taxonomies import FEATURES_BY_FIELD, HSDS_VERSION, taxonomy_id
from resources.models import Term

from .factories import ActivityPageFactory
from .hsds_fixtures import Directory, build_directory

API = "/api/hsds"


@pytest.fixture
def directory(db) -> Directory:
    return build_directory()


def get(client, path: str, status: int = 200, **params) -> dict:
    response = client.get(f"{API}{path}", params)
    assert response.status_code == status, response.content.decode()
    assert response["Content-Type"] == "application/json"
    return response.json()


def names(page: dict) -> list[str]:
    return [item["name"] for item in page["contents"]]


def test_root_describes_the_api(client, db):
    response = client.get(f"{API}/")
    assert response.json()["version"] == HSDS_VERSION
    assert response.json()["openapi_url"].endswith("/openapi.json")
    assert set(response["Cache-Control"].split(", ")) == {"public", "max-age=60", "s-maxage=600"}
    assert response["Access-Control-Allow-Origin"] == "*"


def test_services_lists_published_activities_in_the_page_envelope(client, directory: Directory):
    page = get(client, "/services")
    assert sorted(names(page)) == sorted(["喜美留 子ども食堂", "花づくりクラブ", "出張サロン"])
    assert {k: page[k] for k in page if k != "contents"} == {
        "total_items": 3,
        "total_pages": 1,
        "page_number": 1,
        "size": 3,
        "first_page": True,
        "last_page": True,
        "empty": False,
    }


def test_json_keeps_japanese_unescaped(client, directory: Directory):
    body = client.get(f"{API}/services").content.decode()
    assert "子ども食堂" in body and "\\u" not in body


def test_pages_through_services(client, directory: Directory):
    first = get(client, "/services", per_page=2)
    second = get(client, "/services", per_page=2, page=2)
    beyond = get(client, "/services", per_page=2, page=3)
    assert (first["size"], first["total_pages"], first["first_page"], first["last_page"]) == (
        2,
        2,
        True,
        False,
    )
    assert (second["size"], second["first_page"], second["last_page"]) == (1, False, True)
    assert set(names(first)).isdisjoint(names(second))
    assert beyond["contents"] == [] and beyond["empty"] and beyond["page_number"] == 3


def test_service_detail_is_fully_nested(client, directory: Directory):
    doc = get(client, f"/services/{directory.canteen.hsds_id}")
    assert doc["organization_id"] == str(directory.council.uuid)
    assert doc["organization"]["name"] == "和泊町社会福祉協議会"
    assert doc["url"] == "http://localhost/places/canteen/"
    assert doc["cost_options"][0]["option"] == "カンパ・寄付"
    assert doc["fees_description"] == "1食100円"
    assert doc["phones"][0]["number"] == "0997-92-0001"
    (link,) = doc["service_at_locations"]
    assert link["location_id"] == str(directory.hall.hsds_id)
    assert link["location"]["addresses"][0]["region"] == "喜美留"
    assert [s["byday"] for s in doc["schedules"]] == ["2SA,4SA", "MO", "WE"]
    assert doc["schedules"][1]["notes"] == "2025-01-13 休み（成人の日）"
    assert doc["schedules"][2]["dtstart"] == "2025-01-15"
    codes = {a["taxonomy_term"].get("code") for a in doc["attributes"]}
    assert {"for_children", "tour_ok", "accepts_placements", "cooking"} <= codes
    placements = next(
        a for a in doc["attributes"] if a["taxonomy_term"]["code"] == "accepts_placements"
    )
    assert placements["value"] == "2"


def test_activity_without_a_place_gets_a_location_of_its_own(client, directory: Directory):
    doc = get(client, f"/services/{directory.salon.hsds_id}")
    (link,) = doc["service_at_locations"]
    assert link["location"]["name"] == "出張サロン"
    assert link["location"]["addresses"][0]["address_1"] == "和泊町和泊1"
    assert link["location"]["accessibility"][0]["details"] == "送迎は要予約"


def test_unknown_or_draft_ids_are_404(client, directory: Directory):
    for path in (
        f"/services/{uuid.uuid4()}",
        f"/services/{directory.draft.hsds_id}",
        "/services/not-a-uuid",
        f"/organizations/{uuid.uuid4()}",
        f"/service_at_locations/{uuid.uuid4()}",
        f"/taxonomies/{uuid.uuid4()}",
        f"/taxonomy_terms/{uuid.uuid4()}",
    ):
        assert get(client, path, status=404)["message"] == "このIDのデータはありません。"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"per_page": "abc"}, "“per_page”は1以上の整数で指定してください。"),
        ({"page": "0"}, "“page”は1以上の整数で指定してください。"),
        ({"per_page": "201"}, "“per_page”は200以下で指定してください。"),
        ({"organization_id": "x"}, "“organization_id”はUUIDで指定してください。"),
        ({"taxonomy_term_id": "1"}, "“taxonomy_term_id”はUUIDで指定してください。"),
        (
            {"modified_after": "昨日"},
            "“modified_after”は2025-04-01T09:00:00+09:00のような日時で指定してください。",
        ),
        ({"full": "maybe"}, "“full”はtrueかfalseで指定してください。"),
        ({"format": "ndjson"}, "形式はjsonのみ対応しています。"),
    ],
)
def test_bad_parameters_are_400_in_japanese(client, db, params, message):
    assert get(client, "/services", status=400, **params) == {"status": 400, "message": message}


def test_search_matches_kana_and_parts_of_compounds(client, directory: Directory):
    assert names(get(client, "/services", search="しょくどう")) == ["喜美留 子ども食堂"]
    assert names(get(client, "/services", search="食堂")) == ["喜美留 子ども食堂"]
    assert names(get(client, "/services", search="花づくり")) == ["花づくりクラブ"]
    assert get(client, "/services", search="存在しない言葉")["total_items"] == 0


def test_filters_by_taxonomy_term_and_taxonomy(client, directory: Directory):
    cooking = get(client, "/services", taxonomy_term_id=str(directory.cooking.uuid))
    assert names(cooking) == ["喜美留 子ども食堂"]
    pickup = get(client, "/services", taxonomy_term_id=FEATURES_BY_FIELD["pickup"].term_id)
    assert names(pickup) == ["出張サロン"]
    interests = get(client, "/services", taxonomy_id=taxonomy_id(Term.Kind.INTEREST))
    assert sorted(names(interests)) == sorted(["喜美留 子ども食堂", "花づくりクラブ"])
    assert get(client, "/services", taxonomy_id=str(uuid.uuid4()))["total_items"] == 0


def test_filters_by_organization(client, directory: Directory):
    page = get(client, "/services", organization_id=str(directory.hamlet.uuid))
    assert names(page) == ["花づくりクラブ"]


def test_filters_by_modified_after(client, directory: Directory):
    later = timezone.now() + dt.timedelta(hours=1)
    assert get(client, "/services", modified_after=later.isoformat())["total_items"] == 0
    assert get(client, "/services", modified_after="2000-01-01")["total_items"] == 3


def test_service_at_locations_link_services_and_locations(client, directory: Directory):
    page = get(client, "/service_at_locations")
    assert page["total_items"] == 3
    link = next(c for c in page["contents"] if c["service_id"] == str(directory.canteen.hsds_id))
    assert link["id"] == service_at_location_id(directory.canteen.hsds_id)
    assert link["location"]["name"] == "喜美留公民館"
    doc = get(client, f"/service_at_locations/{link['id']}")
    assert doc["service"]["name"] == "喜美留 子ども食堂"
    assert doc["location"]["schedules"][0]["notes"] == "2025-01-06 休み（年始休み）"


def test_organizations_list_and_detail(client, directory: Directory):
    page = get(client, "/organizations", search="しゃかいふくし")
    assert names(page) == ["和泊町社会福祉協議会"]
    doc = get(client, f"/organizations/{directory.hamlet.uuid}")
    assert doc["legal_status"] == "自治会・集落"
    assert [loc["name"] for loc in doc["locations"]] == ["喜美留公民館"]
    assert [s["name"] for s in doc["services"]] == ["花づくりクラブ"]
    assert "schedules" not in doc["services"][0]
    full = get(client, f"/organizations/{directory.hamlet.uuid}", full_service="true")
    assert full["services"][0]["schedules"]
    council = get(client, f"/organizations/{directory.council.uuid}")
    assert council["organization_identifiers"][0]["identifier"] == "O-001"


def test_taxonomies_one_per_term_kind_and_the_features(client, db):
    page = get(client, "/taxonomies")
    assert page["total_items"] == 5
    doc = get(client, f"/taxonomies/{taxonomy_id(Term.Kind.NEED)}")
    assert doc["name"] == "つなぐ語彙：支援ニーズ"


def test_taxonomy_terms_with_parents_and_filters(client, directory: Directory):
    doc = get(client, f"/taxonomy_terms/{directory.flowers.uuid}")
    assert doc["parent_id"] == str(directory.farming.uuid)
    assert doc["taxonomy_id"] == taxonomy_id(Term.Kind.INTEREST)
    children = get(client, "/taxonomy_terms", parent_id=str(directory.farming.uuid))
    assert names(children) == ["花き栽培"]
    needs = get(client, "/taxonomy_terms", taxonomy_id=taxonomy_id(Term.Kind.NEED))
    assert names(needs) == ["見守り"]
    assert "花き栽培" not in names(get(client, "/taxonomy_terms", top_only="true", per_page=200))
    assert names(get(client, "/taxonomy_terms", search="はなづくり")) == ["花き栽培"]
    feature = get(client, f"/taxonomy_terms/{FEATURES_BY_FIELD['barrier_free'].term_id}")
    assert feature["code"] == "barrier_free"


def test_query_count_does_not_grow_with_the_page_size(
    client, directory: Directory, django_assert_max_num_queries
):
    for n in range(50):
        ActivityPageFactory(
            slug=f"extra-{n}",
            title=f"活動{n}",
            place=directory.hall,
            organization=directory.council,
            tags=[directory.cooking],
            schedule=[{"weekday": n % 7, "opens_at": "10:00", "closes_at": "11:00"}],
        )
    # Warm Wagtail's site cache and the content types a search reads once per process, as any
    # running server has (alone, this test otherwise counts the content types in the first case).
    client.get(f"{API}/services")
    client.get(f"{API}/services?search=活動")
    bounds = {
        "/services?": 12,
        "/services?full=true&": 12,
        "/services?search=活動&": 12,
        "/service_at_locations?full=true&": 12,
        # Operators with their places and fully nested services: two sets of prefetches.
        "/organizations?full_service=true&": 15,
    }
    # After each publish (the invalidation below) one more: which towns the site shows.
    bounds = {path: bound + 1 for path, bound in bounds.items()}
    for path, bound in bounds.items():
        caching.invalidate()  # keys sorted afresh, as after a publish
        with django_assert_max_num_queries(bound) as small:
            client.get(f"{API}{path}per_page=2")
        caching.invalidate()
        with django_assert_max_num_queries(bound) as large:
            page = client.get(f"{API}{path}per_page=50").json()
        assert page["size"] == (2 if path.startswith("/organizations") else 50)
        assert len(large.captured_queries) == len(small.captured_queries), path


def test_totals_follow_publishing_and_private_sections(client, directory: Directory):
    assert get(client, "/services")["total_items"] == 3
    extra = ActivityPageFactory(title="追加の活動", organization=directory.council)
    assert get(client, "/services")["total_items"] == 4
    assert get(client, "/services", organization_id=str(directory.hamlet.uuid))["total_items"] == 1
    extra.unpublish()
    assert get(client, "/services")["total_items"] == 3
    # A view restriction publishes nothing, yet changes what the public may see.
    PageViewRestriction.objects.create(
        page=directory.salon, restriction_type=PageViewRestriction.LOGIN
    )
    assert get(client, "/services")["total_items"] == 2


def test_a_page_unpublished_behind_the_sorted_keys_does_not_appear(client, directory: Directory):
    assert get(client, "/services")["size"] == 3
    # As if another process had unpublished it before this one saw the new generation; the
    # sorted keys are what is under test, so past the page cache (a session cookie passes it).
    Page.objects.filter(pk=directory.salon.pk).update(live=False)
    client.cookies[settings.SESSION_COOKIE_NAME] = "not-a-session"
    assert "出張サロン" not in names(get(client, "/services"))


def test_pages_in_a_private_section_are_not_open_data(client, directory: Directory):
    PageViewRestriction.objects.create(
        page=directory.hall, restriction_type=PageViewRestriction.LOGIN
    )
    PageViewRestriction.objects.create(
        page=directory.salon, restriction_type=PageViewRestriction.LOGIN
    )
    assert sorted(names(get(client, "/services"))) == ["喜美留 子ども食堂", "花づくりクラブ"]
    doc = get(client, f"/services/{directory.canteen.hsds_id}")
    assert doc["service_at_locations"] == []  # held at a place the public may not see
    get(client, f"/services/{directory.salon.hsds_id}", status=404)
