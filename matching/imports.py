"""Client spreadsheets (CSV) → checked rows; every cell checked, every error reported.

A town migrating from Excel exports its case list as CSV (UTF-8 with or without BOM, or CP932).
Headers, Japanese or English (any order; unknown columns are refused, so a typo is not silently
dropped):

- 外部ID / external_id (required): the identifier in the team's own list; a second import
  updates the client with the same ID.
- 氏名 / name (required), ふりがな / kana, 生年 / birth_year (e.g. 1948), 年代 / age_band
  (80代, 10代, 10歳未満, 90代以上), 性別 / gender (女性・男性).
- 分野 / fields: 高齢・障害・子ども・生活困窮・その他, several separated by 、 or ・.
- 地区 / area: a district of the town, by name or reading.
- 関心 / interests, 必要な支援 / needs, 配慮 / accommodations: vocabulary terms of that kind.
- 参加できる時間 / availability: 月朝, 水昼, 金夕 … (朝 = morning, 昼 = afternoon, 夕 = evening).
- 移動距離km / max_distance_km, 移動手段あり / has_transport, 送迎が必要 / needs_pickup (○×).
- 希望 / preferences: 少人数, 同性のみ, 見学から, 短時間から, 付き添い.
- 状況 / status: 相談中・支援中・終結・中断 (empty: 相談中), 備考 / notes.
- 受付日 / referred_on: the day the team took the case on (2025-04-01, 2025/4/1 or
  2025年4月1日; not in the future). Empty: a new client's is the day of the import, an
  existing client's stays as it was.

Columns left out leave those fields of existing clients unchanged.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from resources.importing import values
from resources.importing.files import Errors
from resources.models import Term

from .models import Client
from .models.clients import (
    ALL_SLOTS,
    FIELD_FLAGS,
    PREFERENCE_FLAGS,
    AgeBand,
    Gender,
    availability_slot,
)

HEADERS = {
    "external_id": ("external_id", "外部ID", "管理番号"),
    "name": ("name", "氏名", "名前"),
    "kana": ("kana", "ふりがな", "フリガナ", "よみ"),
    "birth_year": ("birth_year", "生年", "生まれ年"),
    "age_band": ("age_band", "年代"),
    "gender": ("gender", "性別"),
    "fields": ("fields", "分野"),
    "area": ("area", "地区"),
    "interests": ("interests", "関心"),
    "needs": ("needs", "必要な支援"),
    "accommodations": ("accommodations", "配慮", "必要な配慮"),
    "availability": ("availability", "参加できる時間"),
    "max_distance_km": ("max_distance_km", "移動距離km", "移動距離"),
    "has_transport": ("has_transport", "移動手段あり"),
    "needs_pickup": ("needs_pickup", "送迎が必要"),
    "preferences": ("preferences", "希望"),
    "status": ("status", "状況"),
    "notes": ("notes", "備考"),
    "referred_on": ("referred_on", "受付日", "受付年月日"),
}
FIELD_WORDS = {
    "field_elderly": ("高齢", "高齢者", "elderly"),
    "field_disability": ("障害", "障がい", "disability"),
    "field_children": ("子ども", "こども", "子供", "children"),
    "field_poverty": ("生活困窮", "困窮", "poverty"),
    "field_other": ("その他", "other"),
}
PREFERENCE_WORDS = {
    "prefers_small_group": ("少人数", "small_group"),
    "same_gender_only": ("同性のみ", "same_gender_only"),
    "wants_visit_first": ("見学から", "visit_first"),
    "wants_short_time": ("短時間から", "短時間", "short_time"),
    "wants_companion": ("付き添い", "同行", "companion"),
}
STATUS_WORDS = {
    "相談中": "consulting",
    "支援中": "supporting",
    "終結": "closed",
    "中断": "suspended",
}
GENDER_WORDS = {"女": Gender.FEMALE, "女性": Gender.FEMALE, "男": Gender.MALE, "男性": Gender.MALE}
BAND_WORDS = {"朝": "morning", "午前": "morning", "昼": "afternoon", "午後": "afternoon",
              "夕": "evening", "夜": "evening"}  # fmt: skip
_SLOT = re.compile(r"^([月火水木金土日])(?:曜日?)?(朝|午前|昼|午後|夕|夜)$")
_AGE_BAND = re.compile(r"^(\d{1,2})(?:代|歳代)(?:以上)?$")
TERM_COLUMNS = {
    "interests": Term.Kind.INTEREST,
    "needs": Term.Kind.NEED,
    "accommodations": Term.Kind.ACCOMMODATION,
}


@dataclass
class ClientRow:
    """One checked row: model field values, and term ids for the three vocabularies."""

    line: int
    external_id: str
    fields: dict[str, Any] = field(default_factory=dict)
    terms: dict[str, list[int]] = field(default_factory=dict)


class _Words:
    """Flag name by any of its words (NFKC, kana-folded)."""

    def __init__(self, words: dict[str, tuple[str, ...]]) -> None:
        self.flags = {values.key(w): flag for flag, ws in words.items() for w in ws}
        self.labels = "・".join(ws[0] for ws in words.values())

    def flags_in(self, text: str) -> set[str]:
        found = set()
        for word in values.split(text, values.LIST_SEPARATORS):
            if values.key(word) not in self.flags:
                raise ValueError(
                    _("“%(value)s” is not one of: %(choices)s.")
                    % {"value": word, "choices": self.labels}
                )
            found.add(self.flags[values.key(word)])
        return found


def _length_error(column: str, value: str) -> str | None:
    """The model's limit, checked here: encrypted columns are text, so the database cannot."""
    limit = Client._meta.get_field(column).max_length
    if limit is not None and len(value) > limit:
        return _("at most %(limit)d characters.") % {"limit": limit}
    return None


