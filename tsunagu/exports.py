"""Spreadsheet exports that Excel cannot be tricked into running (CSV formula injection).

Names, notes and titles typed by anonymous people or group editors end up in the staff's CSV
files; Excel and LibreOffice run a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and, per
OWASP, TAB or CR) as a formula. Every CSV the product writes goes through ``spreadsheet_cell``:
Wagtail's list exports by ``SafeSpreadsheetExportMixin``, hand-written files by ``csv_writer``.
tests/tsunagu/test_exports.py fails when an export appears that uses neither.

Numbers (int, float, Decimal) and dates are written unchanged, so a negative count or hours
column stays a number in the sheet; only text is escaped, with the apostrophe Excel itself uses
for "this is text" (it does not show in the cell). XLSX needs none of this: Wagtail already
writes every cell it would read as a formula as a string.
"""

import csv
import datetime as dt
from decimal import Decimal
from typing import Any, Protocol

from wagtail.admin.views.generic.models import IndexView
from wagtail.admin.views.mixins import SpreadsheetExportMixin

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Values whose text can never start a formula: they are written as they are.
_PLAIN = (int, float, Decimal, dt.date, dt.time, type(None))


def spreadsheet_safe(text: str) -> str:
    """Text a spreadsheet shows as typed, never runs."""
    return "'" + text if text.startswith(FORMULA_START) else text


def spreadsheet_cell(value: Any) -> Any:
    """A CSV cell: numbers and dates as they are, anything else as formula-safe text."""
    if isinstance(value, _PLAIN):
        return value
    return spreadsheet_safe(str(value))


class _Writer(Protocol):
    def writerow(self, row: Any) -> Any: ...


class _SafeWriter:
    """csv.writer whose every cell has passed ``spreadsheet_cell``."""

    def __init__(self, writer: _Writer) -> None:
        self._writer = writer

    def writerow(self, row: Any) -> Any:
        return self._writer.writerow([spreadsheet_cell(value) for value in row])

    def writerows(self, rows: Any) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(file: Any, **kwargs: Any) -> _SafeWriter:
    """The one way to write a CSV file by hand (``csv.writer`` anywhere else fails a test)."""
    return _SafeWriter(csv.writer(file, **kwargs))


class SafeSpreadsheetExportMixin(SpreadsheetExportMixin):
    """Wagtail's list export (``list_export``) with formula-safe CSV cells.

    Put it before the Wagtail view in the bases (``class V(SafeSpreadsheetExportMixin,
    IndexView)``); ``SafeIndexView`` is that for a plain ModelViewSet.
    """

    def preprocess_field_value(self, field: str, value: Any, export_format: str) -> Any:
        value = super().preprocess_field_value(field, value, export_format)
        if export_format == self.FORMAT_CSV:
            return spreadsheet_cell(value)
        return value


class SafeIndexView(SafeSpreadsheetExportMixin, IndexView):
    """The index view of a ModelViewSet that exports (``index_view_class = SafeIndexView``)."""
