from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResourcesConfig(AppConfig):
    name = "resources"
    verbose_name = _("community resources")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import signals
        from .models.vocabulary import seed_default_offer_terms

        signals.connect()
        post_migrate.connect(seed_default_offer_terms, sender=self)
