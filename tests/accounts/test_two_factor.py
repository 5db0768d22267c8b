"""Setting up TOTP, entering codes, recovery codes, and resetting someone else's 2FA."""

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.models import ModelLogEntry

from accounts import devices
from tests.support.otp import next_code

from .conftest import denied

pytestmark = [pytest.mark.django_db, pytest.mark.unverified_login]

SETUP = "/admin/2fa/setup/"
VERIFY = "/admin/2fa/verify/"


def _recovery_codes(html: str) -> list[str]:
    return re.findall(r"<li><code>([a-z2-7]{8})</code></li>", html)


def test_the_set_up_page_draws_the_qr_code_and_shows_the_secret(client, coordinator):
    client.force_login(coordinator)
    html = client.get(SETUP).content.decode()
    device = TOTPDevice.objects.get(user=coordinator)
    assert not device.confirmed
    assert "<svg" in html and "otpauth" not in html  # drawn here, not fetched from anyone
    assert devices.secret_text(device) in html
    assert "認証アプリ" in html
    # A reload shows the same secret, not a new one the phone does not have.
    client.get(SETUP)
    assert TOTPDevice.objects.filter(user=coordinator).count() == 1


def test_a_wrong_code_does_not_turn_it_on(client, coordinator):
    client.force_login(coordinator)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=coordinator)
    wrong = f"{(int(next_code(device)) + 1) % 1_000_000:06d}"
    response = client.post(SETUP, {"token": wrong, "next": "/admin/"})
    assert response.status_code == 200
    assert "コードが正しくありません" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert not StaticDevice.objects.filter(user=coordinator).exists()
    assert client.get("/admin/")["Location"].startswith(reverse("accounts_2fa_setup"))


def test_the_right_code_turns_it_on_and_shows_ten_recovery_codes(client, coordinator):
    client.force_login(coordinator)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=coordinator)
    response = client.post(SETUP, {"token": next_code(device), "next": "/admin/clients/"})
    html = response.content.decode()
    codes = _recovery_codes(html)
    assert len(set(codes)) == 10
    assert "no-store" in response["Cache-Control"]
    assert 'href="/admin/clients/"' in html
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/admin/").status_code == 200
    # Shown once: the devices page only counts them.
    devices_page = client.get(reverse("accounts_2fa_devices")).content.decode()
    assert codes[0] not in devices_page and "10" in devices_page


def test_full_width_digits_are_accepted(client, coordinator):
    client.force_login(coordinator)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=coordinator)
    full_width = next_code(device).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    client.post(SETUP, {"token": full_width[:3] + " " + full_width[3:]})
    device.refresh_from_db()
    assert device.confirmed


def test_a_password_alone_cannot_add_a_second_authenticator(client, coordinator, confirmed_device):
    client.force_login(coordinator)
    response = client.get(SETUP)
    assert response["Location"].startswith(reverse("accounts_2fa_verify"))
    assert TOTPDevice.objects.filter(user=coordinator).count() == 1


def test_a_wrong_code_is_refused_at_login(client, coordinator, confirmed_device):
    client.force_login(coordinator)
    wrong = f"{(int(next_code(confirmed_device)) + 1) % 1_000_000:06d}"
    response = client.post(VERIFY, {"token": wrong, "next": "/admin/clients/"})
    assert response.status_code == 200
    assert "コードが正しくありません" in response.content.decode()
    assert client.get("/admin/").status_code == 302


def test_the_right_code_lets_them_in_and_renews_the_session_key(
    client, coordinator, confirmed_device
):
    client.force_login(coordinator)
    before = client.cookies["sessionid"].value
    response = client.post(VERIFY, {"token": next_code(confirmed_device), "next": "/admin/pages/"})
    assert response.status_code == 302 and response["Location"] == "/admin/pages/"
    assert client.cookies["sessionid"].value != before
    assert client.get("/admin/").status_code == 200


def test_a_foreign_next_address_is_ignored(client, coordinator, confirmed_device):
    client.force_login(coordinator)
    response = client.post(
        VERIFY, {"token": next_code(confirmed_device), "next": "https://evil.example/"}
    )
    assert response["Location"] == "/admin/"


def test_a_code_works_only_once(client, coordinator, confirmed_device):
    code = next_code(confirmed_device)
    client.force_login(coordinator)
    assert client.post(VERIFY, {"token": code}).status_code == 302
    client.logout()
    client.force_login(coordinator)
    assert client.post(VERIFY, {"token": code}).status_code == 200
    assert client.get("/admin/").status_code == 302


