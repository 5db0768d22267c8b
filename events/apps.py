from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("events")

    def ready(self) -> None:
        from outbox import registry

        from . import (
            emails,
            receivers,  # noqa: F401 - connects the signal receivers
        )

        registry.register(
            emails.SIGNUP_CONFIRMATION,
            label=_("Event sign-up confirmation"),
            compose=emails.compose_signup_confirmation,
            audience="events.view_eventsignup",
        )
