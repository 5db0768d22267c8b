"""The page cache before routing (tsunagu/page_cache.py): hits cost no query, and only
anonymous, opted-in, cookie-free answers are ever stored."""

import re
import socket

import pytest
from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection
from django.test.utils import CaptureQueriesContext

from resources import caching
from resources.models import PlacePage
from tsunagu.models import HomePage
from volunteers.models import OpportunityPage

from ..resources.factories import PlacePageFactory, directory_page
from . import page_cache_urls

HIT = "X-Page-Cache"


def twice(client, url: str, **extra):
    first = client.get(url, **extra)
    return first, client.get(url, **extra)


@pytest.mark.django_db
@pytest.mark.usefixtures("sample_town")
class TestEveryPublicPageIsServedWithoutTheDatabase:
    def urls(self) -> list[str]:
        place = PlacePage.objects.live().first()
        opportunity = OpportunityPage.objects.live().order_by("pk").first()
        return [
            "/",
            "/places/",
            "/places/?kind=place&q=%E7%95%91",
            "/places/map/",
            "/places/print/",
            place.url,
            "/events/",
            "/events/month/",
            "/events/week/",
            "/volunteers/",
            opportunity.url if opportunity else "/volunteers/",
            "/api/hsds/services",
            "/ical/events.ics",
        ]

    def test_a_hit_costs_no_query_and_answers_the_same_bytes(
        self, client, django_assert_max_num_queries
    ):
        for url in self.urls():
            first = client.get(url)
            assert first.status_code == 200, url
            if first.cookies:  # a page with a form (CSRF cookie) is for this browser only
                assert "private" in first["Cache-Control"], url
                continue
            assert first[HIT] == "miss", url
            with django_assert_max_num_queries(0):
                second = client.get(url)
            assert second[HIT] == "hit", url
            assert second.content == first.content, url
            assert second["Content-Type"] == first["Content-Type"], url
            assert second["Content-Security-Policy"] == first["Content-Security-Policy"], url

    def test_the_main_pages_are_all_hits(self, client, django_assert_max_num_queries):
        for url in ("/", "/places/", "/events/", "/volunteers/", "/api/hsds/services"):
            client.get(url)
            with django_assert_max_num_queries(0):
                assert client.get(url)[HIT] == "hit", url

    def test_headers_for_a_shared_cache(self, client):
        for url in ("/", "/places/", "/events/month/", "/ical/events.ics", "/api/hsds/services"):
            first, second = twice(client, url)
            for response in (first, second):
                control = set(response["Cache-Control"].split(", "))
                assert control == {"public", "max-age=60", "s-maxage=600"}, url
                assert "Cookie" in response["Vary"], url

    def test_logged_in_staff_get_fresh_private_pages(self, client, admin_user):
        client.force_login(admin_user)
        for url in ("/", "/places/", "/events/", "/api/hsds/services"):
            first, second = twice(client, url)
            assert HIT not in second, url
            assert "private" in second["Cache-Control"], url
            assert "public" not in second["Cache-Control"], url
            assert "s-maxage" not in second["Cache-Control"], url

    def test_a_publish_shows_on_the_next_request(self, client):
        home = HomePage.objects.get()
        assert client.get("/")[HIT] == "miss"
        assert client.get("/")[HIT] == "hit"
        home.lead = "新しい見出しです"
        home.save_revision().publish()
        response = client.get("/")
        assert response[HIT] == "miss" and "新しい見出しです" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.urls("tests.tsunagu.page_cache_urls")
