from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Staff sign-in: two-factor verification, login throttling, session lifetime, logout."""

    name = "accounts"
    verbose_name = _("Staff accounts")

    def ready(self) -> None:
        from . import receivers  # noqa: F401
