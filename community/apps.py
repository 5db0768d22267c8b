from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "community"
    verbose_name = _("community publishing")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import emails, receivers

        receivers.connect()
        emails.register()
