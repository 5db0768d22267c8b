"""No tables of its own: the devices are django-otp's, the failed logins django-axes'.

The model exists so that the two staff-security permissions have a home in the group editor.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

RESET_2FA_PERMISSION = "accounts.reset_2fa"
UNLOCK_PERMISSION = "accounts.unlock_login"


class StaffSecurity(models.Model):
    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("reset_2fa", _("Can reset another user's two-factor authentication")),
            ("unlock_login", _("Can unlock locked-out logins")),
        ]
