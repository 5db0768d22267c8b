"""Celery tasks: look up and delegate; the rules live in services."""

from smtplib import SMTPException

from celery import shared_task


@shared_task(ignore_result=True)
def send_verification_reminders() -> None:
    """Daily: claim listings and operators due a re-confirmation; delivery is queued per batch."""
    from . import services

    services.reminders_claim()


@shared_task(
    autoretry_for=(SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    retry_kwargs={"max_retries": 5},
    ignore_result=True,
)
def deliver_verification_reminders(reminder_ids: list[int]) -> None:
    """Send one sweep's claimed reminders (each at most once)."""
    from . import services

    services.reminders_deliver(reminder_ids=reminder_ids)
