"""Publishing an opportunity moves waiting volunteers up into added slots, and gives shifts
whose date or time changed a reminder for their new time."""

from django.utils import timezone
from wagtail.signals import page_published

from .models import OpportunityPage, Shift, SignUp
from .services import shift_fill_from_waitlist, shift_reminders_schedule


def fill_added_slots(sender, instance: OpportunityPage, **kwargs) -> None:
    waiting = Shift.objects.filter(
        opportunity_id=instance.pk,
        date__gte=timezone.localdate(),
        signups__status=SignUp.Status.WAITLISTED,
    ).distinct()
    for shift in waiting:
        shift_fill_from_waitlist(shift=shift)


def schedule_reminders(sender, instance: OpportunityPage, **kwargs) -> None:
    upcoming = Shift.objects.filter(opportunity_id=instance.pk, date__gt=timezone.localdate())
    shift_reminders_schedule(shifts=upcoming)


def connect() -> None:
    page_published.connect(fill_added_slots, sender=OpportunityPage, dispatch_uid="volunteers")
    page_published.connect(
        schedule_reminders, sender=OpportunityPage, dispatch_uid="volunteers.reminders"
    )
