"""Sample volunteering for the demo town: the section, 30 sample volunteers, 10 opportunities.

Everything comes from ``demo_data/sample_volunteers.json``. Volunteers are found again by their
sample address and opportunities by slug, so a second run changes nothing; an opportunity whose
dates have all passed gets fresh ones. Rows are written directly, not through the services, so
loading the demo sends no email.
"""

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

from django.utils import timezone

from resources.models import Area, ListingPage, Organization, Term

from .availability import codes_to_mask
from .models import (
    PRIVACY_NOTICE_VERSION,
    HoursEntry,
    OpportunityPage,
    Shift,
    SignUp,
    Volunteer,
    VolunteerIndexPage,
)
from .setup import COORDINATOR_GROUP, COORDINATOR_PERMISSIONS, coordinator_group, volunteer_index

__all__ = ["COORDINATOR_GROUP", "COORDINATOR_PERMISSIONS", "load"]

DATA_FILE = Path(__file__).parent / "demo_data" / "sample_volunteers.json"


def load(stdout: TextIO) -> None:
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    today = timezone.localdate()
    index, _changed = volunteer_index(data["index"])
    coordinator_group()
    created = [_volunteer(spec, today) for spec in data["volunteers"]]
    new_volunteers = [v for v, is_new in created if is_new]
    _hours(new_volunteers, today)
    active = [v for v, _ in created if v.status == Volunteer.Status.ACTIVE]
    new_shifts = 0
    for spec in data["opportunities"]:
        new_shifts += _opportunity(index, spec, active, today)
    stdout.write(
        f"ボランティア {len(created)} 人（新規 {len(new_volunteers)} 人）、"
        f"募集 {len(data['opportunities'])} 件（新しい日程 {new_shifts} 件）を読み込みました。\n"
    )


def _terms(names: list[str]) -> list[Term]:
    """The directory's vocabulary terms, created as interests if this town's list lacks them."""
    return [
        Term.objects.get_or_create(name=name, defaults={"kind": Term.Kind.INTEREST})[0]
        for name in names
    ]


def _volunteer(spec: dict[str, Any], today: dt.date) -> tuple[Volunteer, bool]:
    volunteer = Volunteer.objects.filter(email=spec["email"]).first()
    if volunteer is not None:
        return volunteer, False
    public = spec.get("public", {})
    status = spec["status"]
    now = timezone.now()
    volunteer = Volunteer.objects.create(
        name=spec["name"],
        kana=spec["kana"],
        email=spec["email"],
        phone=spec["phone"],
        area=Area.objects.filter(name=spec["area"]).first(),
        age_band=spec["age_band"],
        availability=codes_to_mask(spec["availability"]),
        travel_range=spec["travel_range"],
        has_car=spec["has_car"],
        languages=spec["languages"],
        willing_to_accompany=spec["willing_to_accompany"],
        public_profile=bool(public),
        display_name=public.get("display_name", ""),
        show_skills=public.get("show_skills", False),
        show_district=public.get("show_district", False),
        show_message=public.get("show_message", False),
        public_message=public.get("message", ""),
        status=status,
        consent_at=now,
        privacy_notice_version=PRIVACY_NOTICE_VERSION,
        approved_at=None if status == Volunteer.Status.PENDING else now,
        is_sample=True,
    )
    volunteer.skills.set(_terms(spec["skills"]))
    return volunteer, True


def _hours(volunteers: list[Volunteer], today: dt.date) -> None:
    """Approved past hours, so the totals and the reports have something to count."""
    organizations = list(Organization.objects.order_by("pk")[:5])
    entries = []
    for n, volunteer in enumerate(volunteers):
        if volunteer.status != Volunteer.Status.ACTIVE:
            continue
        for months_ago in (1, 2):
            entries.append(
                HoursEntry(
                    volunteer=volunteer,
                    organization=organizations[n % len(organizations)] if organizations else None,
                    date=today - dt.timedelta(days=30 * months_ago + n % 20),
                    hours=Decimal(1 + n % 4),
                    description="（サンプル）地域の活動のお手伝い",
                    source=HoursEntry.Source.STAFF,
                    status=HoursEntry.Status.APPROVED,
                    volunteer_confirmed=True,
                )
            )
    HoursEntry.objects.bulk_create(entries)


def _target(title: str) -> ListingPage | None:
    listings = ListingPage.objects.not_type(OpportunityPage)
    return listings.filter(title=title).first() or listings.filter(title__contains=title).first()


def _opportunity(
    index: VolunteerIndexPage, spec: dict[str, Any], active: list[Volunteer], today: dt.date
) -> int:
    """Create the opportunity (or give it fresh dates); returns how many shifts were added."""
    page = OpportunityPage.objects.child_of(index).filter(slug=spec["slug"]).first()
    if page is not None and page.shifts.filter(date__gte=today).exists():
        return 0
    new_shifts = [
        Shift(
            date=today + dt.timedelta(days=shift["days"]),
            starts_at=dt.time.fromisoformat(shift["from"]),
            ends_at=dt.time.fromisoformat(shift["until"]),
            slots=shift["slots"],
        )
        for shift in spec["shifts"]
    ]
    if page is None:
        terms = _terms(spec["skills"])
        page = OpportunityPage(
            title=spec["title"],
            slug=spec["slug"],
            kana=spec["kana"],
            summary=spec["summary"],
            target=_target(spec["target"]),
            organization=Organization.objects.filter(name=spec["organization"]).first(),
            is_sample=True,
            assured_date=today,
        )
        page.skills_wanted = terms
        page.tags.add(*terms)
        page.shifts = new_shifts
        index.add_child(instance=page)
    else:
        for shift in new_shifts:
            page.shifts.add(shift)
        page.save()
    page.save_revision().publish()
    _sample_signups(spec, new_shifts, active)
    return len(new_shifts)


def _sample_signups(spec: dict[str, Any], shifts: list[Shift], active: list[Volunteer]) -> None:
    """A few people on each new date; a date marked full gets somebody waiting too."""
    wanted = set(spec["skills"])
    keen = [v for v in active if wanted & {t.name for t in v.skills.all()}] or active
    now = timezone.now()
    for shift, shift_spec in zip(shifts, spec["shifts"], strict=True):
        if shift_spec.get("full"):
            people, confirmed = keen[: shift.slots + 1], shift.slots
        else:
            people = keen[: max(shift.slots - 1, 0)][:2]
            confirmed = len(people)
        SignUp.objects.bulk_create(
            SignUp(
                volunteer=volunteer,
                shift=shift,
                status=SignUp.Status.CONFIRMED if n < confirmed else SignUp.Status.WAITLISTED,
                confirmed_at=now if n < confirmed else None,
            )
            for n, volunteer in enumerate(people)
        )
