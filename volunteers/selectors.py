"""Reads shared by pages, views, the admin, the reports and the matcher."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, F, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from resources.models import Area, Organization, Term
from tsunagu.island import Town, island_scope

from .availability import Slot, mask_to_slots, slots_to_mask
from .models import HoursEntry, OpportunityPage, Shift, SignUp, Volunteer, VolunteerIndexPage


def _today() -> dt.date:
    return timezone.localdate()


def shifts_with_counts(queryset: QuerySet[Shift]) -> QuerySet[Shift]:
    """Shifts annotated with ``confirmed`` and ``waitlisted`` counts (one query, no N+1)."""
    return queryset.annotate(
        confirmed=Count("signups", filter=Q(signups__status=SignUp.Status.CONFIRMED)),
        waitlisted=Count("signups", filter=Q(signups__status=SignUp.Status.WAITLISTED)),
    ).annotate(remaining=F("slots") - F("confirmed"))


def upcoming_shifts(*, opportunity: OpportunityPage) -> QuerySet[Shift]:
    return shifts_with_counts(
        Shift.objects.filter(opportunity=opportunity, date__gte=_today()).order_by(
            "date", "starts_at"
        )
    )


def opportunities_open(
    *, index: VolunteerIndexPage | None = None, island: list[Town] | None = None
) -> list[OpportunityPage]:
    """Live opportunities with a shift today or later, soonest first, with ``next_shifts``;
    below ``index`` (groups' sections included) and, where its site shares with the island
    (``island``, ``tsunagu.island``), the other sharing towns' too."""
    pages = OpportunityPage.objects.live().filter(shifts__date__gte=_today()).distinct()
    if index is not None:
        pages = pages.filter(island_scope(index.path, island or []))
    shifts = shifts_with_counts(Shift.objects.filter(date__gte=_today())).order_by(
        "date", "starts_at"
    )
    pages = pages.select_related("area", "organization").prefetch_related(
        Prefetch("shifts", queryset=shifts, to_attr="next_shifts"), "skills_wanted"
    )
    return sorted(pages, key=lambda page: (page.next_shifts[0].date, page.title))


def volunteer_signups(*, volunteer: Volunteer) -> dict[str, list[SignUp]]:
    """A volunteer's sign-ups, split into ``upcoming`` (still active) and ``past``."""
    signups = (
        SignUp.objects.filter(volunteer=volunteer)
        .select_related("shift__opportunity")
        .order_by("shift__date", "shift__starts_at")
    )
    today = _today()
    return {
        "upcoming": [
            s for s in signups if s.shift.date >= today and s.status in SignUp.ACTIVE_STATUSES
        ],
        "past": [
            s for s in signups if s.shift.date < today and s.status == SignUp.Status.CONFIRMED
        ],
    }


def volunteer_hours(*, volunteer: Volunteer) -> dict[str, object]:
    entries = list(
        HoursEntry.objects.filter(volunteer=volunteer).select_related("organization")[:50]
    )
    totals = HoursEntry.objects.filter(volunteer=volunteer).aggregate(
        approved=Sum("hours", filter=Q(status=HoursEntry.Status.APPROVED), default=Decimal(0)),
        pending=Sum("hours", filter=Q(status=HoursEntry.Status.PENDING), default=Decimal(0)),
    )
    return {"entries": entries, **totals}


@dataclass(frozen=True)
class PublicProfile:
    """Exactly what a volunteer chose to show; the public listing never sees the model."""

    display_name: str
    skills: tuple[str, ...] | None
    district: str | None
    message: str | None


def public_profiles() -> list[PublicProfile]:
    """Opted-in, active volunteers, with only the fields each one ticked."""
    volunteers = (
        Volunteer.objects.filter(status=Volunteer.Status.ACTIVE, public_profile=True)
        .exclude(display_name="")
        .select_related("area")
        .prefetch_related(Prefetch("skills", queryset=Term.objects.order_by("kana", "name")))
        .order_by("display_name", "pk")
    )
    return [
        PublicProfile(
            display_name=v.display_name,
            skills=tuple(t.name for t in v.skills.all()) if v.show_skills else None,
            district=v.area.name if v.show_district and v.area_id else None,
            message=v.public_message if v.show_message and v.public_message else None,
        )
        for v in volunteers
    ]


@dataclass(frozen=True)
class CompanionCandidate:
    """A volunteer who could accompany (伴走) a participation-support client.

    Plain data for the matcher (which has no Django): no contact details — the coordinator
    opens the volunteer in the admin (``volunteer_id``) to get in touch.
    """

    volunteer_id: int
    name: str
    kana: str
    area_id: int | None
    area_name: str
    skill_ids: frozenset[int]
    shared_skill_ids: frozenset[int]
    availability: frozenset[Slot]
    shared_availability: frozenset[Slot]
    travel_range: str
    has_car: bool


def companion_candidates(
    *,
    area: Area | int | None = None,
    skills: Iterable[Term | int] = (),
    availability: Iterable[Slot] = (),
) -> list[CompanionCandidate]:
    """Active volunteers willing to accompany a client, best first.

    Filters are AND-ed; within ``skills`` and within ``availability`` one match suffices; an
    empty argument does not constrain. ``area`` keeps volunteers who live there, go anywhere in
    the town or island, or drive. Order: shared skills, shared time slots, same district, kana.
    """
    wanted_skills = {s if isinstance(s, int) else s.pk for s in skills}
    wanted_mask = slots_to_mask(availability)
    area_id = area if isinstance(area, int) or area is None else area.pk

    volunteers = Volunteer.objects.filter(
        status=Volunteer.Status.ACTIVE, willing_to_accompany=True
    ).select_related("area")
    if area_id is not None:
        volunteers = volunteers.filter(
            Q(area_id=area_id)
            | Q(travel_range__in=[Volunteer.Travel.TOWN, Volunteer.Travel.ISLAND])
            | Q(has_car=True)
        )
    if wanted_skills:
        volunteers = volunteers.filter(skills__in=wanted_skills).distinct()
    if wanted_mask:
        volunteers = volunteers.alias(overlap=F("availability").bitand(wanted_mask)).filter(
            overlap__gt=0
        )
    volunteers = volunteers.prefetch_related(Prefetch("skills", queryset=Term.objects.only("pk")))

    candidates = []
    for v in volunteers:
        skill_ids = frozenset(t.pk for t in v.skills.all())
        slots = frozenset(mask_to_slots(v.availability))
        candidates.append(
            CompanionCandidate(
                volunteer_id=v.pk,
                name=v.name,
                kana=v.kana,
                area_id=v.area_id,
                area_name=v.area.name if v.area_id else "",
                skill_ids=skill_ids,
                shared_skill_ids=skill_ids & wanted_skills,
                availability=slots,
                shared_availability=frozenset(mask_to_slots(v.availability & wanted_mask)),
                travel_range=v.travel_range,
                has_car=v.has_car,
            )
        )
    candidates.sort(
        key=lambda c: (
            -len(c.shared_skill_ids),
            -len(c.shared_availability),
            area_id is None or c.area_id != area_id,
            c.kana,
        )
    )
    return candidates


@dataclass(frozen=True)
class HoursTotal:
    """Approved hours for one volunteer, organisation or month (``key`` is its id or date)."""

    key: int | dt.date | None
    label: str
    hours: Decimal
    entries: int


def hours_totals(
    *,
    by: Literal["volunteer", "organization", "month"],
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> list[HoursTotal]:
    """Approved hours grouped one way, for the admin's totals and the annual reports.

    Withdrawn volunteers are counted under an anonymous label; hours with no organisation
    under "no group".
    """
    entries = HoursEntry.objects.filter(status=HoursEntry.Status.APPROVED)
    if since:
        entries = entries.filter(date__gte=since)
    if until:
        entries = entries.filter(date__lte=until)
    if by == "month":
        rows = (
            entries.annotate(key=TruncMonth("date"))
            .values("key")
            .annotate(hours=Sum("hours"), entries=Count("pk"))
            .order_by("key")
        )
        return [
            HoursTotal(
                key=row["key"],
                label=_("%(year)d-%(month)02d")
                % {"year": row["key"].year, "month": row["key"].month},
                hours=row["hours"],
                entries=row["entries"],
            )
            for row in rows
        ]
    field = {"volunteer": "volunteer_id", "organization": "organization_id"}[by]
    rows = list(
        entries.values(key=F(field))
        .annotate(hours=Sum("hours"), entries=Count("pk"))
        .order_by("-hours", "key")
    )
    if by == "volunteer":
        labels = {v.pk: str(v) for v in Volunteer.objects.filter(pk__in=[r["key"] for r in rows])}
    else:
        labels = {
            o.pk: o.name
            for o in Organization.objects.filter(pk__in=[r["key"] for r in rows if r["key"]])
        }
    return [
        HoursTotal(
            key=row["key"],
            label=labels.get(row["key"], _("No group")),
            hours=row["hours"],
            entries=row["entries"],
        )
        for row in rows
    ]


def volunteer_coordinators() -> QuerySet[AbstractBaseUser]:
    """Active staff who may approve volunteers: they hear about new registrations."""
    User = get_user_model()
    perm = Q(
        groups__permissions__content_type__app_label="volunteers",
        groups__permissions__codename="change_volunteer",
    ) | Q(
        user_permissions__content_type__app_label="volunteers",
        user_permissions__codename="change_volunteer",
    )
    return (
        User.objects.filter(is_active=True)
        .filter(perm | Q(is_superuser=True))
        .exclude(email="")
        .distinct()
    )
