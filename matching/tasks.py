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
