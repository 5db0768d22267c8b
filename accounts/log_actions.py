"""The security actions written to Wagtail's log (site history): who reset whose 2FA, who
unlocked which account or address. Registered in wagtail_hooks.py."""

from django.utils.translation import gettext_lazy as _

TWO_FACTOR_RESET = "accounts.two_factor_reset"
LOGIN_UNLOCK = "accounts.login_unlock"

ACTIONS = {
    TWO_FACTOR_RESET: (_("Reset two-factor authentication"), _("Two-factor authentication reset")),
    LOGIN_UNLOCK: (_("Unlock login"), _("Login lockout lifted")),
}
