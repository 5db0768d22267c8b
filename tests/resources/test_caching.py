"""Anonymous pages come from the cache until published content changes; editors never do."""

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page

from resources import caching
from resources.models import ListingPage, PlacePage

from .factories import PlacePageFactory

pytestmark = pytest.mark.django_db


def titles_seen(client, url: str) -> str:
    return client.get(url).content.decode()


def test_anonymous_pages_are_cached_with_public_headers(client, directory, town):
    first = client.get(directory.url)
    assert set(first["Cache-Control"].split(", ")) == {"public", "max-age=60", "s-maxage=600"}
    # A change that bypasses publishing (no signal) is not seen: the page came from the cache.
    ListingPage.objects.filter(pk=town.hatake.pk).update(title="書き換え")
    assert "書き換え" not in titles_seen(client, directory.url)
    assert "書き換え" in titles_seen(client, town.hatake.url)  # another URL, not cached yet


def test_publishing_a_change_shows_at_once(client, directory, town):
    assert "みんなの畑" in titles_seen(client, directory.url)
    assert "みんなの畑" in titles_seen(client, town.hatake.url)
    page = PlacePage.objects.get(pk=town.hatake.pk)
    page.title = "みんなの農園"
    page.save_revision().publish()
    assert "みんなの農園" in titles_seen(client, directory.url)
    assert "みんなの農園" in titles_seen(client, town.hatake.url)


def test_unpublishing_and_deleting_drop_listings_at_once(client, directory, town):
    assert "みんなの畑" in titles_seen(client, directory.url)
    town.hatake.unpublish()
    assert "みんなの畑" not in titles_seen(client, directory.url)
    assert "夜のおしゃべり会" in titles_seen(client, directory.url)
    town.oshaberi.delete()
    assert "夜のおしゃべり会" not in titles_seen(client, directory.url)


def test_moving_a_page_invalidates(directory, town):
    before = caching.generation()
    page = PlacePage.objects.get(pk=town.hatake.pk)
    page.move(Page.objects.get(pk=directory.pk), pos="last-child")
    assert caching.generation() != before


def test_district_edits_invalidate(client, directory, town):
    assert "喜美留" in titles_seen(client, directory.url)
    town.kibiru.name = "喜美留集落"
    town.kibiru.save()
    assert "喜美留集落" in titles_seen(client, directory.url)


def test_logged_in_users_always_get_a_fresh_private_page(client, directory, town, admin_user):
    client.force_login(admin_user)
    response = client.get(directory.url)
    assert "private" in response["Cache-Control"]
    ListingPage.objects.filter(pk=town.hatake.pk).update(title="書き換え")
    assert "書き換え" in titles_seen(client, directory.url)


def test_requests_with_messages_are_not_cached(client, directory):
    request = RequestFactory().get(directory.url)
    storage = CookieStorage(request)
    storage.add(constants.INFO, "保存しました")
    response = HttpResponse()
    storage.update(response)
    client.cookies[CookieStorage.cookie_name] = response.cookies[CookieStorage.cookie_name].value
    client.get(directory.url)
    shown = client.get(directory.url)
    assert "private" in shown["Cache-Control"] and "X-Page-Cache" not in shown
    del client.cookies[CookieStorage.cookie_name]
    assert client.get(directory.url)["X-Page-Cache"] == "miss"  # nothing stored before


def test_new_listing_appears_after_publishing(client, directory, town):
    assert "検索結果 4件" in titles_seen(client, directory.url)
    PlacePageFactory(title="新しい居場所")
    html = titles_seen(client, directory.url)
    assert "検索結果 5件" in html and "新しい居場所" in html


def test_a_word_is_matched_and_ranked_once_until_the_next_publish(
    rendering_client, directory, town
):
    """Narrowing a search by district or paging through it reuses the word's hits and their
    order; a publish brings new listings into them at once."""

    def search(query: str) -> tuple[str, list[str]]:
        with CaptureQueriesContext(connection) as queries:
            html = rendering_client.get(f"{directory.url}?{query}").content.decode()
        # Matching the word, and scoring its hits (bm25 on SQLite, ts_rank on PostgreSQL).
        sql = [q["sql"] for q in queries.captured_queries if "wagtailsearch_indexentry" in q["sql"]]
        return html, sql

    html, searched = search("q=体操")
    assert "いきいき体操" in html and searched
    html, searched = search(f"q=体操&area={town.kibiru.pk}")
    assert "いきいき体操" in html and searched == []
    PlacePageFactory(title="朝の体操広場", area=town.kibiru)
    html, searched = search(f"q=体操&area={town.kibiru.pk}&page=1")
    assert "朝の体操広場" in html and searched


def test_a_request_reads_the_generation_once(rendering_client, directory, town, monkeypatch):
    """Every cache key holds the generation; a search with a district looked it up fifteen
    times, each a round trip to the shared cache."""
    rendering_client.get(f"{directory.url}?q=畑")  # warm: the route, the index, the match
    reads = []
    real = caching.cache

    class Counting:
        def __getattr__(self, name):
            return getattr(real, name)

        def get(self, key, *args, **kwargs):
            reads.append(key)
            return real.get(key, *args, **kwargs)

    monkeypatch.setattr(caching, "cache", Counting())
    area = town.hatake.area
    assert rendering_client.get(f"{directory.url}?q=畑&area={area.pk}").status_code == 200
    assert reads.count(caching.GENERATION_KEY) == 1


def test_a_publish_within_a_request_moves_its_own_generation_on():
    seen = []

    def view(request):
        seen.append(caching.generation())
        caching.invalidate()
        seen.append(caching.generation())
        return HttpResponse()

    caching.PinnedGenerationMiddleware(view)(RequestFactory().get("/"))
    assert seen[0] != seen[1]
    assert caching.generation() == seen[1]  # outside a request: read from the cache again
