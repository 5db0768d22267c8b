"""The checklist town staff see before approving a listing or event (「確認項目」).

Residents act on what a listing says: where to go, in which district, when, whom to call and
whether it is for them. A page missing one of these is sent back, never published: the review
screen shows each check with its reason, and ``ReachableApprovalTask`` refuses approval while
any fails (``approval_problems``), whichever screen the approval comes from.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from wagtail.models import Page

from events.models import EventPage
from resources.contact import reachable_contact
from resources.models import ActivityPage, ListingPage, PlacePage
from resources.models.pages import AUDIENCE_FLAGS
from resources.schedule_text import schedule_lines
from volunteers.models import OpportunityPage

from .moderation import contact_problem


@dataclass(frozen=True)
class Check:
    """One required item: its name, and either what the page says (passed) or why it fails."""

    name: str
    detail: str
    passed: bool


def _place(page: ListingPage) -> PlacePage | None:
    place_id = getattr(page, "place_id", None)
    return PlacePage.objects.filter(pk=place_id).first() if place_id else None


def _location(page: ListingPage) -> Check:
    name = _("Venue or place")
    place = _place(page)
    target = getattr(page, "target", None) if getattr(page, "target_id", None) else None
    where = [
        place.title if place else "",
        getattr(page, "venue_name", ""),
        page.address,
        target.title if target else "",
    ]
    if text := " ".join(part for part in where if part):
        return Check(name, text, True)
    if isinstance(page, PlacePage):
        return Check(name, _("The place has no address: enter it."), False)
    return Check(
        name,
        _("There is no venue: choose a place from the directory or enter the venue and address."),
        False,
    )


def _district(page: ListingPage) -> Check:
    name = _("District")
    place = _place(page)
    area = page.area if page.area_id else (place.area if place and place.area_id else None)
    if area is not None:
        return Check(name, area.name, True)
    return Check(name, _("No district is chosen: choose the district it is in."), False)


def _when(page: ListingPage) -> Check | None:
    """Events have a start, activities a weekly schedule, opportunities shifts; places none."""
    name = _("Date and time")
    if isinstance(page, EventPage):
        if page.start is None:
            return Check(name, _("There is no date and time: enter when it starts."), False)
        return Check(name, date_format(timezone.localtime(page.start), "DATETIME_FORMAT"), True)
    if isinstance(page, ActivityPage):
        if lines := schedule_lines(page.schedule_rules.all()):
            return Check(name, " / ".join(lines), True)
        return Check(name, _("There is no schedule: enter the days and times it is held."), False)
    if isinstance(page, OpportunityPage):
        if dates := sorted(shift.date for shift in page.shifts.all()):
            return Check(name, date_format(dates[0], "DATE_FORMAT"), True)
        return Check(name, _("There are no shifts: enter the dates volunteers are needed."), False)
    return None


def _contact(page: ListingPage) -> Check:
    name = _("Contact details")
    if problem := contact_problem(page):
        return Check(name, problem, False)
    contact = reachable_contact(page)
    channels = (contact.phone, contact.email)
    return Check(name, " ".join(channel.value for channel in channels if channel), True)


def _audience(page: ListingPage) -> Check:
    name = _("Audience")
    chosen = [
        str(page._meta.get_field(flag).verbose_name)
        for flag in AUDIENCE_FLAGS
        if getattr(page, flag)
    ]
    if page.min_age is not None or page.max_age is not None:
        ages = f"{page.min_age if page.min_age is not None else ''}〜"
        chosen.append(ages + (str(page.max_age) if page.max_age is not None else ""))
    if chosen:
        return Check(name, "、".join(chosen), True)
    return Check(name, _("Nobody is chosen as the audience: choose whom it is for."), False)


def review_checks(page: Page) -> list[Check]:
    """The checks for the page as approving would publish it; none for pages that are not
    listings (the town's own index pages)."""
    if not isinstance(page, ListingPage):
        return []
    checks = [_location(page), _district(page), _when(page), _contact(page), _audience(page)]
    return [check for check in checks if check is not None]


def approval_problems(page: Page) -> list[str]:
    """Why the page must not be approved (Japanese, one per failing check); empty when it may."""
    return [f"{check.name}：{check.detail}" for check in review_checks(page) if not check.passed]
