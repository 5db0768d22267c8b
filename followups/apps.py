from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupsConfig(AppConfig):
    name = "followups"
    verbose_name = _("Follow-ups")

    def ready(self) -> None:
        from matching.emails import register_host_kind
        from outbox import registry

        from . import emails, receivers  # noqa: F401 — connects matching's signals

        for kind, label in emails.KINDS.items():
            registry.register(kind, label=label, compose=emails.compose)
        register_host_kind(emails.HOST)