def parse_availability(text: str) -> list[str]:
    slots = []
    for token in values.split(text, values.LIST_SEPARATORS):
        match = _SLOT.match(token)
        if match is None:
            raise ValueError(
                _("“%(value)s” is not a time slot; write a weekday and 朝, 昼 or 夕, like 水朝.")
                % {"value": token}
            )
        day, band = values.WEEKDAYS.index(match[1]), BAND_WORDS[match[2]]
        slots.append(availability_slot(day, band))
    return sorted(set(slots), key=ALL_SLOTS.index)


def parse_age_band(text: str) -> int:
    value = values.normalize(text)
    if value in {"10歳未満", "10代未満", "0代"}:
        return AgeBand.UNDER_10
    match = _AGE_BAND.match(value)
    band = int(match[1]) if match else -1
    if band not in AgeBand.values or band == 0:
        raise ValueError(_("“%(value)s” is not an age band; write it like 80代.") % {"value": text})
    return band


def parse_distance(text: str) -> float:
    value = values.normalize(text).lower().removesuffix("km").removesuffix("キロ").strip()
    try:
        number = float(value)
    except ValueError:
        raise ValueError(_("“%(value)s” is not a number.") % {"value": text}) from None
    if not 0 <= number <= 999:
        raise ValueError(
            _("%(value)s is outside %(min)s–%(max)s.") % {"value": text, "min": 0, "max": 999}
        )
    return round(number, 1)


