"""Celery tasks of the matching flow: ids in, a service call, nothing else.

Payloads are proposal ids only — never a client field — so a broker, a result backend or a
failed-task report holds nothing about a person. The services enqueue these tasks, so each task
imports its service when it runs rather than at import time (no import cycle).
"""

import logging
from smtplib import SMTPException

from celery import shared_task

logger = logging.getLogger(__name__)

MAIL_RETRY = {
    "autoretry_for": (SMTPException, OSError),
    "retry_backoff": True,
    "retry_kwargs": {"max_retries": 5},
}


@shared_task(ignore_result=True, **MAIL_RETRY)
def proposal_notify(proposal_id: str) -> None:
    """Email a sent proposal to the host place (the sweep repeats it if this is lost)."""
    from .services import proposal_notify

    proposal_notify(proposal_id=proposal_id)


@shared_task(ignore_result=True, **MAIL_RETRY)
def proposal_answered(proposal_id: str) -> None:
    """Tell the client's coordinators that the host place answered."""
    from .services import proposal_answered_notify

    proposal_answered_notify(proposal_id=proposal_id)


@shared_task(ignore_result=True)
def proposal_sweep() -> None:
    """Beat: expire, notify and remind whatever is due (idempotent)."""
    from .services import proposal_sweep

    if done := proposal_sweep():
        logger.info("proposal sweep: %s", dict(done))
