from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VerificationConfig(AppConfig):
    name = "verification"
    verbose_name = _("verification")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from outbox import registry

        from . import emails

        registry.register(emails.KIND, label=_("Listing check reminder"), compose=emails.compose)
