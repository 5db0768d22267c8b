"""Signing in to the admin in the browser, through the second factor (accounts/)."""

from base64 import b32decode

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.support.otp import next_code


def code_from_secret(secret: str) -> str:
    """What an authenticator app shows for the key typed from the set-up page."""
    return f"{totp(b32decode(secret.replace(' ', ''))):06d}"


def admin_log_in(page, base: str, username: str, password: str) -> None:
    """Sign in to the admin as a person would, through the second factor when it is asked for:
    the first time the key is read from the set-up page, later the phone's code is computed."""
    page.goto(base + "/admin/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("button[type=submit]").click()
    page.wait_for_load_state()
    if "/admin/2fa/setup/" in page.url:
        page.locator("#id_token").fill(code_from_secret(page.locator("#totp-secret").inner_text()))
        page.get_by_role("button", name="確認して有効にする").click()
        page.get_by_role("link", name="続ける").click()
    elif "/admin/2fa/verify/" in page.url:
        device = TOTPDevice.objects.get(user__username=username, confirmed=True)
        page.locator("#id_token").fill(next_code(device))
        page.get_by_role("button", name="確認する").click()
    page.wait_for_url(base + "/admin/**")
