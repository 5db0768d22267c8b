"""A coordinator's first login sets up the authenticator; the next one asks for its code.

In Chromium against the live server: the key is read from the set-up page as a person would
type it into an app, the code is computed from it, and the client list opens only after it.
"""

import pytest
from django.db import connection
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.e2e.admin_login import code_from_secret
from tests.matching.factories import PASSWORD, ClientFactory, TeamFactory, make_user
from tests.support.otp import next_code

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_sets_up_2fa_then_is_asked_for_the_code(page, live_server):
    try:
        _flow(page, live_server.url)
    finally:
        connection.close()  # the ORM connection Playwright's loop made (see test_community_…)


def _log_in(page, base: str) -> None:
    page.goto(base + "/admin/clients/")
    page.locator("#id_username").fill("coord_a")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("button[type=submit]").click()


def _flow(page, base: str) -> None:
    team = TeamFactory(name="地域包括支援センター")
    coordinator = make_user("coord_a", team=team)
    person = ClientFactory(team=team, reference_code="E2E-001")
    person.coordinators.add(coordinator)

    # First login: the password is not enough; the set-up page comes instead of the list.
    _log_in(page, base)
    page.wait_for_url(f"{base}/admin/2fa/setup/**")
    assert page.locator(".accounts-qr svg").count() == 1
    assert page.get_by_role("heading", level=1).inner_text() == "二要素認証の設定"
    page.goto(base + "/admin/clients/")  # no way round it
    page.wait_for_url(f"{base}/admin/2fa/setup/**")

    page.locator("#id_token").fill("000000")
    page.get_by_role("button", name="確認して有効にする").click()
    page.get_by_text("コードが正しくありません").first.wait_for()
    assert not TOTPDevice.objects.get(user=coordinator).confirmed
    page.wait_for_timeout(1100)  # a wrong code makes the next try wait a second (django-otp)

    secret = page.locator("#totp-secret").inner_text()
    page.locator("#id_token").fill(code_from_secret(secret))
    page.get_by_role("button", name="確認して有効にする").click()
    page.wait_for_selector(".accounts-recovery-codes")
    assert page.locator(".accounts-recovery-codes li").count() == 10
    page.get_by_role("link", name="続ける").click()
    page.wait_for_url(f"{base}/admin/clients/")
    assert "E2E-001" in page.locator("main").inner_text()

    # Log out (a POST from the account menu's form), then log in again: now the code is asked.
    page.goto(base + "/admin/logout/")
    page.get_by_role("button", name="ログアウト").click()
    page.wait_for_url(f"{base}/admin/login/**")
    _log_in(page, base)
    page.wait_for_url(f"{base}/admin/2fa/verify/**")
    page.goto(base + "/admin/clients/")
    page.wait_for_url(f"{base}/admin/2fa/verify/**")
    page.locator("#id_token").fill(next_code(TOTPDevice.objects.get(user=coordinator)))
    page.get_by_role("button", name="確認する").click()
    page.wait_for_url(f"{base}/admin/clients/")
    assert "E2E-001" in page.locator("main").inner_text()
