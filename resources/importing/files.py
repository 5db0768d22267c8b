"""Errors, decoding and progress: what every import shares."""

from __future__ import annotations

import codecs
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _


class ImportRejected(Exception):
    """The file was refused as a whole; ``errors`` lists every problem found, in Japanese."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


class Errors:
    """Collects located error messages so a file is checked to the end before it is refused.

    Cell errors are listed by row, then in the order of ``columns`` (the template's), whatever
    order the checks ran in; other errors in the order found.
    """

    def __init__(self, columns: Sequence[str] = ()) -> None:
        self._entries: list[tuple[tuple[int, int, int], str]] = []
        self._columns = {column: index for index, column in enumerate(columns)}

    def __bool__(self) -> bool:
        return bool(self._entries)

    @property
    def messages(self) -> list[str]:
        return [message for _key, message in sorted(self._entries, key=lambda e: e[0])]

    def _add(self, row: int, column: int, message: str) -> None:
        self._entries.append(((row, column, len(self._entries)), message))

    def row(self, row: int, column: str, message: str) -> None:
        """A cell of a CSV file; rows count as Excel shows them (the header is row 1)."""
        text = _("Row %(row)s, column “%(column)s”: %(message)s") % {
            "row": row,
            "column": column,
            "message": message,
        }
        self._add(row, self._columns.get(column, len(self._columns)), text)

    def field(self, where: str, field: str, message: str) -> None:
        """A value in a JSON document, located by its path (``services[2].schedules[0]``)."""
        text = _("%(where)s, field “%(field)s”: %(message)s") % {
            "where": where,
            "field": field,
            "message": message,
        }
        self._add(0, 0, text)

    def file(self, message: str) -> None:
        self._add(0, 0, message)

    def raise_if_any(self) -> None:
        if self._entries:
            raise ImportRejected(self.messages)


# Far above a town's directory (5,000 listings are about 3 MB); a bigger file is a mistake.
MAX_FILE_BYTES = 50 * 1024 * 1024
# HSDS documents nest about eight levels; a deeper one is not a directory.
MAX_JSON_DEPTH = 64


def read_text(path: Path, *, limit: int | None = None) -> str:
    """The file's text: UTF-8 (with or without BOM), else CP932 as Excel saves it."""
    limit = MAX_FILE_BYTES if limit is None else limit
    try:
        size = path.stat().st_size
        if size > limit:
            raise ImportRejected(
                [
                    _("The file is %(size)s bytes; files over %(max)s bytes are not read.")
                    % {"size": f"{size:,}", "max": f"{limit:,}"}
                ]
            )
        data = path.read_bytes()
    except OSError as exc:
        raise ImportRejected(
            [_("The file %(path)s cannot be read: %(error)s") % {"path": path, "error": exc}]
        ) from exc
    # Excel's "Unicode text" is UTF-16, which CP932 would decode into nonsense.
    if not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        for encoding in ("utf-8-sig", "cp932"):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                continue
    raise ImportRejected(
        [
            _(
                "The file is neither UTF-8 nor Shift_JIS (CP932). In Excel, save it as "
                "“CSV UTF-8 (comma delimited)”."
            )
        ]
    )


def load_json(text: str) -> Any:
    """The parsed document; invalid or absurdly deep JSON is refused in Japanese, never with
    a traceback (Python's parser overflows its stack near 100,000 levels)."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportRejected(
            [
                _("The file is not valid JSON (line %(line)s): %(error)s")
                % {"line": exc.lineno, "error": exc.msg}
            ]
        ) from exc
    except RecursionError:
        document = None
    if document is None or _too_deep(document):
        raise ImportRejected(
            [_("The JSON nests deeper than %(max)s levels.") % {"max": MAX_JSON_DEPTH}]
        )
    return document


def _too_deep(document: Any) -> bool:
    stack = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            return True
        if isinstance(value, dict):
            stack += [(v, depth + 1) for v in value.values()]
        elif isinstance(value, list):
            stack += [(v, depth + 1) for v in value]
    return False


def is_json(path: Path, text: str) -> bool:
    """By extension, else by the first character (a CSV never starts with { or [)."""
    suffix = path.suffix.lower()
    if suffix in {".json", ".csv"}:
        return suffix == ".json"
    return text.lstrip()[:1] in {"{", "["}


class Progress:
    """A one-line progress bar for an operator watching a long import (the caller decides when:
    on a terminal, or when asked), so the logs of scheduled imports stay clean."""

    WIDTH = 30

    def __init__(
        self, *, enabled: bool = False, write: Callable[[str], None] | None = None
    ) -> None:
        self.enabled = enabled and write is not None
        self.write = write
        self.total = 0
        self.done = 0

    def advance(self) -> None:
        self.done += 1
        if not self.enabled or not self.total or self.write is None:
            return
        filled = self.WIDTH * self.done // self.total
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        end = "\n" if self.done >= self.total else ""
        self.write(f"\r[{bar}] {self.done}/{self.total}{end}")


def dry_run_note() -> str:
    """Appended to a dry run's summary."""
    return _("(dry run: nothing was written)")
