"""A volunteer's own shifts as an iCalendar feed (RFC 5545) for their phone's calendar.

UIDs per sign-up under the install's own id (never a fixed domain shared by every install, nor
the Host header), times in Asia/Tokyo with its VTIMEZONE, cancelled sign-ups kept as
STATUS:CANCELLED so calendar apps remove them instead of keeping a stale entry. SEQUENCE rises
when the shift moves (``Shift.sequence``) and once more on cancellation; DTSTAMP is when the
entry last changed, so an unchanged feed is byte-for-byte the same (and answers 304).
"""

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from tsunagu.ical import add_feed_properties, calendar_uid
from tsunagu.models import install_id
from tsunagu.text import single_line, without_controls

from .models import SignUp, Volunteer

FEED_HISTORY = dt.timedelta(days=90)
REFRESH_EVERY = dt.timedelta(hours=6)


def _changed(signup: SignUp) -> dt.datetime:
    """The last change to what this entry shows: the sign-up, the shift's times, the page."""
    shift = signup.shift
    moments = (
        signup.created_at,
        signup.confirmed_at,
        signup.promoted_at,
        signup.cancelled_at,
        shift.changed_at,
        shift.opportunity.last_published_at,
    )
    return max(moment for moment in moments if moment)


def volunteer_calendar(*, volunteer: Volunteer) -> tuple[bytes, dt.datetime | None]:
    """The volunteer's feed and when it last changed (its Last-Modified)."""
    signups = (
        SignUp.objects.filter(
            volunteer=volunteer,
            shift__date__gte=timezone.localdate() - FEED_HISTORY,
        )
        .exclude(status=SignUp.Status.WAITLISTED)
        .select_related("shift__opportunity")
        .order_by("shift__date", "shift__starts_at")
    )
    domain = install_id()
    calendar = Calendar.new(
        name=_("My volunteering"), prodid=f"-//{settings.WAGTAIL_SITE_NAME}//volunteers//JA"
    )
    # The same calendar after a token is reissued: keyed by the volunteer, not the URL.
    add_feed_properties(
        calendar, uid=calendar_uid(domain, f"volunteer-{volunteer.pk}"), refresh=REFRESH_EVERY
    )
    last_changed = None
    for signup in signups:
        shift = signup.shift
        opportunity = shift.opportunity
        cancelled = signup.status == SignUp.Status.CANCELLED
        stamp = _changed(signup)
        last_changed = max(last_changed or stamp, stamp)
        event = Event.new(
            uid=f"signup-{signup.pk}@{domain}",
            start=shift.starts,
            end=shift.ends,
            stamp=stamp.astimezone(dt.UTC),
            last_modified=stamp.astimezone(dt.UTC),
            # Controls (a pasted line break) are not allowed in iCalendar text.
            summary=single_line(opportunity.title),
            location=single_line(opportunity.address) or None,
            description=without_controls(shift.note or opportunity.summary) or None,
            url=opportunity.full_url,
            status="CANCELLED" if cancelled else "CONFIRMED",
            sequence=shift.sequence + (1 if cancelled else 0),
        )
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical(), last_changed
