"""Celery tasks of the matching flow: a service call, nothing else.

Emails are not sent from here: they are outbox rows (``matching/emails.py`` composes them),
which the outbox's own tasks send and retry.
"""

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def proposal_sweep() -> None:
    """Beat: expire sent proposals past their deadline (idempotent)."""
    from .services import proposal_sweep

    if done := proposal_sweep():
        logger.info("proposal sweep: %s", dict(done))


@shared_task(ignore_result=True)
def erase_expired_clients() -> None:
    """Beat, daily: erase clients past the retention period (idempotent)."""
    from .erasure import erase_expired

    results = list(erase_expired())
    erased = sum(1 for r in results if r.erased_at is not None)
    refused = [r.reference_code for r in results if r.refused]
    if results:
        # Reference codes only: they are what the audit log and the lists show.
        logger.info("retention: %d erased, not erased (open placement): %s", erased, refused)
