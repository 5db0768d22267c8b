"""Volunteers, opportunities and shifts (DESIGN.md: personal data in models, content in pages)."""

from .email_changes import EmailChange
from .hours import HoursEntry
from .pages import OpportunityPage, Shift, VolunteerIndexPage
from .people import PRIVACY_NOTICE_VERSION, Volunteer
from .signups import SignUp

__all__ = [
    "PRIVACY_NOTICE_VERSION",
    "EmailChange",
    "HoursEntry",
    "OpportunityPage",
    "Shift",
    "SignUp",
    "Volunteer",
    "VolunteerIndexPage",
]
