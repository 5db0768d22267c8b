import logging

from django.apps import AppConfig
from django.conf import settings

logger = logging.getLogger(__name__)


class TsunaguConfig(AppConfig):
    name = "tsunagu"
    verbose_name = "つなぐ"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import routing

        routing.connect()
        # Eager mode is the embedded default; say so, so nobody mistakes it for a running worker.
        if settings.CELERY_TASK_ALWAYS_EAGER:
            logger.info("Celery runs tasks in-process (eager): no broker configured.")
