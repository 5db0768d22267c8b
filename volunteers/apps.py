from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteersConfig(AppConfig):
    name = "volunteers"
    verbose_name = _("volunteers")

    def ready(self) -> None:
        from . import emails, signals

        signals.connect()
        emails.register()
