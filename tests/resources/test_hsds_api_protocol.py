"""The HSDS API as HTTP clients meet it: HEAD, other methods, CORS preflight, ETags, the
``minimal`` parameter and parameters it does not support."""

import pytest
from django.test import Client

from .hsds_fixtures import Directory, build_directory

API = "/api/hsds"


@pytest.fixture
def directory(db) -> Directory:
    return build_directory()


def test_head_is_answered_like_get(client, directory: Directory):
    get = client.get(f"{API}/services")
    head = client.head(f"{API}/services")
    assert head.status_code == 200 and head.content == b""
    assert head["Content-Type"] == "application/json"
    assert head["ETag"] == get["ETag"]
    assert head["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_other_methods_get_a_json_405_not_a_csrf_page(method, db):
    client = Client(enforce_csrf_checks=True)
    response = getattr(client, method)(
        f"{API}/services", data="{}", content_type="application/json"
    )
    assert response.status_code == 405
    assert response["Content-Type"] == "application/json"
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    assert "GET" in response.json()["message"] and method.upper() in response.json()["message"]


def test_cors_preflight(client, db):
    response = client.options(
        f"{API}/services",
        HTTP_ORIGIN="https://map.example.org",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
    )
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "*"
    assert set(response["Access-Control-Allow-Methods"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    assert "If-None-Match" in response["Access-Control-Allow-Headers"]


def test_etag_gives_304(client, directory: Directory):
    first = client.get(f"{API}/organizations")
    again = client.get(f"{API}/organizations", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again["Access-Control-Allow-Origin"] == "*"


def test_minimal_lists_every_service_id_and_date_in_one_page(client, directory: Directory):
    full = client.get(f"{API}/services", {"per_page": 1}).json()
    minimal = client.get(f"{API}/services", {"minimal": "true"}).json()
    assert minimal["total_items"] == full["total_items"] == 3
    assert minimal["total_pages"] == 1 and minimal["size"] == 3
    assert all(set(item) == {"id", "last_modified"} for item in minimal["contents"])
    detail = client.get(f"{API}/services/{minimal['contents'][0]['id']}").json()
    assert detail["last_modified"] == minimal["contents"][0]["last_modified"]
    paged = client.get(f"{API}/services", {"minimal": "true", "per_page": 2}).json()
    assert paged["total_pages"] == 2 and paged["size"] == 2


@pytest.mark.parametrize(
    ("path", "params", "named"),
    [
        ("/services", {"sort": "name"}, ["sort"]),
        ("/services", {"postcode": "891-9100", "proximity": "500"}, ["postcode", "proximity"]),
        ("/service_at_locations", {"minimal": "true"}, ["minimal"]),
        ("/taxonomies", {"full": "true"}, ["full"]),
        ("/", {"callback": "x"}, ["callback"]),
    ],
)
def test_unsupported_parameters_are_a_json_400_naming_them(client, db, path, params, named):
    response = client.get(f"{API}{path}", params)
    assert response.status_code == 400
    body = response.json()
    assert body["parameters"] == named
    assert body["message"].startswith("ここでは使えないパラメータです")
    assert all(name in body["message"] for name in named)


def test_supported_parameters_still_pass(client, directory: Directory):
    response = client.get(
        f"{API}/taxonomy_terms", {"top_only": "true", "page": 1, "per_page": 5, "format": "json"}
    )
    assert response.status_code == 200
