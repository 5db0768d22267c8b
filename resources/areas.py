"""Districts (大字) as a CSV file a town's staff keep in Excel: ``import_areas`` / ``export_areas``
and the districts of ``setup_town``.

Columns (header row, Japanese or English): 名称 (name), かな (kana), 緯度 (latitude), 経度
(longitude) and optionally コード (code). UTF-8 with or without BOM, or CP932 as Excel saves it;
full-width digits are read as meant. Every row is checked before anything is written, and a
district is found again by its name, so exporting and importing again changes nothing. The
display order is the order of the rows.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.models import Site

from tsunagu.exports import csv_writer
from tsunagu.sites import site_for_hostname
from tsunagu.text import normalize

from .importing import values
from .importing.files import Errors, ImportRejected
from .models import Area
from .setup import sync

COLUMNS = ("名称", "かな", "緯度", "経度", "コード")
HEADERS = {
    "名称": "name",
    "名前": "name",
    "地区": "name",
    "name": "name",
    "かな": "kana",
    "よみ": "kana",
    "ふりがな": "kana",
    "kana": "kana",
    "緯度": "latitude",
    "latitude": "latitude",
    "lat": "latitude",
    "経度": "longitude",
    "longitude": "longitude",
    "lon": "longitude",
    "lng": "longitude",
    "コード": "code",
    "code": "code",
}
LABELS = {"name": "名称", "kana": "かな", "latitude": "緯度", "longitude": "経度", "code": "コード"}
REQUIRED = ("name", "latitude", "longitude")
MAX_LENGTH = {"name": 60, "kana": 120, "code": 20}


@dataclass(frozen=True)
class AreaRow:
    """One district as checked; ``order`` is its position in the file (1, 2, …)."""

    name: str
    kana: str
    latitude: Decimal
    longitude: Decimal
    code: str
    order: int


class AreaReader:
    """Reads districts from CSV text or from mappings (``setup_town``'s inline districts),
    collecting every error with its row or key before refusing."""

    def __init__(self) -> None:
        self.errors = Errors(COLUMNS)
        self.rows: list[AreaRow] = []
        self._seen: dict[str, str] = {}

    def read_csv(self, text: str) -> list[AreaRow]:
        records = list(csv.reader(io.StringIO(text)))
        if not records or not any(cell.strip() for cell in records[0]):
            raise ImportRejected([_("The file is empty.")])
        header = [normalize(cell).lower() for cell in records[0]]
        fields: list[str | None] = []
        for cell in header:
            field = HEADERS.get(cell)
            if cell and field is None:
                self.errors.row(1, cell, _("This column is unknown."))
            elif field is not None and field in fields:
                self.errors.row(1, cell, _("This column appears twice."))
            fields.append(field)
        for field in REQUIRED:
            if field not in fields:
                self.errors.row(1, LABELS[field], _("This column is required."))
        self.errors.raise_if_any()
        for number, cells in enumerate(records[1:], start=2):
            if not any(cell.strip() for cell in cells):
                continue
            item = {f: cell for f, cell in zip(fields, cells, strict=False) if f}

            def error(field: str, message: str, number: int = number) -> None:
                self.errors.row(number, LABELS[field], message)

            self._row(item, error, where=_("Row %(row)s") % {"row": number})
        return self._done()

    def read_items(self, items: list[Any], where: str) -> list[AreaRow]:
        """A list of objects with the same keys (English or Japanese), located as ``where[n]``."""
        for index, raw in enumerate(items):
            at = f"{where}[{index}]"
            if not isinstance(raw, dict):
                self.errors.field(at, "-", _("Must be an object."))
                continue
            item = {}
            for key, value in raw.items():
                field = HEADERS.get(normalize(str(key)).lower())
                if field is None:
                    self.errors.field(at, key, _("This key is unknown."))
                else:
                    item[field] = "" if value is None else str(value)

            def error(field: str, message: str, at: str = at) -> None:
                self.errors.field(at, field, message)

            self._row(item, error, where=at)
        return self._done()

    def _row(self, item: dict[str, str], error: Any, where: str) -> None:
        ok = True
        text = {}
        for field in ("name", "kana", "code"):
            value = item.get(field, "")
            if "\x00" in value or any(ch in value for ch in "\r\n\t"):
                error(field, _("Control characters and line breaks are not allowed."))
                ok = False
            value = value.strip() if field == "name" else normalize(value)
            if len(value) > MAX_LENGTH[field]:
                error(field, _("Write %(max)s characters or fewer.") % {"max": MAX_LENGTH[field]})
                ok = False
            text[field] = value
        if not text["name"]:
            error("name", _("Required."))
            ok = False
        elif text["name"] in self._seen:
            earlier = self._seen[text["name"]]
            error("name", _("The same district is already in %(where)s.") % {"where": earlier})
            ok = False
        else:
            self._seen[text["name"]] = where
        coordinates = {}
        for field, limit in (("latitude", 90), ("longitude", 180)):
            value = item.get(field, "").strip()
            if not value:
                error(field, _("Required."))
                ok = False
                continue
            try:
                coordinates[field] = values.parse_coordinate(value, limit=limit)
            except ValueError as exc:
                error(field, str(exc))
                ok = False
        if ok:
            self.rows.append(
                AreaRow(**text, **coordinates, order=len(self.rows) + 1)  # type: ignore[arg-type]
            )

    def _done(self) -> list[AreaRow]:
        self.errors.raise_if_any()
        if not self.rows:
            raise ImportRejected([_("The file has no districts.")])
        return self.rows


def read_areas_csv(text: str) -> list[AreaRow]:
    """Checked rows of a districts CSV; ``ImportRejected`` lists every problem."""
    return AreaReader().read_csv(text)


@transaction.atomic
def import_areas(
    rows: list[AreaRow], *, site: Site | None = None, dry_run: bool = False
) -> dict[str, int]:
    """Create or update the districts of ``site`` (default: the default site) by name, all or
    nothing; counts of created, updated and unchanged. Another town's districts are never
    touched, even one of the same name. A dry run checks and counts inside a transaction it
    rolls back."""
    site = site or site_for_hostname(None)
    names = {row.name for row in rows}
    existing = set(Area.objects.filter(site=site, name__in=names).values_list("name", flat=True))
    _objects, touched = sync(
        Area,
        "name",
        {
            row.name: {
                "kana": row.kana,
                "latitude": row.latitude,
                "longitude": row.longitude,
                "code": row.code,
                "order": row.order,
            }
            for row in rows
        },
        scope={"site": site},
    )
    created = len(names - existing)
    counts = {"created": created, "updated": touched - created, "unchanged": len(rows) - touched}
    if dry_run:
        transaction.set_rollback(True)
    return counts


def export_areas(*, site: Site | None = None) -> str:
    """Every district of ``site`` (default: the default site) as CSV in the import's columns,
    in display order (UTF-8, no BOM)."""
    site = site or site_for_hostname(None)
    out = io.StringIO()
    writer = csv_writer(out, lineterminator="\r\n")  # formula-safe, as every export
    writer.writerow(COLUMNS)
    for area in Area.objects.filter(site=site).order_by("order", "kana", "name"):
        writer.writerow([area.name, area.kana, area.latitude, area.longitude, area.code])
    return out.getvalue()
