"""A volunteer's own shifts as an iCalendar feed (RFC 5545) for their phone's calendar.

Stable UIDs per sign-up, times in Asia/Tokyo with its VTIMEZONE, cancelled sign-ups kept as
STATUS:CANCELLED so calendar apps remove them instead of keeping a stale entry.
"""

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from tsunagu.text import single_line, without_controls

from .models import SignUp, Volunteer

FEED_HISTORY = dt.timedelta(days=90)
UID_DOMAIN = "volunteers.tsunagu"


def volunteer_calendar(*, volunteer: Volunteer) -> bytes:
    signups = (
        SignUp.objects.filter(
            volunteer=volunteer,
            shift__date__gte=timezone.localdate() - FEED_HISTORY,
        )
        .exclude(status=SignUp.Status.WAITLISTED)
        .select_related("shift__opportunity")
        .order_by("shift__date", "shift__starts_at")
    )
    calendar = Calendar.new(
        name=_("My volunteering"),
        prodid=f"-//{settings.WAGTAIL_SITE_NAME}//volunteers//JA",
        refresh_interval=dt.timedelta(hours=6),
    )
    for signup in signups:
        shift = signup.shift
        opportunity = shift.opportunity
        event = Event.new(
            uid=f"signup-{signup.pk}@{UID_DOMAIN}",
            start=shift.starts,
            end=shift.ends,
            stamp=timezone.now(),
            # Controls (a pasted line break) are not allowed in iCalendar text.
            summary=single_line(opportunity.title),
            location=single_line(opportunity.address) or None,
            description=without_controls(shift.note or opportunity.summary) or None,
            url=opportunity.full_url,
            status="CANCELLED" if signup.status == SignUp.Status.CANCELLED else "CONFIRMED",
            sequence=1 if signup.status == SignUp.Status.CANCELLED else 0,
        )
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
