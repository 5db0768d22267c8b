"""The town's directory spreadsheet (CSV, one row per activity) → records.

The columns are documented in ``resources/import_templates/README.md``; the template file
``directory_template.csv`` has exactly the headers of ``COLUMNS``. Activity columns describe the
activity in full (an empty cell empties the field); the place and operator columns may be
repeated on every row of that place or operator or filled on one row only, but must not
contradict each other.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _
from wagtail.models import Site

from resources.models import ActivityPage, ListingPage, Organization
from resources.models.pages import ACCESSIBILITY_FLAGS, AUDIENCE_FLAGS, SUPPORT_FLAGS
from tsunagu.text import normalize

from . import values
from .files import Errors
from .records import (
    DESCRIPTION,
    ActivityRecord,
    DirectoryData,
    ListingRecord,
    OrganizationRecord,
    ScheduleRecord,
)

# The template's headers, in its order (README.md documents each).
COLUMNS = (
    "活動ID",
    "活動名",
    "活動名よみ",
    "概要",
    "曜日",
    "週",
    "開始時刻",
    "終了時刻",
    "日程の補足",
    "電話番号",
    "メールアドレス",
    "連絡方法",
    "費用",
    "費用の詳細",
    "対象",
    "最低年齢",
    "最高年齢",
    "設備・配慮",
    "配慮の詳細",
    "タグ",
    "持ち物",
    "参加しやすさ",
    "参加支援の受け入れ",
    "受け入れ人数",
    "受け入れ条件",
    "最終確認日",
    "場所ID",
    "場所名",
    "場所名よみ",
    "地区",
    "住所",
    "緯度",
    "経度",
    "団体ID",
    "団体名",
    "団体名よみ",
    "団体種別",
    "団体電話番号",
    "団体メールアドレス",
    "団体ウェブサイト",
)
REQUIRED_COLUMNS = ("活動ID", "活動名")
SCHEDULE_COLUMNS = ("曜日", "週", "開始時刻", "終了時刻", "日程の補足")
ACCESS_FIELDS = (*ACCESSIBILITY_FLAGS, "near_bus_stop")

# Words a town's staff use for the yes/no features, besides the labels and field names.
AUDIENCE_ALIASES = {
    "高齢": "for_elderly",
    "お年寄り": "for_elderly",
    "障害者": "for_disabled",
    "障がい者": "for_disabled",
    "障害": "for_disabled",
    "子ども": "for_children",
    "こども": "for_children",
    "子育て家庭": "for_children",
    "子育て": "for_children",
    "生活困窮": "for_poverty",
    "生活困窮者": "for_poverty",
    "どなたでも": "for_everyone",
    "だれでも": "for_everyone",
}
ACCESS_ALIASES = {
    "バリアフリー": "barrier_free",
    "段差なし": "barrier_free",
    "車いす": "barrier_free",
    "トイレ": "accessible_toilet",
    "送迎": "pickup",
    "聴覚": "hearing_support",
    "視覚": "vision_support",
    "バス停": "near_bus_stop",
}
SUPPORT_ALIASES = {"見学": "tour_ok", "付き添い": "companion_ok", "短時間": "short_time_ok"}
ORG_KIND_ALIASES = {
    "自治会": "neighbourhood",
    "集落": "neighbourhood",
    "字": "neighbourhood",
    "社協": "swc",
    "役場": "government",
    "町": "government",
    "企業": "business",
    "サークル": "voluntary",
}
COST_ALIASES = {"寄付": "donation", "カンパ": "donation", "0円": "free"}


def _field_choices(fields: tuple[str, ...]) -> list[tuple[str, Any]]:
    return [(name, ActivityPage._meta.get_field(name).verbose_name) for name in fields]


class _Row:
    """One CSV record: its cells by header, and where to report problems."""

    def __init__(self, number: int, cells: dict[str, str], errors: Errors) -> None:
        self.number = number
        self.cells = cells
        self.errors = errors

    def has(self, column: str) -> bool:
        """Whether the file has this column (the cell may still be empty)."""
        return column in self.cells

    def text(self, column: str) -> str:
        """A code, number or name as typed (full-width, ｶﾅ): NFKC-normalised for reading."""
        return normalize(self.cells.get(column, ""))

    def free(self, column: str) -> str:
        """Free text kept exactly as written: only Excel's line endings and surrounding blanks
        go (no NFKC: 「（ＣＳＶ）」 and 「①」 stay, and so do line breaks)."""
        return values.free_text(self.cells.get(column, ""))

    def parse(self, column: str, parser: Callable[[str], Any]) -> Any:
        """The parsed cell, or None when it is empty or wrong (the error is recorded)."""
        raw = self.text(column)
        if not raw:
            return None
        try:
            return parser(raw)
        except ValueError as exc:
            self.errors.row(self.number, column, str(exc))
            return None

    def flags(self, column: str, choices: values.Choices, fields: tuple[str, ...]) -> dict:
        chosen = set(
            self.parse(
                column,
                lambda raw: [choices.get(v) for v in values.split(raw, values.LIST_SEPARATORS)],
            )
            or []
        )
        return {name: name in chosen for name in fields}


class DirectoryCSVReader:
    def __init__(self, site: Site | None = None) -> None:
        self.errors = Errors(columns=list(COLUMNS))
        self.data = DirectoryData()
        self.areas = values.AreaIndex(site)
        self.terms = values.TermIndex()
        self.audience = values.Choices(_field_choices(AUDIENCE_FLAGS), AUDIENCE_ALIASES)
        self.access = values.Choices(_field_choices(ACCESS_FIELDS), ACCESS_ALIASES)
        self.support = values.Choices(_field_choices(SUPPORT_FLAGS), SUPPORT_ALIASES)
        self.org_kinds = values.Choices(Organization.Kind.choices, ORG_KIND_ALIASES)
        self.costs = values.Choices(ListingPage.Cost.choices, COST_ALIASES)
        self.activity_ids: dict[str, int] = {}
        self.first_rows: dict[str, _Row] = {}
        self.records: dict[str, ActivityRecord] = {}

    def read(self, text: str) -> DirectoryData:
        rows = self._records(text)
        if not rows:
            self.errors.file(_("The file is empty."))
            self.errors.raise_if_any()
        header = [normalize(cell) for cell in rows[0]]
        self._check_header(header)
        self.errors.raise_if_any()
        for number, cells in enumerate(rows[1:], start=2):
            if not any(cell.strip() for cell in cells):
                continue  # Excel keeps empty rows at the end
            if len(cells) > len(header) and any(c.strip() for c in cells[len(header) :]):
                self.errors.row(number, "-", _("The row has more cells than the header."))
            cells = cells + [""] * (len(header) - len(cells))
            row = _Row(number, dict(zip(header, cells, strict=False)), self.errors)
            if self._check_controls(row):
                self._row(row)
        if not self.data.activities and not self.errors:
            self.errors.file(_("The file has no rows to import."))
        self.errors.raise_if_any()
        return self.data

    def _records(self, text: str) -> list[list[str]]:
        """The file's records; a malformed file (a cell over the size limit) is refused with
        the row where reading stopped, never a traceback."""
        reader = csv.reader(io.StringIO(text))
        try:
            return list(reader)
        except csv.Error:
            self.errors.row(
                reader.line_num,
                "-",
                _("A cell is longer than %(max)s characters, or the CSV is broken there.")
                % {"max": f"{csv.field_size_limit():,}"},
            )
            self.errors.raise_if_any()
            raise  # unreachable: raise_if_any raised

    def _check_controls(self, row: _Row) -> bool:
        """NUL and other control characters would be published in titles: refuse them."""
        clean = True
        for column, cell in row.cells.items():
            if values.CONTROLS.search(cell):
                row.errors.row(
                    row.number, column or "-", _("Contains a control character (such as NUL).")
                )
                clean = False
        return clean

    def _check_header(self, header: list[str]) -> None:
        for column in header:
            if column and column not in COLUMNS:
                self.errors.row(1, column, _("This column is unknown; see the template."))
            if column and header.count(column) > 1:
                self.errors.row(1, column, _("This column appears twice."))
        for column in REQUIRED_COLUMNS:
            if column not in header:
                self.errors.row(1, column, _("This column is required."))

    def _row(self, row: _Row) -> None:
        external_id = row.text("活動ID")
        title = row.free("活動名")
        if not external_id:
            row.errors.row(row.number, "活動ID", _("Required."))
        elif external_id in self.activity_ids:
            self._more_schedules(row, external_id)
            return
        else:
            self.activity_ids[external_id] = row.number
            self.first_rows[external_id] = row
        if not title:
            row.errors.row(row.number, "活動名", _("Required."))
        where = _("Row %(row)s") % {"row": row.number}
        activity = ActivityRecord(
            key=f"activity:{external_id}", where=where, external_id=external_id
        )
        if row.has("団体ID") or row.has("団体名"):
            activity.organization = self._organization(row)
            activity.set_organization = True
        location = self._location(row)
        if row.has("場所ID") or row.has("場所名"):
            activity.place = self._place(row, location)
            activity.set_place = True
        if activity.place is None:
            activity.fields.update(location)
        else:
            # Held at the place: the page copies the place's address and point when saved.
            activity.fields.update(area=None, address="", latitude=None, longitude=None)
        activity.fields.update(self._activity_fields(row, title))
        if row.has("タグ"):
            # A name and its synonym may both be written: one tag.
            terms = row.parse("タグ", self._terms) or []
            activity.tags = list(dict.fromkeys(term.uuid for term in terms))
        if any(row.has(column) for column in SCHEDULE_COLUMNS):
            activity.schedules = self._schedules(row)
        self.data.activities.append(activity)
        self.records[external_id] = activity

    def _more_schedules(self, row: _Row, external_id: str) -> None:
        """A second row of the same activity adds time ranges (one row per rule); anything
        else it says must agree with the first row."""
        first = self.first_rows[external_id]
        for column, cell in row.cells.items():
            if column in SCHEDULE_COLUMNS or column == "活動ID" or not cell.strip():
                continue
            if first.free(column) != row.free(column):
                row.errors.row(
                    row.number,
                    column,
                    _(
                        "The same ID is on row %(row)s with other content; a row that adds "
                        "times repeats the ID and fills only the schedule columns."
                    )
                    % {"row": first.number},
                )
        if not row.text("曜日"):
            row.errors.row(row.number, "曜日", _("Enter the day of the week too."))
            return
        record = self.records.get(external_id)
        schedules = self._schedules(row)
        if record is not None:
            record.schedules = [*(record.schedules or []), *schedules]

    def _terms(self, raw: str) -> list:
        return [self.terms.get(name) for name in values.split(raw)]

    def _activity_fields(self, row: _Row, title: str) -> dict[str, Any]:
        """The activity's own columns that the file has; an empty cell empties the field."""

        def age(raw: str) -> int:
            return values.parse_int(raw, maximum=150)

        def free(column: str) -> Callable[[str], str]:
            return lambda _raw: row.free(column)

        columns: dict[str, tuple[str, Callable[[str], Any] | None, Any]] = {
            "活動名よみ": ("kana", None, ""),
            "概要": (DESCRIPTION, free("概要"), ""),
            "電話番号": ("phone", None, ""),
            "メールアドレス": ("email", values.parse_email, ""),
            "連絡方法": ("contact_note", free("連絡方法"), ""),
            "費用": ("cost", self.costs.get, ListingPage.Cost.FREE),
            "費用の詳細": ("cost_note", free("費用の詳細"), ""),
            "最低年齢": ("min_age", age, None),
            "最高年齢": ("max_age", age, None),
            "配慮の詳細": ("accessibility_note", free("配慮の詳細"), ""),
            "持ち物": ("what_to_bring", free("持ち物"), ""),
            "参加支援の受け入れ": ("accepts_placements", values.parse_bool, False),
            "受け入れ人数": ("placement_capacity", values.parse_int, 0),
            "受け入れ条件": ("acceptance_conditions", free("受け入れ条件"), ""),
            "最終確認日": ("assured_date", values.parse_date, None),
        }
        fields: dict[str, Any] = {"title": title}
        for column, (name, parser, empty) in columns.items():
            if row.has(column):
                value = row.parse(column, parser) if parser else row.text(column)
                fields[name] = empty if value in (None, "") else value
        if row.has("対象"):
            audience = row.flags("対象", self.audience, AUDIENCE_FLAGS)
            audience["for_everyone"] = audience["for_everyone"] or not any(audience.values())
            fields.update(audience)
        if row.has("設備・配慮"):
            fields.update(row.flags("設備・配慮", self.access, ACCESS_FIELDS))
        if row.has("参加しやすさ"):
            fields.update(row.flags("参加しやすさ", self.support, SUPPORT_FLAGS))
        minimum, maximum = fields.get("min_age"), fields.get("max_age")
        if minimum is not None and maximum is not None and maximum < minimum:
            row.errors.row(row.number, "最高年齢", _("The maximum age is below the minimum."))
        return fields

    def _schedules(self, row: _Row) -> list[ScheduleRecord]:
        weeks = row.parse("週", values.parse_weeks_of_month) or ""
        note = row.free("日程の補足")
        if len(note) > 200:
            row.errors.row(row.number, "日程の補足", _("Write 200 characters or fewer."))
        if values.has_time_ranges(row.text("曜日")):
            # 「火 10:00-11:30; 木 13:00-15:00」: several time ranges in the one cell.
            if row.text("開始時刻") or row.text("終了時刻"):
                row.errors.row(
                    row.number,
                    "開始時刻",
                    _("The times are in the day column already; leave this column empty."),
                )
            ranges = row.parse("曜日", values.parse_day_ranges) or []
            return [
                ScheduleRecord(
                    weekday=day, weeks_of_month=weeks, opens_at=opens, closes_at=closes, note=note
                )
                for day, opens, closes in ranges
            ]
        days = row.parse("曜日", values.parse_weekdays) or []
        opens = row.parse("開始時刻", values.parse_time)
        closes = row.parse("終了時刻", values.parse_time)
        if not row.text("曜日"):
            for column in ("週", "開始時刻", "終了時刻"):
                if row.text(column):
                    row.errors.row(row.number, "曜日", _("Enter the day of the week too."))
                    break
            return []
        for column, value in (("開始時刻", opens), ("終了時刻", closes)):
            if value is None and not row.text(column):
                row.errors.row(row.number, column, _("Enter the time too."))
        if opens and closes and closes <= opens:
            row.errors.row(row.number, "終了時刻", _("The end time must be after the start."))
        if opens is None or closes is None:
            return []
        return [
            ScheduleRecord(
                weekday=day, weeks_of_month=weeks, opens_at=opens, closes_at=closes, note=note
            )
            for day in days
        ]

    def _location(self, row: _Row) -> dict[str, Any]:
        """The location columns the file has (a column left out leaves its field alone)."""
        latitude = row.parse("緯度", lambda v: values.parse_coordinate(v, limit=90))
        longitude = row.parse("経度", lambda v: values.parse_coordinate(v, limit=180))
        if bool(row.text("緯度")) != bool(row.text("経度")):
            row.errors.row(
                row.number, "経度" if row.text("緯度") else "緯度", _("Enter both, or neither.")
            )
        found = {
            "地区": ("area", row.parse("地区", self.areas.get)),
            "住所": ("address", row.free("住所")),
            "緯度": ("latitude", latitude),
            "経度": ("longitude", longitude),
        }
        return {name: value for column, (name, value) in found.items() if row.has(column)}

    def _place(self, row: _Row, location: dict[str, Any]) -> str | None:
        external_id, title = row.text("場所ID"), row.free("場所名")
        if not (external_id or title):
            return None
        key = f"place:id:{external_id}" if external_id else f"place:name:{values.key(title)}"
        where = _("Row %(row)s") % {"row": row.number}
        fields = {"title": title, "kana": row.text("場所名よみ"), **location}
        record = ListingRecord(
            key=key, where=where, external_id=external_id, match_title=not external_id
        )
        self._merge(self.data.places, record, fields, row, place=True)
        return key

    def _organization(self, row: _Row) -> str | None:
        external_id, name = row.text("団体ID"), row.free("団体名")
        if not (external_id or name):
            return None
        key = f"org:id:{external_id}" if external_id else f"org:name:{values.key(name)}"
        where = _("Row %(row)s") % {"row": row.number}
        fields = {
            "name": name,
            "kana": row.text("団体名よみ"),
            "kind": row.parse("団体種別", self.org_kinds.get),
            "phone": row.text("団体電話番号"),
            "email": row.parse("団体メールアドレス", values.parse_email),
            "website": row.parse("団体ウェブサイト", values.parse_url),
        }
        record = OrganizationRecord(
            key=key, where=where, external_id=external_id, match_name=not external_id
        )
        self._merge(self.data.organizations, record, fields, row, place=False)
        return key

    def _merge(
        self, records: dict, record: Any, fields: dict[str, Any], row: _Row, *, place: bool
    ) -> None:
        """Fill a place's or operator's fields from this row; blank cells leave them as they
        are, and a cell that contradicts an earlier row is an error."""
        columns = PLACE_COLUMNS if place else ORG_COLUMNS
        existing = records.setdefault(record.key, record)
        for name, value in fields.items():
            if value in (None, ""):
                continue
            previous = existing.fields.get(name)
            if previous not in (None, "") and previous != value:
                row.errors.row(
                    row.number,
                    columns[name],
                    _("It differs from an earlier row for the same %(what)s.")
                    % {"what": _("place") if place else _("operator")},
                )
            else:
                existing.fields[name] = value


PLACE_COLUMNS = {
    "title": "場所名",
    "kana": "場所名よみ",
    "area": "地区",
    "address": "住所",
    "latitude": "緯度",
    "longitude": "経度",
}
ORG_COLUMNS = {
    "name": "団体名",
    "kana": "団体名よみ",
    "kind": "団体種別",
    "phone": "団体電話番号",
    "email": "団体メールアドレス",
    "website": "団体ウェブサイト",
}


def read_directory_csv(text: str, *, site: Site | None = None) -> DirectoryData:
    """Every row checked; ``ImportRejected`` lists all the problems of the file. Districts are
    ``site``'s (a town's) when given."""
    return DirectoryCSVReader(site).read(text)
