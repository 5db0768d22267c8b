"""Staff sessions end after 30 idle minutes or 12 hours, on the server, not just in the cookie."""

import datetime as dt

import pytest
import time_machine
from django.contrib.sessions.models import Session

pytestmark = pytest.mark.django_db


def _session_exists(client) -> bool:
    return Session.objects.filter(session_key=client.cookies["sessionid"].value).exists()


@pytest.fixture
def start():
    with time_machine.travel(
        dt.datetime(2026, 5, 11, 9, 0, tzinfo=dt.UTC), tick=False
    ) as traveller:
        yield traveller


def test_settings_and_cookie_age_follow(settings):
    assert settings.STAFF_SESSION_IDLE_MINUTES == 30
    assert settings.STAFF_SESSION_MAX_HOURS == 12
    assert settings.SESSION_COOKIE_AGE == 12 * 3600


def test_thirty_idle_minutes_end_the_session(client, coordinator, start):
    client.force_login(coordinator)
    assert client.get("/admin/").status_code == 200
    start.shift(dt.timedelta(minutes=31))
    response = client.get("/admin/clients/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/admin/clients/"
    assert not _session_exists(client)
    login_page = client.get(response["Location"]).content.decode()
    assert "安全のためログアウトしました" in login_page


def test_activity_keeps_the_session_alive(client, coordinator, start):
    client.force_login(coordinator)
    for _ in range(4):
        start.shift(dt.timedelta(minutes=25))
        assert client.get("/admin/").status_code == 200


def test_twelve_hours_end_the_session_however_active(client, coordinator, start):
    client.force_login(coordinator)
    for _ in range(24):
        start.shift(dt.timedelta(minutes=29))
        assert client.get("/admin/").status_code == 200
    start.shift(dt.timedelta(minutes=29))  # 12 h 5 min after the login
    assert client.get("/admin/").status_code == 302
    assert not _session_exists(client)


def test_an_expired_session_on_a_public_page_is_simply_anonymous(client, coordinator, start):
    client.force_login(coordinator)
    start.shift(dt.timedelta(hours=1))
    response = client.get("/volunteers/register/")
    assert response.status_code == 200
    assert not _session_exists(client)


def test_a_session_older_than_this_rule_is_ended(client, coordinator):
    client.force_login(coordinator)
    session = client.session
    session.pop("accounts.login_at")
    session.save()
    assert client.get("/admin/").status_code == 302


def test_anonymous_visitors_get_no_session(client):
    for url in ("/", "/admin/login/", "/volunteers/register/"):
        response = client.get(url)
        assert "sessionid" not in response.cookies, url
    assert not Session.objects.exists()


def test_the_last_seen_time_is_saved_at_most_once_a_minute(client, coordinator, start):
    client.force_login(coordinator)
    client.get("/admin/")
    before = Session.objects.get().expire_date
    start.shift(dt.timedelta(seconds=20))
    client.get("/admin/")
    assert Session.objects.get().expire_date == before  # not saved again
    start.shift(dt.timedelta(seconds=50))
    client.get("/admin/")
    assert Session.objects.get().expire_date > before
