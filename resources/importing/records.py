"""What a directory file says, checked and ready to write; the same for a CSV and for HSDS.

Entities refer to each other by ``key`` (unique within one file). A record with no ``fields``
only refers to something that must already exist (an HSDS ``location_id`` without the location,
a CSV 場所ID alone).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

# A pseudo-field: HSDS has one description where a page has a summary and a body.
DESCRIPTION = "description_text"


@dataclass
class ScheduleRecord:
    weekday: int
    opens_at: dt.time
    closes_at: dt.time
    weeks_of_month: str = ""
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    note: str = ""


@dataclass
class ExceptionRecord:
    date: dt.date
    closed: bool = True
    opens_at: dt.time | None = None
    closes_at: dt.time | None = None
    note: str = ""


@dataclass
class TermRecord:
    uuid: uuid.UUID
    name: str
    kind: str
    where: str
    slug: str = ""
    parent: uuid.UUID | None = None
    source_taxonomy: str = ""  # another vocabulary's term, kept to be mapped to ours
    source_code: str = ""


@dataclass
class OrganizationRecord:
    key: str
    where: str
    uuid: uuid.UUID | None = None
    external_id: str = ""
    match_name: bool = False  # a CSV row without 団体ID: recognise the operator by name
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass
class ListingRecord:
    key: str
    where: str
    uuid: uuid.UUID | None = None
    external_id: str = ""
    match_title: bool = False  # a CSV row without 場所ID: recognise the place by its name
    fields: dict[str, Any] = field(default_factory=dict)
    organization: str | None = None  # key into DirectoryData.organizations
    set_organization: bool = False
    tags: list[uuid.UUID] | None = None  # None: leave the page's tags as they are
    schedules: list[ScheduleRecord] | None = None
    exceptions: list[ExceptionRecord] | None = None
    publish: bool = True  # False for an HSDS service that is not "active"
    slug: str = ""  # for a new page: keeps its address when a directory moves between sites


@dataclass
class ActivityRecord(ListingRecord):
    place: str | None = None  # key into DirectoryData.places
    set_place: bool = False


@dataclass
class DirectoryData:
    terms: list[TermRecord] = field(default_factory=list)
    organizations: dict[str, OrganizationRecord] = field(default_factory=dict)
    places: dict[str, ListingRecord] = field(default_factory=dict)
    activities: list[ActivityRecord] = field(default_factory=list)
    # What was approximated or defaulted to fit Tsunagu, located (JSON path), in Japanese.
    warnings: list[str] = field(default_factory=list)
