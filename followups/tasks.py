"""Celery tasks of the follow-up flow: ids in, a service call, nothing else.

``send_reminders`` takes a chunk of reminder ids (never a personal field) and sends each under
its row lock. If any hit an SMTP or socket error, the error is raised once the whole chunk was
tried, and Celery retries the chunk with exponential backoff: the rows already sent or failed
are skipped under their lock, so only the failing ones are attempted (and counted) again.
Redelivery of a chunk is harmless for the same reason.
"""

import logging
from smtplib import SMTPException

from celery import shared_task
from django.conf import settings

logger = logging.getLogger(__name__)


@shared_task(
    ignore_result=True,
    autoretry_for=(SMTPException, OSError),
    retry_backoff=2,
    retry_backoff_max=600,
    retry_jitter=True,
    # Each attempt is also counted on its row, which fails at FOLLOWUP_MAX_ATTEMPTS.
    max_retries=settings.FOLLOWUP_MAX_ATTEMPTS,
)
def send_reminders(reminder_ids: list[int]) -> None:
    """Send the claimed reminders; re-raise a mail error so Celery retries with backoff."""
    from .services import reminders_send_batch

    if error := reminders_send_batch(reminder_ids=reminder_ids):
        raise error


@shared_task(ignore_result=True)
def followup_sweep() -> None:
    """Beat: claim due reminders (and expired leases) and publish their ids."""
    from .services import sweep

    if done := sweep():
        logger.info("follow-up sweep: %s", dict(done))
