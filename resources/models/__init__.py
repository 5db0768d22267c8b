"""Community resources after HSDS 3.0: organization → service (Activity) → location (Place)."""

from .areas import Area
from .organizations import Organization
from .pages import ActivityPage, DirectoryIndexPage, ListingPage, PlaceImage, PlacePage
from .readings import PlaceNameReading
from .schedules import ScheduleException, ScheduleRule
from .vocabulary import ListingTag, OfferTerm, Term

__all__ = [
    "ActivityPage",
    "Area",
    "DirectoryIndexPage",
    "ListingPage",
    "ListingTag",
    "OfferTerm",
    "Organization",
    "PlaceImage",
    "PlaceNameReading",
    "PlacePage",
    "ScheduleException",
    "ScheduleRule",
    "Term",
]
