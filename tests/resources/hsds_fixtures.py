"""A small directory that exercises every part of the HSDS mapping, and the standard's schemas.

The schemas are read from ``../shared/standards/hsds-3.0`` beside the repository (where CI puts
them); tests that need them skip with the reason when it is absent.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from resources.models import ActivityPage, Area, Organization, PlacePage, Term

from .factories import (
    ActivityPageFactory,
    AreaFactory,
    OrganizationFactory,
    PlacePageFactory,
    TermFactory,
)

# TSUNAGU_SHARED_DIR points elsewhere when the clone is not beside shared/ (a git worktree).
SHARED_DIR = Path(os.environ.get("TSUNAGU_SHARED_DIR") or Path(settings.BASE_DIR).parent / "shared")
HSDS_DIR = SHARED_DIR / "standards" / "hsds-3.0"
_BASE_URI = "https://hsds.invalid/schema/"


@dataclass
class Directory:
    kibiru: Area
    wadomari: Area
    council: Organization
    hamlet: Organization
    farming: Term
    flowers: Term
    cooking: Term
    hall: PlacePage
    field: PlacePage
    canteen: ActivityPage
    flower_club: ActivityPage
    salon: ActivityPage
    draft: ActivityPage


def build_directory() -> Directory:
    """Two districts, two operators, a small vocabulary, two places and four activities (one a
    draft, one held at no place but with an address of its own)."""
    kibiru = AreaFactory(name="喜美留", kana="きびる")
    wadomari = AreaFactory(name="和泊", kana="わどまり")
    council = OrganizationFactory(
        name="和泊町社会福祉協議会",
        kana="わどまりちょうしゃかいふくしきょうぎかい",
        kind=Organization.Kind.SOCIAL_WELFARE_COUNCIL,
        description="町の社協です。",
        phone="0997-92-0000",
        email="info@example.jp",
        website="https://example.jp/",
        external_id="O-001",
    )
    hamlet = OrganizationFactory(
        name="喜美留自治会", kana="きびるじちかい", kind=Organization.Kind.NEIGHBOURHOOD
    )
    farming = TermFactory(name="農作業", kana="のうさぎょう", slug="farming")
    flowers = TermFactory(
        name="花き栽培", kana="かきさいばい", slug="flowers", parent=farming, synonyms="花づくり"
    )
    cooking = TermFactory(name="料理", kana="りょうり", slug="cooking")
    TermFactory(name="見守り", slug="watching", kind=Term.Kind.NEED)
    hall = PlacePageFactory(
        slug="hall",
        title="喜美留公民館",
        kana="きびるこうみんかん",
        summary="集落の公民館です。",
        area=kibiru,
        address="和泊町喜美留123",
        latitude=Decimal("27.409000"),
        longitude=Decimal("128.657000"),
        organization=hamlet,
        phone="0997-84-0001",
        email="hall@example.jp",
        barrier_free=True,
        parking=True,
        accessibility_note="玄関にスロープがあります。",
        for_everyone=True,
        external_id="P-001",
        tags=[cooking],
        schedule=[{"weekday": 0, "opens_at": "09:00", "closes_at": "17:00"}],
        exceptions=[{"date": dt.date(2025, 1, 6), "closed": True, "note": "年始休み"}],
    )
    field = PlacePageFactory(
        slug="field", title="花の畑", area=wadomari, body="<p>畑です。</p><p>見学できます。</p>"
    )
    canteen = ActivityPageFactory(
        slug="canteen",
        title="喜美留 子ども食堂",
        kana="きびるこどもしょくどう",
        summary="地域の子どもと大人が一緒に夕ごはんを食べます。",
        place=hall,
        organization=council,
        phone="0997-92-0001",
        email="canteen@example.jp",
        contact_note="前日までに電話で",
        cost=ActivityPage.Cost.DONATION,
        cost_note="1食100円",
        for_children=True,
        for_everyone=True,
        min_age=6,
        max_age=80,
        tour_ok=True,
        accepts_placements=True,
        placement_capacity=2,
        acceptance_conditions="初回は見学から",
        assured_date=dt.date(2025, 4, 1),
        tags=[cooking],
        schedule=[
            {
                "weekday": 5,
                "weeks_of_month": "2,4",
                "opens_at": "17:00",
                "closes_at": "19:00",
                "note": "夏休みは毎週",
            },
            {"weekday": 0, "opens_at": "17:00", "closes_at": "19:00"},
        ],
        exceptions=[
            {"date": dt.date(2025, 1, 13), "closed": True, "note": "成人の日"},
            {
                "date": dt.date(2025, 1, 15),
                "closed": False,
                "opens_at": "10:00",
                "closes_at": "12:00",
            },
        ],
    )
    flower_club = ActivityPageFactory(
        slug="flower-club",
        title="花づくりクラブ",
        place=field,
        organization=hamlet,
        cost=ActivityPage.Cost.PAID,
        for_elderly=True,
        tags=[flowers],
        schedule=[
            {
                "weekday": 2,
                "opens_at": "08:00",
                "closes_at": "10:00",
                "valid_from": dt.date(2025, 4, 1),
                "valid_until": dt.date(2026, 3, 31),
            }
        ],
    )
    salon = ActivityPageFactory(
        slug="salon",
        title="出張サロン",
        organization=council,
        area=wadomari,
        address="和泊町和泊1",
        pickup=True,
        accessibility_note="送迎は要予約",
    )
    draft = ActivityPageFactory(slug="draft", title="準備中の活動", organization=council)
    draft.unpublish()
    return Directory(
        kibiru,
        wadomari,
        council,
        hamlet,
        farming,
        flowers,
        cooking,
        hall,
        field,
        canteen,
        flower_club,
        salon,
        draft,
    )


def require_hsds() -> Path:
    if not HSDS_DIR.is_dir():
        pytest.skip(f"HSDS 3.0 standard not found at {HSDS_DIR} (CI puts shared/ beside the clone)")
    return HSDS_DIR


@functools.cache
def _registry() -> Registry:
    resources = [
        (_BASE_URI + path.name, Resource(json.loads(path.read_text()), DRAFT202012))
        for path in (HSDS_DIR / "schema").glob("*.json")
        if path.name != "openapi.json"
    ]
    return Registry().with_resources(resources)


@functools.cache
def validator(name: str) -> Draft202012Validator:
    """The standard's schema ``name`` (e.g. "service_list"): the self-contained compiled one
    when the standard ships it, else schema/NAME.json with its $refs resolved among the others."""
    compiled = require_hsds() / "schema" / "compiled" / f"{name}.json"
    if compiled.is_file() and compiled.stat().st_size:
        schema: dict[str, Any] = json.loads(compiled.read_text())
        return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    return Draft202012Validator(
        {"$ref": _BASE_URI + f"{name}.json"},
        registry=_registry(),
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def assert_valid(document: Any, name: str) -> None:
    errors = sorted(validator(name).iter_errors(document), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


def page_schema() -> dict[str, Any]:
    """The openapi components' ``Page``: the envelope of every list endpoint."""
    openapi = json.loads((require_hsds() / "schema" / "openapi.json").read_text())
    return openapi["components"]["schemas"]["Page"]
