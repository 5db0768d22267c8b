"""Celery tasks: one service call, nothing else (the rules live in services).

No task here sends email: the services write outbox rows, and the outbox sends them.
"""

from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def send_shift_thanks() -> None:
    """Hourly: log hours for shifts that have ended and queue a thank-you for each."""
    services.signup_thanks_claim()
