"""A staff member's second factors: one authenticator app (TOTP) and ten single-use recovery codes.

The devices are django-otp's; a TOTP device counts only after the user has typed a code from it
(``confirmed``), so a QR code scanned wrongly never locks anybody out.
"""

from __future__ import annotations

import logging
import unicodedata
from base64 import b32encode
from typing import Any

import segno
from django.db import transaction
from django_otp import devices_for_user, user_has_device, verify_token
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.log_actions import log

from .log_actions import TWO_FACTOR_RESET

logger = logging.getLogger(__name__)

RECOVERY_CODE_COUNT = 10
TOTP_NAME = "authenticator"
RECOVERY_NAME = "recovery"


def has_confirmed_device(user: Any) -> bool:
    return user_has_device(user, confirmed=True)


def pending_totp_device(user: Any) -> TOTPDevice:
    """The device being set up: the same secret on every reload until it is confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)


def secret_text(device: TOTPDevice) -> str:
    """The secret as authenticator apps expect it typed: base32, in groups of four."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URL as an inline SVG drawn here: the secret never leaves the server."""
    return segno.make(device.config_url, error="m").svg_inline(
        scale=5, dark="#000", light="#fff", omitsize=False
    )


def normalise_token(raw: str) -> str:
    """Full-width digits and spaces or hyphens from copying are fine; recovery codes ignore case."""
    text = unicodedata.normalize("NFKC", raw or "")
    return "".join(ch for ch in text if ch not in " -").lower()


def matching_device(user: Any, token: str) -> Device | None:
    """The confirmed device that accepts this token, if any (each token works once)."""
    for device in list(devices_for_user(user, confirmed=True)):
        verified = verify_token(user, device.persistent_id, token)
        if verified is not None:
            return verified
    return None


def throttled(user: Any) -> bool:
    """Whether wrong codes have made every device wait (django-otp doubles the wait each time)."""
    devices = list(devices_for_user(user, confirmed=True))
    return bool(devices) and not any(device.verify_is_allowed()[0] for device in devices)


@transaction.atomic
def totp_confirm(*, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm the device with a code from it; the user's new recovery codes, or None."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    if not device.verify_token(token):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    logger.info("2FA: user %s confirmed an authenticator", device.user_id)
    return recovery_codes_replace(user=device.user)


@transaction.atomic
def recovery_codes_replace(*, user: Any) -> list[str]:
    """Ten new codes; the old ones stop working. Shown once: only the caller sees them."""
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def recovery_codes_left(user: Any) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def two_factor_reset(*, user: Any, by: Any) -> None:
    """Remove every device: the user sets 2FA up again at their next admin page."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    log(instance=user, action=TWO_FACTOR_RESET, user=by)
