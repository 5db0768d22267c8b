"""The report's tables as XLSX (a sheet per table) or CSV (the tables one after another).

Only suppressed tables are written: a file leaves the team. Every file opens with what it
holds (report, period, filters, the suppression rule) so a copy read on its own is not
misread. Text cells are formula-safe: CSV through ``tsunagu.exports.csv_writer``, XLSX by
marking every text cell as a string (an organisation's name starting with "=" stays text).
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from tsunagu.exports import csv_writer

from .tables import Table

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def preamble(title: str, facts: Sequence[str], minimum: int) -> list[str]:
    """The lines above every export: what, for which period and filters, and how suppressed."""
    rule = _(
        "Counts of 1 to %(last)d people, and figures that would reveal them, are shown as *."
    ) % {"last": minimum - 1}
    return [title, *facts, rule]


def _table_rows(table: Table) -> Iterator[list[Any]]:
    yield [table.row_heading, *(column.heading for column in table.columns)]
    for row in table.rows:
        yield [row.label, *row.values]


def csv_response(tables: Sequence[Table], heading: Sequence[str], filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    response.write("\ufeff")  # Excel reads UTF-8 only with a BOM
    writer = csv_writer(response)
    writer.writerows([line] for line in heading)
    for table in tables:
        writer.writerow([])
        writer.writerow([table.title])
        writer.writerows([note] for note in table.notes)
        writer.writerows(_table_rows(table))
    return response


def _cell(sheet: Any, value: Any) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever the text starts with
    return cell


def xlsx_response(tables: Sequence[Table], heading: Sequence[str], filename: str) -> HttpResponse:
    workbook = Workbook(write_only=True)
    for table in tables:
        sheet = workbook.create_sheet(title=table.key[:31])
        lines = [*heading, "", table.title, *table.notes]
        for line in lines:
            sheet.append([_cell(sheet, line)])
        for row in _table_rows(table):
            sheet.append([_cell(sheet, value) for value in row])
    output = io.BytesIO()
    workbook.save(output)
    response = HttpResponse(output.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response
