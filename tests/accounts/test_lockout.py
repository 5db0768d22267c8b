"""Login throttling: per account and per address, with a Japanese message and an unlock path."""

import datetime as dt

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.models import ModelLogEntry

from tests.matching.factories import PASSWORD, make_user
from tests.support.otp import next_code
from tsunagu.net import client_ip

from .conftest import denied

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"
LOCKED = "ログインの失敗が続いたため"


def _login(client: Client, username: str, password: str, ip: str = "192.0.2.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def _signed_in(client: Client) -> bool:
    # Any authenticated session: the admin either opens or asks for the second factor.
    response = client.get("/admin/")
    return not response["Location"].startswith(LOGIN) if response.status_code == 302 else True


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(client, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    make_user("supervisor")
    for attempt in range(1, 5):
        response = _login(client, "supervisor", f"wrong-{attempt}")
        assert response.status_code == 200 and LOCKED not in response.content.decode()
    response = _login(client, "supervisor", "wrong-5")
    assert response.status_code == 429
    html = response.content.decode()
    assert LOCKED in html and "30 分" in html
    assert 'id="id_username"' in html  # the login page itself, not a bare 403 text
    response = _login(client, "supervisor", PASSWORD, ip="198.51.100.7")
    assert response.status_code == 429
    assert not _signed_in(client)


def test_one_address_is_locked_across_usernames(client):
    make_user("coord_a")
    for n in range(5):
        _login(client, f"guess{n}", "wrong")
    assert _login(client, "coord_a", PASSWORD).status_code == 429
    assert not _signed_in(client)
    # The same account from another address is not locked: only the address was.
    other = Client()
    assert _login(other, "coord_a", PASSWORD, ip="203.0.113.9").status_code == 302
    assert _signed_in(other)


def test_the_lock_ends_after_the_cool_off(client):
    make_user("coord_a")
    for _ in range(5):
        _login(client, "coord_a", "wrong")
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=31)):
        assert _login(client, "coord_a", PASSWORD).status_code == 302


def test_a_success_below_the_limit_clears_the_count(client):
    make_user("coord_a")
    for _ in range(4):
        _login(client, "coord_a", "wrong")
    assert _login(client, "coord_a", PASSWORD).status_code == 302
    assert not AccessAttempt.objects.filter(username="coord_a").exists()


@pytest.fixture
def locked_out(db):
    make_user("supervisor")
    browser = Client()
    for _ in range(5):
        _login(browser, "supervisor", "wrong")
    return "supervisor"


def _verified_client(user) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


def test_staff_with_the_permission_unlock_it(locked_out, role_user):
    superuser = role_user("superuser")
    root = _verified_client(superuser)
    page = root.get(reverse("accounts_lockouts")).content.decode()
    assert "supervisor" in page and "192.0.2.1" in page
    response = root.post(
        reverse("accounts_lockouts"), {"kind": "username", "value": locked_out}, follow=True
    )
    assert "supervisor のロックを解除しました" in response.content.decode()
    assert "supervisor" not in root.get(reverse("accounts_lockouts")).content.decode()
    assert _login(Client(), "supervisor", PASSWORD).status_code == 302
    entry = ModelLogEntry.objects.get(action="accounts.login_unlock")
    assert entry.user == superuser
    assert entry.data == {"kind": "username", "value": locked_out}


def test_the_unlock_permission_can_be_given_to_non_superusers(locked_out, role_user):
    staff = role_user("town_staff")
    staff.user_permissions.add(Permission.objects.get(codename="unlock_login"))
    browser = _verified_client(staff)
    browser.post(reverse("accounts_lockouts"), {"kind": "ip_address", "value": "192.0.2.1"})
    assert _login(Client(), "supervisor", PASSWORD).status_code == 302


@pytest.mark.parametrize("role", ["coordinator", "supervisor", "town_staff", "group_editor"])
def test_others_cannot_see_or_unlock(locked_out, role_user, role):
    browser = _verified_client(role_user(role))
    assert denied(browser.get(reverse("accounts_lockouts")))
    response = browser.post(
        reverse("accounts_lockouts"), {"kind": "username", "value": "supervisor"}
    )
    assert denied(response)
    assert _login(Client(), "supervisor", PASSWORD, ip="198.51.100.7").status_code == 429
    assert not ModelLogEntry.objects.filter(action="accounts.login_unlock").exists()


def test_an_empty_unlock_request_unlocks_nobody(locked_out, role_user):
    root = _verified_client(role_user("superuser"))
    response = root.post(
        reverse("accounts_lockouts"), {"kind": "username", "value": ""}, follow=True
    )
    assert "何も解除していません" in response.content.decode()
    assert AccessAttempt.objects.filter(username="supervisor").exists()


def test_the_unlock_menu_item_is_only_for_the_permission(locked_out, role_user):
    assert (
        "/admin/lockouts/"
        in _verified_client(role_user("superuser")).get("/admin/").content.decode()
    )
    assert (
        "/admin/lockouts/"
        not in _verified_client(role_user("town_staff")).get("/admin/").content.decode()
    )


def test_the_lockout_counts_no_request_without_the_address(rf, settings):
    request = rf.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4, 5.6.7.8")
    assert client_ip(request) == "10.0.0.5"  # no trusted proxy: the header could be made up
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "5.6.7.8"  # what our one proxy saw, not what the client wrote


def test_a_locked_out_user_with_2fa_still_cannot_get_in(locked_out, django_user_model):
    user = django_user_model.objects.get(username=locked_out)
    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    browser = Client()
    assert _login(browser, locked_out, PASSWORD).status_code == 429
    assert browser.post("/admin/2fa/verify/", {"token": next_code(device)}).status_code == 302
    assert not _signed_in(browser)
