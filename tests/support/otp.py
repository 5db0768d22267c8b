"""The code an authenticator app would show, for tests that sign in like a person."""

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


def next_code(device: TOTPDevice) -> str:
    """A code this device will accept now.

    Each code works once, so a second sign-in within the same 30 seconds needs the next step's
    code (the device accepts one step of clock drift).
    """
    device.refresh_from_db()
    clock = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if device.last_t >= clock.t():
        clock.drift += 1
    return f"{clock.token():0{device.digits}d}"
