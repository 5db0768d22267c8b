"""Celery tasks: ids in, a service call, nothing else (the rules live in services)."""

from celery import shared_task

from . import services


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
