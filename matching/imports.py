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

- Consent, as recorded in the admin (the latest record decides): 同意 / consent_stage
  (同意あり・支援会議のみ・同意撤回), 同意日 / consent_date (required with a stage), 同意の方法 /
  consent_method (面談・書面・電話・代理人・その他), 同意の範囲 / consent_scope (required for
  同意あり), 同意の備考 / consent_note (the reason, required for 同意撤回). Importing the same
  record again adds nothing.
- Support plan: 支援計画の目標 / plan_goals (required with any plan column), 支援内容 /
  plan_support, 支援会議の日 / plan_meeting_date (a plan with one is 合意済み), 会議の参加機関 /
  plan_organisations (separated by 、 or a line break), 見直し予定日 / plan_review_due. A plan
  that differs from the current one becomes the current plan; the old one is kept.

Terms may be written by name, synonym or kana (the vocabulary's ``TermLookup``). Dates may be
written 2026-04-01, 2026/4/1, 2026年4月1日, 令和8年4月1日 or R8.4.1.

Columns left out leave those fields of existing clients unchanged.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from resources.importing import values
from resources.importing.files import Errors
from resources.models import Term
from resources.models.vocabulary import TermLookup

from .models import Client, Consent
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
    "consent_stage": ("consent_stage", "同意", "同意の状況"),
    "consent_date": ("consent_date", "同意日", "同意年月日"),
    "consent_method": ("consent_method", "同意の方法", "同意の取得方法"),
    "consent_scope": ("consent_scope", "同意の範囲"),
    "consent_note": ("consent_note", "同意の備考", "撤回の理由"),
    "plan_goals": ("plan_goals", "支援計画の目標", "目標"),
    "plan_support": ("plan_support", "支援内容", "支援内容と役割分担"),
    "plan_meeting_date": ("plan_meeting_date", "支援会議の日", "支援会議日"),
    "plan_organisations": ("plan_organisations", "会議の参加機関", "参加機関"),
    "plan_review_due": ("plan_review_due", "見直し予定日", "次回見直し"),
}
CONSENT_COLUMNS = (
    "consent_stage",
    "consent_date",
    "consent_method",
    "consent_scope",
    "consent_note",
)
PLAN_COLUMNS = (
    "plan_goals", "plan_support", "plan_meeting_date", "plan_organisations", "plan_review_due"
)  # fmt: skip
STAGE_WORDS = {
    "同意": Consent.Stage.CONSENTED,
    "あり": Consent.Stage.CONSENTED,
    "支援会議のみ": Consent.Stage.SUPPORT_MEETING,
    "支援会議": Consent.Stage.SUPPORT_MEETING,
    "同意なし": Consent.Stage.SUPPORT_MEETING,
    "撤回": Consent.Stage.WITHDRAWN,
}
METHOD_WORDS = {
    "面談": Consent.Method.INTERVIEW,
    "対面": Consent.Method.INTERVIEW,
    "書面": Consent.Method.WRITTEN,
    "文書": Consent.Method.WRITTEN,
    "電話": Consent.Method.PHONE,
    "代理人": Consent.Method.PROXY,
    "代理": Consent.Method.PROXY,
}
# Japanese eras a town's Excel dates are written in: 令和8年4月1日, R8.4.1, 平成31年4月1日.
ERAS = {"令和": 2018, "r": 2018, "平成": 1988, "h": 1988}
_WAREKI = re.compile(r"^(令和|平成|r|h)(\d{1,2}|元)[.\-/年](\d{1,2})[.\-/月](\d{1,2})日?$")
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
    consent: dict[str, Any] = field(default_factory=dict)  # consent_record's arguments
    plan: dict[str, Any] = field(default_factory=dict)  # plan_create's arguments


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


