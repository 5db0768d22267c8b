"""Celery tasks of the outbox: ids in, a service call, nothing else.

Neither task retries itself: a row that could not be sent is back in the table with its next
attempt time, and the sweep (not a Celery countdown) brings it round again.
"""

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def deliver(message_ids: list[int]) -> None:
    """Send the given rows that are still to be sent."""
    from .services import deliver as deliver_rows

    if done := deliver_rows(message_ids):
        logger.info("outbox deliver: %s", dict(done))


@shared_task(ignore_result=True)
def sweep() -> None:
    """Claim due rows (and rows whose lease ran out) and publish their ids."""
    from .services import sweep as sweep_rows

    if done := sweep_rows():
        logger.info("outbox sweep: %s", dict(done))
