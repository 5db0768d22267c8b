"""Celery tasks: ids in, a service call, nothing else (the rules live in services)."""

from smtplib import SMTPException

from celery import shared_task

from . import services


@shared_task(
    autoretry_for=(SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    retry_kwargs={"max_retries": 5},
    ignore_result=True,
)
def send_signup_confirmation(signup_id: int) -> None:
    """Email one applicant; a missing, cancelled or already-confirmed sign-up is skipped."""
    services.signup_send_confirmation(signup_id=signup_id)


@shared_task(ignore_result=True)
def erase_expired_signups() -> None:
    """Daily: anonymise sign-ups EVENTS_SIGNUP_RETENTION_DAYS after their event ended."""
    services.signups_erase_expired()


@shared_task(ignore_result=True)
def extend_occurrences() -> None:
    """Daily: store the dates of never-ending series up to the horizon from today."""
    services.occurrences_extend()


@shared_task(ignore_result=True)
def refresh_ical() -> None:
    """Render every event's VEVENT again after the site's address or the calendar's URL changed."""
    services.events_refresh_ical()