class TestWhatIsNeverStored:
    @pytest.mark.parametrize(
        "url",
        [
            "/staff/",  # not opted in
            "/cookie/",
            "/private/",
            "/no-store/",
            "/vary-cookie/",
            "/missing/",
            "/preview/",
        ],
    )
    def test_answered_afresh_every_time(self, client, url):
        first, second = twice(client, url)
        assert first.content != second.content
        assert HIT not in second

    def test_refused_answers_are_marked_private(self, client):
        for url in ("/cookie/", "/preview/"):
            assert "private" in client.get(url)["Cache-Control"], url
        assert "Cache-Control" not in client.get("/staff/")  # not opted in: left alone

    def test_a_plain_public_answer_is_stored(self, client):
        first, second = twice(client, "/plain/")
        assert first.content == second.content and second[HIT] == "hit"
        assert client.get("/plain/?page=2").content != first.content  # the query is in the key
        assert client.get("/plain/", HTTP_HOST="other.example").content != first.content

    def test_session_cookie_messages_cookie_and_post_pass_by(self, client):
        stored = client.get("/plain/").content
        client.cookies[settings.SESSION_COOKIE_NAME] = "whoever"
        assert client.get("/plain/").content != stored
        del client.cookies[settings.SESSION_COOKIE_NAME]
        client.cookies[CookieStorage.cookie_name] = "anything"
        assert client.get("/plain/").content != stored
        del client.cookies[CookieStorage.cookie_name]
        assert client.get("/plain/").content == stored
        client.get("/post/")
        assert client.post("/post/").content.startswith(b"POST")

    def test_other_vary_headers_are_in_the_key(self, client):
        english = client.get("/vary-language/", HTTP_ACCEPT_LANGUAGE="en")
        japanese = client.get("/vary-language/", HTTP_ACCEPT_LANGUAGE="ja")
        assert b"en" in english.content and b"ja" in japanese.content
        again = client.get("/vary-language/", HTTP_ACCEPT_LANGUAGE="ja")
        assert again[HIT] == "hit" and again.content == japanese.content

    def test_head_is_answered_from_the_stored_get(self, client):
        stored = client.get("/plain/")
        head = client.head("/plain/")
        assert head[HIT] == "hit" and head.content == b""
        assert head["Content-Length"] == stored["Content-Length"]

    def test_a_stored_page_gets_a_fresh_nonce_matching_its_policy(self, client):
        nonces = []
        for _ in range(3):
            response = client.get("/nonce/")
            (nonce,) = re.findall(r'nonce="([^"]+)"', response.content.decode())
            assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]
            nonces.append(nonce)
        assert response[HIT] == "hit" and b"n = 1<" in response.content  # the stored page
        assert len(set(nonces)) == 3

    def test_admin_paths_pass_by(self, client):
        with CaptureQueriesContext(connection):
            first, second = twice(client, "/admin/")
        assert HIT not in second

    def setup_method(self) -> None:
        page_cache_urls.calls["count"] = 0


def test_a_publish_purges_the_proxy_and_a_dead_one_breaks_nothing(
    db, settings, caplog, django_capture_on_commit_callbacks
):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    settings.WAGTAILFRONTENDCACHE = {
        "proxy": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
            "LOCATION": f"http://127.0.0.1:{port}",
        }
    }
    directory_page()
    place = PlacePage.objects.get(pk=PlacePageFactory(title="みんなの畑").pk)
    place.title = "みんなの農園"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        place.save_revision().publish()
    assert callbacks  # the purge waits for the commit
    assert PlacePage.objects.get(pk=place.pk).title == "みんなの農園"
    assert "Couldn't purge 'http://localhost/*'" in caplog.text


def test_no_proxy_configured_queues_no_purge(db, settings, django_capture_on_commit_callbacks):
    settings.WAGTAILFRONTENDCACHE = {}
    with django_capture_on_commit_callbacks() as callbacks:
        caching.invalidate()
    assert callbacks == []


def test_a_cache_outage_serves_pages_uncached(rf, monkeypatch):
    """Redis down must not take the public site down with it: the middleware steps aside."""
    from django.http import HttpResponse

    from tsunagu.page_cache import PageCacheMiddleware, mark_public

    def refuse(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr("tsunagu.page_cache.cache.get", refuse)
    monkeypatch.setattr("tsunagu.page_cache.cache.set", refuse)
    middleware = PageCacheMiddleware(lambda request: mark_public(HttpResponse("ページ")))
    response = middleware(rf.get("/places/"))
    assert response.status_code == 200
    assert response.content.decode() == "ページ"
