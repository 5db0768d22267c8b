from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "matching"
    verbose_name = _("participation support")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from resources.models import OfferTerm

        from . import emails
        from .selectors import forget_pool

        emails.register()
        for signal in (post_save, post_delete):
            signal.connect(forget_pool, sender=OfferTerm, dispatch_uid=f"matching-offers-{signal}")
