"""Project-wide periodic tasks."""

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

HEARTBEAT_CACHE_KEY = "tsunagu:celery:heartbeat"


@shared_task(ignore_result=True)
def heartbeat() -> None:
    """Beat → worker round trip; /healthz reports its age so a stalled beat or worker shows."""
    cache.set(HEARTBEAT_CACHE_KEY, timezone.now().isoformat(), timeout=3600)
