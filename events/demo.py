"""和泊町's sample events: the calendar page and a couple of months of events from a data file.

Dates are stored as "days from today", so the demo always shows the coming weeks. Events are
found again by external ID and republished only when something changed; the places, operators
and tags they refer to are looked up and simply left out when the directory demo lacks them.
"""

import datetime as dt
import json
from pathlib import Path
from typing import Any, TextIO

from dateutil import rrule
from django.utils import timezone
from wagtail.models import Site

from resources.models import Area, Organization, PlacePage, Term
from resources.models.pages import ACCESSIBILITY_FLAGS, AUDIENCE_FLAGS

from .models import EventExdate, EventIndexPage, EventPage
from .setup import calendar_index

DATA_FILE = Path(__file__).parent / "demo_data" / "wadomari_events.json"
RRULE_WEEKDAYS = dict(zip(("MO", "TU", "WE", "TH", "FR", "SA", "SU"), rrule.weekdays, strict=True))


def load(stdout: TextIO) -> None:
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    home = Site.objects.get(is_default_site=True).root_page
    calendar, _changed = calendar_index(home, data["calendar"])
    today = timezone.localdate()
    published = sum(_upsert(calendar, row, today) for row in data["events"])
    stdout.write(f"催し {len(data['events'])} 件を読み込みました（新規・変更 {published} 件）。\n")


def _at(day: dt.date, hhmm: str) -> dt.datetime:
    return dt.datetime.combine(
        day, dt.time.fromisoformat(hhmm), tzinfo=timezone.get_default_timezone()
    )


def _first_date(row: dict[str, Any], today: dt.date) -> dt.date:
    """The row's first date: ``in_days`` from today, moved on to the first day its rule allows."""
    earliest = today + dt.timedelta(days=row["in_days"])
    repeat = row.get("repeat")
    if not repeat:
        return earliest
    day = RRULE_WEEKDAYS[repeat["weekdays"]]
    weeks = [int(week) for week in repeat.get("weeks", "").split(",") if week]
    freq = rrule.MONTHLY if repeat["frequency"] == "monthly" else rrule.WEEKLY
    rule = rrule.rrule(
        freq,
        byweekday=[day(week) for week in weeks] if weeks else day,
        dtstart=dt.datetime.combine(earliest, dt.time()),
    )
    return rule[0].date()


def _fields(row: dict[str, Any], today: dt.date) -> tuple[dict[str, Any], list[EventExdate]]:
    first = _first_date(row, today)
    start = _at(first, row["start"])
    audience = set(row.get("audience", ["for_everyone"]))
    fields: dict[str, Any] = {
        "external_id": row["external_id"],
        "slug": row["slug"],
        "title": row["title"],
        "kana": row.get("kana", ""),
        "summary": row["summary"],
        "start": start,
        "end": _at(first, row["end"]) if row.get("end") else None,
        "venue_name": row.get("venue_name", ""),
        "address": row.get("address", ""),
        "phone": row.get("phone", ""),
        "cost": row.get("cost", EventPage.Cost.FREE),
        "cost_note": row.get("cost_note", ""),
        "how_to_apply": row.get("how_to_apply", EventPage.Application.NONE),
        "capacity": row.get("capacity"),
        "application_deadline": (
            _at(first - dt.timedelta(days=row["deadline_days_before"]), "17:00")
            if "deadline_days_before" in row
            else None
        ),
        "cancelled": row.get("cancelled", False),
        "cancellation_notice": row.get("cancellation_notice", ""),
        "staff_only": row.get("staff_only", False),
        "is_sample": True,
        **{flag: flag in audience for flag in AUDIENCE_FLAGS},
        **{flag: bool(row.get(flag)) for flag in ACCESSIBILITY_FLAGS},
    }
    exdates: list[EventExdate] = []
    repeat = row.get("repeat")
    if repeat:
        fields.update(
            frequency=repeat["frequency"],
            weekdays=repeat["weekdays"],
            weeks_of_month=repeat.get("weeks", ""),
            repeat_count=repeat.get("count"),
            repeat_until=(
                today + dt.timedelta(days=repeat["until_in_days"])
                if "until_in_days" in repeat
                else None
            ),
        )
        probe = EventPage(**{**fields, "slug": ""})
        dates = [occ.start.date() for occ in probe.next_occurrences(start, 64)]
        exdates = [
            EventExdate(date=dates[skip["occurrence"] - 1], note=skip["note"])
            for skip in repeat.get("skip", [])
        ]
    return fields, exdates


def _links(row: dict[str, Any]) -> dict[str, Any]:
    """Place, operator and district, each only if the directory demo has it."""
    links: dict[str, Any] = {"place_id": None, "organization_id": None, "area_id": None}
    place = PlacePage.objects.filter(external_id=row.get("place") or "-").first()
    if place is not None:
        links.update(place_id=place.pk, area_id=place.area_id, address=place.address)
        links.update(latitude=place.latitude, longitude=place.longitude)
    organization = Organization.objects.filter(external_id=row.get("organization") or "-").first()
    if organization is not None:
        links["organization_id"] = organization.pk
    if "area" in row:
        links["area_id"] = (
            Area.objects.filter(name=row["area"]).values_list("pk", flat=True).first()
        )
    return links


def _upsert(calendar: EventIndexPage, row: dict[str, Any], today: dt.date) -> bool:
    """Create or update one event; True when it was (re)published."""
    fields, exdates = _fields(row, today)
    fields.update(_links(row))
    tags = list(Term.objects.filter(name__in=row.get("tags", [])))
    page = (
        EventPage.objects.child_of(calendar)
        .filter(external_id=row["external_id"])
        .prefetch_related("tagged_items", "exdates")
        .first()
    )
    if page is not None and (
        all(getattr(page, name) == value for name, value in fields.items())
        and sorted(item.tag_id for item in page.tagged_items.all()) == sorted(t.pk for t in tags)
        and [(ex.date, ex.note) for ex in page.exdates.all()]
        == [(ex.date, ex.note) for ex in exdates]
    ):
        return False
    if page is None:
        page = EventPage(**fields)
    else:
        for name, value in fields.items():
            setattr(page, name, value)
    page.tags.set(tags)
    page.exdates = exdates
    if page.pk is None:
        calendar.add_child(instance=page)
    page.save_revision().publish()
    return True
