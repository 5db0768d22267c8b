from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResourcesConfig(AppConfig):
    name = "resources"
    verbose_name = _("community resources")

    def ready(self) -> None:
        from . import signals

        signals.connect()
