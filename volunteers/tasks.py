"""Celery tasks: ids in, one service or email call, nothing else (the rules live in services)."""

import logging
from smtplib import SMTPException

from celery import shared_task

from . import emails, selectors, services
from .models import Volunteer

logger = logging.getLogger(__name__)

EMAIL_RETRY = {
    "autoretry_for": (SMTPException, ConnectionError, TimeoutError),
    "retry_backoff": True,
    "retry_kwargs": {"max_retries": 5},
    "ignore_result": True,
}


@shared_task(**EMAIL_RETRY)
def send_volunteer_email(kind: str, volunteer_id: int, object_id: int | None = None) -> None:
    """One email to one volunteer; a volunteer withdrawn meanwhile is skipped."""
    volunteer = (
        Volunteer.objects.exclude(status=Volunteer.Status.WITHDRAWN).filter(pk=volunteer_id).first()
    )
    if volunteer is None:
        logger.info("volunteer %s is gone; %s not sent", volunteer_id, kind)
        return
    emails.send_volunteer_email(kind=kind, volunteer=volunteer, object_id=object_id)


@shared_task(**EMAIL_RETRY)
def notify_coordinators(volunteer_id: int) -> None:
    """A new registration awaits approval."""
    volunteer = Volunteer.objects.filter(pk=volunteer_id, status=Volunteer.Status.PENDING).first()
    recipients = list(selectors.volunteer_coordinators().values_list("email", flat=True))
    if volunteer is not None and recipients:
        emails.send_coordinator_email(volunteer=volunteer, recipients=recipients)


@shared_task(**EMAIL_RETRY)
def deliver_notices(notice_ids: list[int]) -> None:
    """Send a sweep's batch of claimed reminders or thank-yous (each at most once)."""
    services.notices_deliver(notice_ids=notice_ids)


@shared_task(ignore_result=True)
def send_shift_reminders() -> None:
    """Hourly: claim tomorrow's confirmed sign-ups not yet reminded, and queue their emails."""
    services.signup_reminders_claim()


@shared_task(ignore_result=True)
def send_shift_thanks() -> None:
    """Hourly: log hours for shifts that have ended and queue a thank-you for each."""
    services.signup_thanks_claim()
