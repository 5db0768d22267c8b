"""Publishing an opportunity with more slots moves waiting volunteers up into them."""

from django.utils import timezone
from wagtail.signals import page_published

from .models import OpportunityPage, Shift, SignUp
from .services import shift_fill_from_waitlist


def fill_added_slots(sender, instance: OpportunityPage, **kwargs) -> None:
    waiting = Shift.objects.filter(
        opportunity_id=instance.pk,
        date__gte=timezone.localdate(),
        signups__status=SignUp.Status.WAITLISTED,
    ).distinct()
    for shift in waiting:
        shift_fill_from_waitlist(shift=shift)


def connect() -> None:
    page_published.connect(fill_added_slots, sender=OpportunityPage, dispatch_uid="volunteers")
