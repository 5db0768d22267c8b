"""The site and the page a URL means are kept until the content changes (tsunagu/routing.py):
no site or routing query on a rendered page, and every change is seen on the next request."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page, Site

from tsunagu.models import HomePage

from ..resources.factories import PlacePageFactory, directory_page


def routing_queries(client, url: str) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        status = client.get(url).status_code
    sql = [query["sql"] for query in queries.captured_queries]
    return status, [
        q
        for q in sql
        if '"wagtailcore_site"' in q.split("WHERE")[0] or "slug" in q.split("WHERE")[-1]
    ]


@pytest.mark.django_db
def test_a_second_rendering_reads_neither_the_site_nor_the_tree(rendering_client):
    place = PlacePageFactory(parent=directory_page(), title="和泊公民館", slug="kominkan")
    for url in ("/places/", place.url, "/places/print/"):
        status, first = routing_queries(rendering_client, url)
        assert status == 200, url
        assert first, "the first request finds the site and the page (else this proves nothing)"
        status, second = routing_queries(rendering_client, url + "?again=1")
        assert status == 200, url
        assert second == [], url


@pytest.mark.django_db
def test_unpublishing_moving_and_deleting_are_seen_on_the_next_request(rendering_client):
    directory = directory_page()
    place = PlacePageFactory(parent=directory, title="和泊公民館", slug="kominkan")
    url = place.url
    assert rendering_client.get(url).status_code == 200
    place.unpublish()
    assert rendering_client.get(url).status_code == 404
    place.save_revision().publish()
    assert rendering_client.get(url).status_code == 200
    place.refresh_from_db()
    place.delete()
    assert rendering_client.get(url).status_code == 404


@pytest.mark.django_db
def test_a_page_saved_without_publishing_is_read_afresh(rendering_client):
    place = PlacePageFactory(parent=directory_page(), title="和泊公民館", slug="kominkan")
    assert "和泊公民館" in rendering_client.get(place.url).content.decode()
    Page.objects.filter(pk=place.pk).update(title="伊延公民館")  # no signal: still kept
    place.refresh_from_db()
    place.title = "喜美留公民館"
    place.save()
    assert "喜美留公民館" in rendering_client.get(place.url).content.decode()


@pytest.mark.django_db
def test_each_hostname_gets_its_own_site_and_a_site_edit_is_seen_at_once(rendering_client):
    directory_page()
    other_home = Page.get_first_root_node().add_child(
        instance=HomePage(title="つなぐ 知名町", slug="china")
    )
    other = Site.objects.create(hostname="china.example.jp", port=80, root_page=other_home)
    home = rendering_client.get("/", HTTP_HOST="china.example.jp")
    assert "つなぐ 知名町" in home.content.decode()
    assert rendering_client.get("/places/", HTTP_HOST="china.example.jp").status_code == 404
    assert rendering_client.get("/places/").status_code == 200
    other.hostname = "chinacho.example.jp"
    other.save()
    # The old name now falls back to the default site, which has a directory.
    assert rendering_client.get("/places/", HTTP_HOST="china.example.jp").status_code == 200
    assert rendering_client.get("/places/", HTTP_HOST="chinacho.example.jp").status_code == 404
