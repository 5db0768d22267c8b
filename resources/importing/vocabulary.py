"""Vocabulary files (CSV or JSON) → rows; every row checked, every error reported.

Columns (CSV header) or keys (JSON objects), English or Japanese:

- ``name`` / 名前 (required): the term; rows update the term of the same name.
- ``kana`` / よみ: its reading.
- ``kind`` / 種別: 関心・活動, 支援ニーズ, 対象, 配慮 (or interest, need, audience, accommodation);
  empty keeps an existing term's kind, and makes a new one 関心・活動.
- ``parent`` / 上位語: the broader term, by name, in the file (any row) or already loaded.
- ``synonyms`` / 同義語: other words for it, separated by 、 or ,.

A JSON file is a list of such objects, or an object with the list under ``terms``. A column
left out of the file leaves that field of existing terms unchanged; an empty cell empties it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from django.utils.translation import gettext as _

from resources.models import Term
from tsunagu.text import normalize

from . import values
from .files import Errors, ImportRejected, load_json

K = TypeVar("K", bound=Hashable)

HEADERS = {
    "name": "name",
    "名前": "name",
    "語": "name",
    "kana": "kana",
    "よみ": "kana",
    "読み": "kana",
    "かな": "kana",
    "kind": "kind",
    "種別": "kind",
    "parent": "parent",
    "上位語": "parent",
    "親": "parent",
    "synonyms": "synonyms",
    "同義語": "synonyms",
    "別名": "synonyms",
}
KIND_ALIASES = {
    "関心・活動": "interest",
    "支援ニーズ": "need",
    "対象": "audience",
    "配慮": "accommodation",
}


@dataclass
class VocabularyRow:
    """One term as the file gives it; ``None`` means the file has no such column."""

    where: str
    name: str
    kana: str | None = None
    kind: str | None = None
    parent: str | None = None
    synonyms: str | None = None
    line: int | None = None  # a CSV row number, for "N行目 列「…」"
    columns: dict[str, str] = field(default_factory=dict)  # field → the header as written

    def report(self, errors: Errors, name: str, message: str) -> None:
        """Record an error about this row's ``name`` field, located as the file's kind allows."""
        if self.line is not None:
            errors.row(self.line, self.columns.get(name, name), message)
        else:
            errors.field(self.where, name, message)


def find_cycles(parents: Mapping[K, K | None]) -> set[K]:
    """The nodes whose chain of parents leads back to themselves."""
    on_cycle: set[K] = set()
    for start in parents:
        node = parents.get(start)
        steps = 0
        while node is not None and node != start and steps <= len(parents):
            node = parents.get(node)
            steps += 1
        if node == start:
            on_cycle.add(start)
    return on_cycle


class VocabularyReader:
    def __init__(self) -> None:
        self.errors = Errors()
        self.kinds = values.Choices(Term.Kind.choices, KIND_ALIASES)
        self.rows: list[VocabularyRow] = []
        self.names: dict[str, str] = {}

    def read_csv(self, text: str) -> list[VocabularyRow]:
        records = list(csv.reader(io.StringIO(text)))
        if not records:
            raise ImportRejected([_("The file is empty.")])
        header = [normalize(cell) for cell in records[0]]
        for column in header:
            if column and column not in HEADERS:
                self.errors.row(1, column, _("This column is unknown."))
        if "name" not in {HEADERS.get(c) for c in header}:
            self.errors.row(1, "name", _("This column is required."))
        self.errors.raise_if_any()
        for number, cells in enumerate(records[1:], start=2):
            if not any(cell.strip() for cell in cells):
                continue
            item = {HEADERS[c]: v for c, v in zip(header, cells, strict=False) if c}
            columns = {HEADERS[c]: c for c in header if c}
            where = _("Row %(row)s") % {"row": number}
            self._row(item, VocabularyRow(where=where, name="", line=number, columns=columns))
        return self._done()

    def read_json(self, text: str) -> list[VocabularyRow]:
        document = load_json(text)
        items = document.get("terms") if isinstance(document, dict) else document
        if not isinstance(items, list):
            raise ImportRejected([_("The JSON must be a list of terms.")])
        for index, raw in enumerate(items, start=1):
            where = _("Item %(n)s") % {"n": index}
            if not isinstance(raw, dict):
                self.errors.field(where, "-", _("Must be an object."))
                continue
            item = {}
            for name, value in raw.items():
                if name not in HEADERS:
                    self.errors.field(where, name, _("This key is unknown."))
                elif value is not None and not isinstance(value, str):
                    self.errors.field(where, name, _("Must be text."))
                else:
                    item[HEADERS[name]] = value or ""
            self._row(item, VocabularyRow(where=where, name=""))
        return self._done()

    def _row(self, item: dict[str, str], row: VocabularyRow) -> None:
        """Fill ``row`` from the file's ``item`` (keys already mapped to field names)."""

        def error(name: str, message: str) -> None:
            row.report(self.errors, name, message)

        row.name = name = normalize(item.get("name") or "")
        if not name:
            error("name", _("Required."))
            return
        if len(name) > 100:
            error("name", _("Write 100 characters or fewer."))
        if values.key(name) in self.names:
            error(
                "name",
                _("“%(name)s” is already on %(where)s.")
                % {"name": name, "where": self.names[values.key(name)]},
            )
            return
        self.names[values.key(name)] = row.where
        if "kana" in item:
            row.kana = normalize(item["kana"])
        if item.get("kind"):
            try:
                row.kind = self.kinds.get(item["kind"])
            except ValueError as exc:
                error("kind", str(exc))
        if "parent" in item:
            row.parent = normalize(item["parent"])
            if values.key(row.parent) == values.key(name):
                error("parent", _("A term cannot be its own broader term."))
        if "synonyms" in item:
            row.synonyms = "、".join(values.split(item["synonyms"]))
        self.rows.append(row)

    def _done(self) -> list[VocabularyRow]:
        if not self.rows and not self.errors:
            self.errors.file(_("The file has no rows to import."))
        self.errors.raise_if_any()
        return self.rows
