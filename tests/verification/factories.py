"""Listings with a chosen verification date, made the way editors make them (published)."""

import datetime as dt
from typing import Any

from resources.models import Organization
from tests.resources.factories import ActivityPageFactory, OrganizationFactory, PlacePageFactory


def operator(email: str = "", **fields: Any) -> Organization:
    """An operator verified recently, so only its listings are due unless a test says so."""
    fields.setdefault("assured_date", dt.date(2026, 11, 1))
    return OrganizationFactory(email=email, **fields)


def place(assured: dt.date | None, organization: Organization | None = None, **fields: Any):
    return PlacePageFactory(assured_date=assured, organization=organization, **fields)


def activity(assured: dt.date | None, organization: Organization | None = None, **fields: Any):
    return ActivityPageFactory(assured_date=assured, organization=organization, **fields)
