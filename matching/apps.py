from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "matching"
    verbose_name = _("participation support")

    def ready(self) -> None:
        from . import emails

        emails.register()