def test_repeated_wrong_codes_are_slowed_down(client, coordinator, confirmed_device):
    client.force_login(coordinator)
    with time_machine.travel(dt.datetime.now(dt.UTC), tick=False):
        for _ in range(3):
            client.post(VERIFY, {"token": "000000x"})
        response = client.post(VERIFY, {"token": next_code(confirmed_device)})
    assert response.status_code == 200
    assert "しばらく待って" in response.content.decode()


def test_a_recovery_code_works_once(client, coordinator, confirmed_device):
    codes = devices.recovery_codes_replace(user=coordinator)
    client.force_login(coordinator)
    response = client.post(VERIFY, {"token": codes[0].upper(), "next": "/admin/"}, follow=True)
    assert response.status_code == 200
    assert "残りは 9 個です" in response.content.decode()
    client.logout()
    client.force_login(coordinator)
    response = client.post(VERIFY, {"token": codes[0]})
    assert response.status_code == 200
    assert client.get("/admin/").status_code == 302
    assert StaticToken.objects.filter(device__user=coordinator).count() == 9


def test_new_recovery_codes_replace_the_old(client, coordinator, confirmed_device):
    old = devices.recovery_codes_replace(user=coordinator)
    client.force_login(coordinator)
    client.post(VERIFY, {"token": next_code(confirmed_device)})
    new = _recovery_codes(client.post(reverse("accounts_2fa_devices")).content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    assert devices.matching_device(coordinator, new[0]) is not None
    assert devices.matching_device(coordinator, old[0]) is None


def test_an_unverified_session_cannot_make_recovery_codes(client, editor):
    TOTPDevice.objects.create(user=editor, name="authenticator", confirmed=True)
    client.force_login(editor)
    response = client.post(reverse("accounts_2fa_devices"))
    assert response.status_code == 302
    assert not StaticDevice.objects.filter(user=editor).exists()


@pytest.fixture
def resetter(client, role_user):
    """A superuser, signed in with a verified second factor."""
    root = role_user("superuser")
    device = TOTPDevice.objects.create(user=root, name="authenticator", confirmed=True)
    client.force_login(root)
    client.post(VERIFY, {"token": next_code(device)})
    return root


def test_a_superuser_resets_someones_2fa(client, resetter, coordinator, confirmed_device):
    devices.recovery_codes_replace(user=coordinator)
    page = client.get(reverse("accounts_staff_2fa")).content.decode()
    assert "coord" in page
    response = client.post(reverse("accounts_staff_2fa"), {"user": coordinator.pk}, follow=True)
    assert "リセットしました" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=coordinator).exists()
    assert not StaticDevice.objects.filter(user=coordinator).exists()
    entry = ModelLogEntry.objects.get(action="accounts.two_factor_reset")
    assert (entry.object_id, entry.user) == (str(coordinator.pk), resetter)


def test_others_cannot_reset_2fa(client, role_user, confirmed_device, coordinator):
    other = role_user("town_staff")
    device = TOTPDevice.objects.create(user=other, name="authenticator", confirmed=True)
    client.force_login(other)
    client.post(VERIFY, {"token": next_code(device)})
    assert denied(client.get(reverse("accounts_staff_2fa")))
    response = client.post(reverse("accounts_staff_2fa"), {"user": coordinator.pk})
    assert denied(response)
    assert TOTPDevice.objects.filter(user=coordinator).exists()
    assert not ModelLogEntry.objects.filter(action="accounts.two_factor_reset").exists()


def test_the_reset_permission_does_not_reach_superusers(client, role_user, coordinator):
    from django.contrib.auth.models import Permission

    root = role_user("superuser")
    root_device = TOTPDevice.objects.create(user=root, name="authenticator", confirmed=True)
    coordinator.user_permissions.add(Permission.objects.get(codename="reset_2fa"))
    device = TOTPDevice.objects.create(user=coordinator, name="authenticator", confirmed=True)
    client.force_login(coordinator)
    client.post(VERIFY, {"token": next_code(device)})
    assert denied(client.post(reverse("accounts_staff_2fa"), {"user": root.pk}))
    assert TOTPDevice.objects.filter(pk=root_device.pk).exists()
