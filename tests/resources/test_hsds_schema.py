"""Every document the API and the export produce validates against the HSDS 3.0 schemas."""

import pytest
from jsonschema import Draft202012Validator

from resources.hsds.export import directory_document
from resources.hsds.taxonomies import FEATURE_LIST, taxonomy_id

from .hsds_fixtures import Directory, assert_valid, build_directory, page_schema, require_hsds

API = "/api/hsds"
# List endpoint → the schema of one item of its contents (as in the standard's openapi.json).
LISTS = {
    "/services": "service_list",
    "/services?full=true": "service",
    "/organizations": "organization_list",
    "/organizations?full=true": "organization",
    "/organizations?full_service=true": "organization",
    "/service_at_locations": "service_at_location_list",
    "/service_at_locations?full=true": "service_at_location",
    "/taxonomies": "taxonomy",
    "/taxonomy_terms": "taxonomy_term",
}


@pytest.fixture
def directory(db) -> Directory:
    require_hsds()
    return build_directory()


@pytest.mark.parametrize(("path", "schema"), LISTS.items())
def test_list_pages_validate(client, directory: Directory, path: str, schema: str):
    page = client.get(f"{API}{path}", {"per_page": 200}).json()
    Draft202012Validator(page_schema()).validate(page)
    assert set(page) == {*page_schema()["properties"], "contents"}
    assert page["contents"]
    for item in page["contents"]:
        assert_valid(item, schema)


def test_detail_documents_validate(client, directory: Directory):
    for activity in (directory.canteen, directory.flower_club, directory.salon):
        assert_valid(client.get(f"{API}/services/{activity.hsds_id}").json(), "service")
    for org in (directory.council, directory.hamlet):
        doc = client.get(f"{API}/organizations/{org.uuid}", {"full_service": "true"}).json()
        assert_valid(doc, "organization")
    for link in client.get(f"{API}/service_at_locations").json()["contents"]:
        doc = client.get(f"{API}/service_at_locations/{link['id']}").json()
        # openapi.json names compiled/service.json for this path, evidently a slip: the
        # document is a service_at_location, and is checked against that schema.
        assert_valid(doc, "service_at_location")
    for term in (directory.flowers, directory.cooking):
        assert_valid(client.get(f"{API}/taxonomy_terms/{term.uuid}").json(), "taxonomy_term")
    for feature in FEATURE_LIST:
        doc = client.get(f"{API}/taxonomy_terms/{feature.term_id}").json()
        assert_valid(doc, "taxonomy_term")
    assert_valid(client.get(f"{API}/taxonomies/{taxonomy_id('features')}").json(), "taxonomy")


def test_export_documents_validate(directory: Directory):
    document = directory_document()
    for name, schema in (
        ("organizations", "organization"),
        ("locations", "location"),
        ("services", "service"),
        ("taxonomies", "taxonomy"),
        ("taxonomy_terms", "taxonomy_term"),
    ):
        assert document[name]
        for item in document[name]:
            assert_valid(item, schema)


def test_the_validator_rejects_a_broken_document(client, directory: Directory):
    """The schemas are really applied (formats included), not vacuously passed."""
    doc = client.get(f"{API}/services/{directory.canteen.hsds_id}").json()
    doc["status"] = "open"
    doc["service_at_locations"][0]["location"]["latitude"] = "north"
    doc["phones"][0]["id"] = "not-a-uuid"
    with pytest.raises(AssertionError) as failure:
        assert_valid(doc, "service")
    for problem in ("'open' is not one of", "'north' is not of type 'number'", "not a 'uuid'"):
        assert problem in str(failure.value)
