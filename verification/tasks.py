"""Celery tasks: look up and delegate; the rules live in services."""

from celery import shared_task


@shared_task(ignore_result=True)
def send_verification_reminders() -> None:
    """Daily: claim listings and operators due a re-confirmation; the outbox sends them."""
    from . import services

    services.reminders_claim()