class ClientReader:
    """Reads a whole file; raises ImportRejected listing every error, or returns the rows."""

    def __init__(self) -> None:
        self.areas = values.AreaIndex()
        self.terms = values.TermIndex()
        self.fields = _Words(FIELD_WORDS)
        self.preferences = _Words(PREFERENCE_WORDS)
        self.status = values.Choices(Client.Status.choices, aliases=STATUS_WORDS)

    def read_csv(self, text: str) -> list[ClientRow]:
        errors = Errors()
        reader = csv.reader(io.StringIO(text))
        header = next(reader, None)
        if not header:
            errors.file(_("The file is empty."))
            errors.raise_if_any()
        columns = self._columns(header, errors)
        errors.raise_if_any()
        rows, seen = [], {}
        for line, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            by_name = {
                name: cells[i] if i < len(cells) else "" for name, (i, _t) in columns.items()
            }
            titles = {name: title for name, (_i, title) in columns.items()}
            row = self._row(line, by_name, titles, errors)
            if row is None:
                continue
            if row.external_id in seen:
                errors.row(
                    line, columns["external_id"][1],
                    _("the same ID is on row %(row)s.") % {"row": seen[row.external_id]},
                )  # fmt: skip
            seen[row.external_id] = line
            rows.append(row)
        errors.raise_if_any()
        return rows

    def _columns(self, header: list[str], errors: Errors) -> dict[str, tuple[int, str]]:
        names = {values.key(alias): name for name, aliases in HEADERS.items() for alias in aliases}
        columns: dict[str, tuple[int, str]] = {}
        for index, title in enumerate(header):
            name = names.get(values.key(title))
            if name is None:
                errors.file(_("Unknown column “%(column)s”.") % {"column": title})
            elif name in columns:
                errors.file(_("The column “%(column)s” appears twice.") % {"column": title})
            else:
                columns[name] = (index, title)
        for required in ("external_id", "name"):
            if required not in columns:
                errors.file(
                    _("The column “%(column)s” is missing.") % {"column": HEADERS[required][1]}
                )
        return columns

    def _row(
        self, line: int, cells: dict[str, str], titles: dict[str, str], errors: Errors
    ) -> ClientRow | None:
        before = len(errors.messages)
        row = ClientRow(line=line, external_id=values.normalize(cells["external_id"]))
        if not row.external_id:
            errors.row(line, titles["external_id"], _("required."))
        name = values.normalize(cells["name"])
        if not name:
            errors.row(line, titles["name"], _("required."))
        elif too_long := _length_error("name", name):
            errors.row(line, titles["name"], too_long)
        row.fields["name"] = name
        for column, text in cells.items():
            if column in {"external_id", "name"}:
                continue
            try:
                self._cell(row, column, text)
            except ValueError as exc:
                errors.row(line, titles[column], str(exc))
        return row if len(errors.messages) == before else None

    def _cell(self, row: ClientRow, column: str, text: str) -> None:
        value = values.normalize(text)
        fields = row.fields
        if column in ("kana", "notes"):
            fields[column] = text.strip() if column == "notes" else value
            if too_long := _length_error(column, fields[column]):
                raise ValueError(too_long)
        elif column == "birth_year":
            this_year = timezone.localdate().year
            fields["birth_year"] = (
                values.parse_int(value, minimum=this_year - 110, maximum=this_year)
                if value
                else None
            )
        elif column == "age_band":
            fields["age_band"] = parse_age_band(value) if value else None
        elif column == "gender":
            if value and value not in GENDER_WORDS:
                raise ValueError(_("“%(value)s” is not 女性 or 男性.") % {"value": text})
            fields["gender"] = GENDER_WORDS.get(value, "")
        elif column == "fields":
            chosen = self.fields.flags_in(value)
            fields.update({flag: flag in chosen for flag in FIELD_FLAGS})
        elif column == "preferences":
            chosen = self.preferences.flags_in(value)
            fields.update({flag: flag in chosen for flag in PREFERENCE_FLAGS})
        elif column == "area":
            fields["area"] = self.areas.get(value) if value else None
        elif column in TERM_COLUMNS:
            kind = TERM_COLUMNS[column]
            row.terms[column] = [self._term(word, kind) for word in values.split(value)]
        elif column == "availability":
            fields["availability"] = parse_availability(value)
        elif column == "max_distance_km":
            fields["max_distance_km"] = parse_distance(value) if value else None
        elif column in ("has_transport", "needs_pickup"):
            fields[column] = values.parse_bool(value)
        elif column == "status":
            fields["status"] = self.status.get(value) if value else Client.Status.CONSULTING
        elif column == "referred_on" and value:
            day = values.parse_date(value)
            if day > timezone.localdate():
                raise ValueError(_("The referral date cannot be in the future."))
            fields["referred_on"] = day

    def _term(self, word: str, kind: str) -> int:
        term = self.terms.get(word)
        if term.kind != kind:
            raise ValueError(
                _("“%(value)s” is a term of another kind (%(kind)s).")
                % {"value": word, "kind": term.get_kind_display()}
            )
        return term.pk
