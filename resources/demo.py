"""和泊町's sample directory: districts, vocabulary, operators, places and activities.

Everything comes from data files in ``demo_data/`` that another town can replace. Rows are found
again by name or external ID, so a second run updates in place, and a page whose data has not
changed gets no new revision. Dates of verification are stored as "days ago", so the demo keeps
the same mix of fresh and stale listings whenever it is loaded.
"""

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

from django.utils import timezone
from wagtail.models import ReferenceIndex
from wagtail.signal_handlers import disable_reference_index_auto_update

from .areas import import_areas, read_areas_csv
from .importing.vocabulary import VocabularyReader, VocabularyRow
from .models import (
    ActivityPage,
    Area,
    DirectoryIndexPage,
    ListingPage,
    Organization,
    PlacePage,
    ScheduleRule,
    Term,
)
from .models.pages import ACCESSIBILITY_FLAGS, AUDIENCE_FLAGS, SUPPORT_FLAGS
from .services.vocabulary import vocabulary_import
from .setup import directory_index, sync

DATA_DIR = Path(__file__).parent / "demo_data"
AREAS_FILE = DATA_DIR / "wadomari_areas.csv"
VOCABULARY_FILE = DATA_DIR / "vocabulary.csv"
DIRECTORY_FILE = DATA_DIR / "wadomari_directory.json"

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ACCESS_FLAGS = (*ACCESSIBILITY_FLAGS, "near_bus_stop")
PLACE_LOCATION = ("area_id", "address", "latitude", "longitude")


def load(stdout: TextIO) -> None:
    areas = _load_areas()
    terms = _load_vocabulary()
    data = json.loads(DIRECTORY_FILE.read_text(encoding="utf-8"))
    today = timezone.localdate()
    organizations = _load_organizations(data["organizations"], today)
    directory, _changed = directory_index(data["directory"])
    loader = _PageLoader(directory, terms, today)
    # Each page is saved three times on its way to being published; index its references once.
    with disable_reference_index_auto_update():
        places = loader.places(data["places"], areas, organizations)
        activities = loader.activities(data["activities"], places, organizations)
    for page in loader.changed:
        ReferenceIndex.create_or_update_for_object(page)
    stdout.write(
        f"地区 {len(areas)} 件、用語 {len(terms)} 件、運営団体 {len(organizations)} 件、"
        f"居場所 {len(places)} 件、活動 {len(activities)} 件を読み込みました"
        f"（新規・変更 {len(loader.changed)} 件）。\n"
    )


def _load_areas() -> dict[str, Area]:
    """The districts file, through the reader and service that ``import_areas`` uses."""
    rows = read_areas_csv(AREAS_FILE.read_text(encoding="utf-8"))
    import_areas(rows)
    return {area.name: area for area in Area.objects.filter(name__in=[r.name for r in rows])}


def _load_vocabulary() -> dict[str, Term]:
    """The vocabulary file, through the reader and service that ``import_vocabulary`` uses.

    Skipped when every term already matches: saving a term re-indexes each listing tagged with
    it, which would make every re-run of the demo seconds slower for nothing.
    """
    rows = VocabularyReader().read_csv(VOCABULARY_FILE.read_text(encoding="utf-8"))
    terms = {term.name: term for term in Term.objects.select_related("parent")}
    if any(_term_differs(terms.get(row.name), row) for row in rows):
        vocabulary_import(rows=rows)
        terms = {term.name: term for term in Term.objects.all()}
    return terms


def _term_differs(term: Term | None, row: VocabularyRow) -> bool:
    if term is None:
        return True
    parent = term.parent.name if term.parent else ""
    return (term.kana, term.kind, parent, term.synonyms) != (
        row.kana,
        row.kind,
        row.parent,
        row.synonyms,
    )


def _load_organizations(rows: list[dict], today: dt.date) -> dict[str, Organization]:
    values = {
        row["external_id"]: {
            "name": row["name"],
            "kana": row["kana"],
            "kind": row["kind"],
            "description": row["description"],
            "email": row.get("email", ""),
            "assured_date": today - dt.timedelta(days=row["assured_days_ago"]),
            "is_sample": True,
        }
        for row in rows
    }
    return sync(Organization, "external_id", values)[0]


def _rules(row: dict[str, Any]) -> list[ScheduleRule]:
    rules = []
    for spec in row["schedule"]:
        for day in spec["days"]:
            rule = ScheduleRule(
                weekday=DAYS.index(day),
                weeks_of_month=spec.get("weeks", ""),
                opens_at=dt.time.fromisoformat(spec["from"]),
                closes_at=dt.time.fromisoformat(spec["until"]),
                note=spec.get("note", ""),
            )
            rule.clean()
            rules.append(rule)
    return rules


def _rule_key(rule: ScheduleRule) -> tuple:
    return (rule.weekday, rule.weeks_of_month, rule.opens_at, rule.closes_at, rule.note)


