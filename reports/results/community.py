"""Figures about the community side in a period: volunteers, event participation, listings.

None of these is a client record, so they are the town's figures whoever asks: the team and
field filters and the breakdown do not apply (the district filter narrows the listings).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from events.models import EventPage
from resources.models import ActivityPage, Area, ListingPage, ListingTag, PlacePage, Term
from volunteers.models import HoursEntry, OpportunityPage, SignUp, Volunteer

from .periods import Period

LISTING_TYPES = (PlacePage, ActivityPage, EventPage, OpportunityPage)


@dataclass(frozen=True)
class HoursRow:
    label: str
    by_month: list[Decimal]

    @property
    def total(self) -> Decimal:
        return sum(self.by_month, Decimal(0))


@dataclass(frozen=True)
class EventMonth:
    month: dt.date
    events: int
    signups: int
    people: int


@dataclass(frozen=True)
class ListingRow:
    """Published listings of one district or interest term, one count per ``LISTING_TYPES``."""

    label: str
    counts: list[int]
    area: Area | None = None

    @property
    def total(self) -> int:
        return sum(self.counts)


def approved_hours(period: Period):
    return HoursEntry.objects.filter(
        status=HoursEntry.Status.APPROVED, date__range=(period.start, period.end)
    )


def active_volunteers(period: Period, today: dt.date) -> int:
    """Volunteers with approved hours, or a confirmed shift that has taken place, in the period."""
    last = min(period.end, today)
    volunteer = OuterRef("pk")
    return Volunteer.objects.filter(
        Exists(approved_hours(period).filter(volunteer=volunteer))
        | Exists(
            SignUp.objects.filter(
                volunteer=volunteer,
                status=SignUp.Status.CONFIRMED,
                shift__date__range=(period.start, last),
            )
        )
    ).count()


def hours_by_organisation(period: Period) -> list[HoursRow]:
    """Approved hours per organisation (by name; "no group" last) and month, one sum per month
    (a conditional sum each: no date function runs per row)."""
    months = period.months()
    ends = [*months[1:], period.end + dt.timedelta(days=1)]
    sums = {
        f"m{i}": Sum("hours", filter=Q(date__gte=first, date__lt=after))
        for i, (first, after) in enumerate(zip(months, ends, strict=True))
    }
    rows = (
        approved_hours(period)
        .order_by()
        .values("organization_id", "organization__name")
        .annotate(**sums)
    )
    ordered = sorted(
        rows, key=lambda row: (row["organization_id"] is None, row["organization__name"] or "")
    )
    return [
        HoursRow(
            row["organization__name"] or _("No group"),
            [row[f"m{i}"] or Decimal(0) for i in range(len(months))],
        )
        for row in ordered
    ]


def event_participation(period: Period) -> list[EventMonth]:
    """Per month of the period: events held (first date in it, not cancelled), their sign-ups
    (not cancelled, anonymised ones included) and the people those sign-ups bring."""
    since, until = period.moments()
    taken = Q(signups__cancelled_at__isnull=True)
    rows = (
        EventPage.objects.filter(
            start__gte=since, start__lt=until, cancelled=False, first_published_at__isnull=False
        )
        .annotate(month=TruncMonth("start"))
        .order_by()  # pages come ordered by tree path, which would split the groups
        .values("month")
        .annotate(
            n_events=Count("pk", distinct=True),
            n_signups=Count("signups", filter=taken),
            n_people=Sum("signups__party_size", filter=taken),
        )
    )
    found = {_first_of_month(row["month"]): row for row in rows}
    return [
        EventMonth(
            month,
            found.get(month, {}).get("n_events", 0),
            found.get(month, {}).get("n_signups", 0),
            found.get(month, {}).get("n_people") or 0,
        )
        for month in period.months()
    ]


def _listing_type_ids() -> list[int]:
    return [ContentType.objects.get_for_model(model).pk for model in LISTING_TYPES]


def listings_by_area(
    area: Area | None = None, *, areas: QuerySet[Area] | None = None
) -> list[ListingRow]:
    """Listings published now, per district (every district of ``areas``, by default every
    district, "not recorded" last); a report passes its user's towns' districts."""
    types = _listing_type_ids()
    listings = ListingPage.objects.live()
    areas = Area.objects.all() if areas is None else areas
    if area is not None:
        listings, areas = listings.filter(area=area), areas.filter(pk=area.pk)
    counts = {
        (row["area_id"], row["content_type_id"]): row["n"]
        for row in listings.order_by().values("area_id", "content_type_id").annotate(n=Count("pk"))
    }
    rows = [
        ListingRow(place.name, [counts.get((place.pk, t), 0) for t in types], place)
        for place in areas
    ]
    if area is None:
        rows.append(ListingRow(_("Not recorded"), [counts.get((None, t), 0) for t in types]))
    return rows


def listings_by_interest(area: Area | None = None) -> list[ListingRow]:
    """Listings published now, per interest term (every term, so the gaps show)."""
    types = _listing_type_ids()
    tagged = ListingTag.objects.filter(content_object__live=True, tag__kind=Term.Kind.INTEREST)
    if area is not None:
        tagged = tagged.filter(content_object__area=area)
    counts = {
        (row["tag_id"], row["content_object__content_type_id"]): row["n"]
        for row in tagged.order_by()
        .values("tag_id", "content_object__content_type_id")
        .annotate(n=Count("content_object_id", distinct=True))
    }
    terms = Term.objects.filter(kind=Term.Kind.INTEREST).values_list("pk", "name")
    return [ListingRow(name, [counts.get((pk, t), 0) for t in types]) for pk, name in terms]


def listing_type_labels() -> list[str]:
    return [str(model._meta.verbose_name) for model in LISTING_TYPES]


def _first_of_month(moment: dt.date | dt.datetime) -> dt.date:
    day = moment.date() if isinstance(moment, dt.datetime) else moment
    return day.replace(day=1)
