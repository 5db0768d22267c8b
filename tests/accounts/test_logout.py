"""Logging out takes a POST and ends the session on the server.

Wagtail 8.0's view answered a GET with 405 but deleted the cookie, so the session looked gone
while anyone holding the old cookie could still use it.
"""

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

pytestmark = pytest.mark.django_db

LOGOUT = "/admin/logout/"


def _replay(cookie: str) -> Client:
    """Another browser that only has the old session cookie."""
    other = Client()
    other.cookies["sessionid"] = cookie
    return other


def test_a_get_neither_logs_out_nor_touches_the_cookie(client, coordinator):
    client.force_login(coordinator)
    cookie = client.cookies["sessionid"].value
    response = client.get(LOGOUT)
    assert response.status_code == 200
    assert "sessionid" not in response.cookies  # the cookie is neither deleted nor replaced
    html = response.content.decode()
    assert 'method="post"' in html and "ログアウト" in html
    assert client.get("/admin/").status_code == 200
    assert _replay(cookie).get("/admin/").status_code == 200


def test_a_post_ends_the_server_session(client, coordinator):
    client.force_login(coordinator)
    cookie = client.cookies["sessionid"].value
    response = client.post(LOGOUT)
    assert response.status_code == 302 and response["Location"] == "/admin/login/"
    assert response.cookies["sessionid"]["max-age"] == 0
    assert not Session.objects.filter(session_key=cookie).exists()
    replayed = _replay(cookie).get("/admin/")
    assert replayed.status_code == 302 and replayed["Location"].startswith("/admin/login/")


def test_an_anonymous_get_goes_to_the_login(client):
    assert client.get(LOGOUT)["Location"] == "/admin/login/"


@pytest.mark.unverified_login
def test_a_user_stuck_at_the_second_factor_can_still_log_out(client, coordinator):
    client.force_login(coordinator)
    assert client.get(LOGOUT).status_code == 200
    assert client.post(LOGOUT).status_code == 302
    assert not Session.objects.exists()