def parse_record_date(text: str, *, past: bool = True) -> dt.date:
    """A date as a town writes it, Japanese era included (令和8年4月1日, R8.4.1); with ``past``,
    not in the future, since it records something that happened."""
    value = values.normalize(text).replace(" ", "").lower()
    if match := _WAREKI.match(value):
        year = 1 if match[2] == "元" else int(match[2])
        try:
            day = dt.date(ERAS[match[1]] + year, int(match[3]), int(match[4]))
        except ValueError:
            raise ValueError(
                _("“%(value)s” is not a date; write it like 2025-04-01.") % {"value": text}
            ) from None
    else:
        day = values.parse_date(value)
    if past and day > timezone.localdate():
        raise ValueError(_("“%(value)s” is in the future.") % {"value": text})
    return day


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
        self.terms = TermLookup.load()
        self.fields = _Words(FIELD_WORDS)
        self.preferences = _Words(PREFERENCE_WORDS)
        self.status = values.Choices(Client.Status.choices, aliases=STATUS_WORDS)
        self.stages = values.Choices(Consent.Stage.choices, aliases=STAGE_WORDS)
        self.methods = values.Choices(Consent.Method.choices, aliases=METHOD_WORDS)

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
        for column, message in (*self._consent_problems(row), *self._plan_problems(row)):
            errors.row(line, titles.get(column) or HEADERS[column][1], message)
        return row if len(errors.messages) == before else None

    def _consent_problems(self, row: ClientRow) -> list[tuple[str, str]]:
        """The admin's consent rules (ConsentForm, consent_record), per column."""
        consent = row.consent
        if not any(consent.values()):
            row.consent = {}
            return []
        problems = []
        if not consent.get("stage"):
            problems.append(("consent_stage", _("required.")))
        if not consent.get("obtained_on"):
            problems.append(("consent_date", _("required.")))
        stage = consent.get("stage")
        if stage == Consent.Stage.CONSENTED and not consent.get("scope"):
            problems.append(("consent_scope", _("Record what the person agreed to (the scope).")))
        if stage == Consent.Stage.WITHDRAWN and not consent.get("note"):
            problems.append(("consent_note", _("Give the reason for the withdrawal.")))
        return problems

    def _plan_problems(self, row: ClientRow) -> list[tuple[str, str]]:
        if not any(row.plan.values()):
            row.plan = {}
            return []
        if not row.plan.get("goals"):
            return [("plan_goals", _("required."))]
        return []

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
        elif column in CONSENT_COLUMNS:
            self._consent_cell(row, column, text, value)
        elif column in PLAN_COLUMNS:
            self._plan_cell(row, column, text, value)
        elif column == "referred_on" and value:
            day = parse_record_date(value, past=False)
            if day > timezone.localdate():
                raise ValueError(_("The referral date cannot be in the future."))
            fields["referred_on"] = day

    def _consent_cell(self, row: ClientRow, column: str, text: str, value: str) -> None:
        consent = row.consent
        if column == "consent_stage":
            consent["stage"] = self.stages.get(value) if value else ""
        elif column == "consent_date":
            consent["obtained_on"] = parse_record_date(value) if value else None
        elif column == "consent_method":
            consent["method"] = self.methods.get(value) if value else ""
        else:  # scope and note: free text, kept as written
            consent[column.removeprefix("consent_")] = text.strip()

    def _plan_cell(self, row: ClientRow, column: str, text: str, value: str) -> None:
        plan = row.plan
        if column in ("plan_meeting_date", "plan_review_due"):
            # A review is due in the future; only the meeting must have happened.
            past = column == "plan_meeting_date"
            day = parse_record_date(value, past=past) if value else None
            plan["meeting_date" if column == "plan_meeting_date" else "review_due"] = day
        elif column == "plan_organisations":
            names = values.split(text)
            plan["meeting_organisations"] = "\n".join(names)
        else:
            plan["goals" if column == "plan_goals" else "support_details"] = text.strip()

    def _term(self, word: str, kind: str) -> int:
        """The term by name, synonym or kana; the vocabulary is blamed only when it lacks the
        word altogether."""
        term = self.terms.find(word, kind)
        if term is not None:
            return term.pk
        other = self.terms.find(word)
        if other is not None:
            raise ValueError(
                _("“%(value)s” is a term of another kind (%(kind)s).")
                % {"value": word, "kind": other.get_kind_display()}
            )
        if similar := self.terms.similar(word, kind):
            raise ValueError(
                _(
                    "“%(value)s” is not in the vocabulary (similar terms: %(similar)s); add it "
                    "with import_vocabulary first, or write one of those."
                )
                % {"value": word, "similar": "、".join(similar)}
            )
        raise ValueError(
            _("“%(value)s” is not in the vocabulary; add it with import_vocabulary first.")
            % {"value": word}
        )
