from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutboxConfig(AppConfig):
    name = "outbox"
    verbose_name = _("Outbox")

    def ready(self) -> None:
        from . import registry, stored

        registry.register(stored.KIND, label=_("Email (stored)"), compose=stored.compose)