class _PageLoader:
    """Creates or updates listing pages under the directory, publishing only what changed."""

    def __init__(self, directory: DirectoryIndexPage, terms: dict[str, Term], today: dt.date):
        self.directory = directory
        self.terms = terms
        self.today = today
        self.changed: list[ListingPage] = []

    def places(
        self, rows: list[dict], areas: dict[str, Area], organizations: dict[str, Organization]
    ) -> dict[str, tuple[PlacePage, dict]]:
        existing = self._existing(PlacePage, rows)
        places = {}
        for row in rows:
            fields = {
                **self._fields(row, access=set(row.get("access", []))),
                "area_id": areas[row["area"]].pk,
                "organization_id": organizations[row["organization"]].pk,
                "address": row["address"],
                "latitude": Decimal(row["latitude"]),
                "longitude": Decimal(row["longitude"]),
            }
            page = self._upsert(PlacePage, existing, fields, row)
            places[row["external_id"]] = (page, fields)
        return places

    def activities(
        self,
        rows: list[dict],
        places: dict[str, tuple[PlacePage, dict]],
        organizations: dict[str, Organization],
    ) -> dict[str, ActivityPage]:
        """An activity sits where its place is, as accessible as it plus what it adds (送迎)."""
        existing = self._existing(ActivityPage, rows)
        activities = {}
        for row in rows:
            place, place_fields = places[row["place"]]
            placement = row.get("placement")
            organization_id = (
                organizations[row["organization"]].pk
                if "organization" in row
                else place_fields["organization_id"]
            )
            access = {flag for flag in ACCESS_FLAGS if place_fields[flag]}
            fields = {
                **self._fields(row, access=access | set(row.get("access", []))),
                "place_id": place.pk,
                "organization_id": organization_id,
                **{name: place_fields[name] for name in PLACE_LOCATION},
                "what_to_bring": row.get("what_to_bring", ""),
                "accepts_placements": placement is not None,
                "placement_capacity": placement["capacity"] if placement else 0,
                "acceptance_conditions": placement["conditions"] if placement else "",
                **{flag: bool(placement and placement[flag]) for flag in SUPPORT_FLAGS},
            }
            activities[row["external_id"]] = self._upsert(ActivityPage, existing, fields, row)
        return activities

    def _existing(self, model: type[ListingPage], rows: list[dict]) -> dict[str, ListingPage]:
        pages = model.objects.filter(
            external_id__in=[row["external_id"] for row in rows]
        ).prefetch_related("tagged_items", "schedule_rules")
        return {page.external_id: page for page in pages}

    def _fields(self, row: dict[str, Any], *, access: set[str]) -> dict[str, Any]:
        audience = set(row.get("audience", ["for_everyone"]))
        unknown = (audience - set(AUDIENCE_FLAGS)) | (access - set(ACCESS_FLAGS))
        if unknown:
            raise ValueError(f"{row['external_id']}: unknown flags {sorted(unknown)}")
        return {
            "external_id": row["external_id"],
            "slug": row["slug"],
            "title": row["title"],
            "kana": row.get("kana", ""),
            "summary": row["summary"],
            "email": row.get("email", ""),
            "contact_note": row.get("contact_note", ""),
            "cost": row.get("cost", ListingPage.Cost.FREE),
            "cost_note": row.get("cost_note", ""),
            "min_age": row.get("min_age"),
            "max_age": row.get("max_age"),
            "accessibility_note": row.get("accessibility_note", ""),
            "assured_date": self.today - dt.timedelta(days=row["assured_days_ago"]),
            "is_sample": True,
            **{flag: flag in audience for flag in AUDIENCE_FLAGS},
            **{flag: flag in access for flag in ACCESS_FLAGS},
        }

    def _upsert(
        self,
        model: type[ListingPage],
        existing: dict[str, ListingPage],
        fields: dict[str, Any],
        row: dict[str, Any],
    ) -> ListingPage:
        unknown = [name for name in row["tags"] if name not in self.terms]
        if unknown:
            raise ValueError(f"{row['external_id']}: not in the vocabulary: {unknown}")
        tags = [self.terms[name] for name in row["tags"]]
        rules = _rules(row)
        page = existing.get(fields["external_id"])
        if page is not None and self._unchanged(page, fields, tags, rules):
            return page
        if page is None:
            page = model(**fields)
        else:
            for name, value in fields.items():
                setattr(page, name, value)
        page.tags.set(tags)
        page.schedule_rules = rules
        if page.pk is None:
            self.directory.add_child(instance=page)
        page.save_revision().publish()
        self.changed.append(page)
        return page

    @staticmethod
    def _unchanged(
        page: ListingPage, fields: dict[str, Any], tags: list[Term], rules: list[ScheduleRule]
    ) -> bool:
        return (
            all(getattr(page, name) == value for name, value in fields.items())
            and sorted(item.tag_id for item in page.tagged_items.all())
            == sorted(term.pk for term in tags)
            # Sorted: rows sharing a sort_order come back in any order on PostgreSQL.
            and sorted(map(repr, map(_rule_key, page.schedule_rules.all())))
            == sorted(map(repr, map(_rule_key, rules)))
        )
