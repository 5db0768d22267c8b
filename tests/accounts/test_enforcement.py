"""Who must pass a second factor before the admin, and who need not (accounts.policy)."""

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.policy import requires_two_factor

from .conftest import REQUIRED_ROLES

pytestmark = [pytest.mark.django_db, pytest.mark.unverified_login]


@pytest.mark.parametrize("role", REQUIRED_ROLES)
def test_every_role_with_personal_data_must(role_user, role):
    assert requires_two_factor(role_user(role))


@pytest.mark.parametrize("role", REQUIRED_ROLES)
def test_they_are_sent_to_set_up_before_any_admin_page(client, role_user, role):
    client.force_login(role_user(role))
    for url in ("/admin/", "/admin/clients/", "/admin/pages/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert (
            response["Location"]
            == f"{reverse('accounts_2fa_setup')}?next={url.replace('/', '%2F')}"
        )


@pytest.mark.parametrize("role", REQUIRED_ROLES)
def test_with_a_device_they_are_asked_for_the_code(client, role_user, role):
    user = role_user(role)
    TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    client.force_login(user)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts_2fa_verify"))


def test_an_unconfirmed_device_does_not_count(client, coordinator):
    TOTPDevice.objects.create(user=coordinator, name="authenticator", confirmed=False)
    client.force_login(coordinator)
    assert client.get("/admin/")["Location"].startswith(reverse("accounts_2fa_setup"))


def test_a_group_editor_need_not(client, editor):
    assert not requires_two_factor(editor)
    client.force_login(editor)
    assert client.get("/admin/").status_code == 200


def test_a_group_editor_must_when_the_setting_says_so(client, editor, settings):
    settings.STAFF_2FA_REQUIRED_FOR_ALL = True
    assert requires_two_factor(editor)
    client.force_login(editor)
    assert client.get("/admin/")["Location"].startswith(reverse("accounts_2fa_setup"))


def test_a_group_editor_who_chose_2fa_is_held_to_it(client, editor):
    TOTPDevice.objects.create(user=editor, name="authenticator", confirmed=True)
    client.force_login(editor)
    assert client.get("/admin/")["Location"].startswith(reverse("accounts_2fa_verify"))


def test_anonymous_users_never_reach_the_2fa_pages(client):
    for name in ("accounts_2fa_setup", "accounts_2fa_verify", "accounts_2fa_devices"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("wagtailadmin_login"))
    assert not requires_two_factor(None)


def test_inactive_and_anonymous_users_are_not_subject(django_user_model):
    from django.contrib.auth.models import AnonymousUser

    inactive = django_user_model.objects.create_superuser("gone", "g@example.jp", "x")
    inactive.is_active = False
    assert not requires_two_factor(inactive)
    assert not requires_two_factor(AnonymousUser())


def test_the_policy_needs_at_most_three_queries(coordinator, django_assert_max_num_queries):
    # Team memberships, the user's and the groups' permissions (all cached on the user).
    with django_assert_max_num_queries(3):
        requires_two_factor(coordinator)
