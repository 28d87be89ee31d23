"""The one export writer of the project: every export goes through :func:`csv_response` or :func:`xlsx_response`.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return as a formula
(``=HYPERLINK(...)`` in a product name would become a live link). Text cells starting so are written with a leading
``'`` (OWASP's advice), which spreadsheets show as text. Numbers (``int``, ``Decimal``) are written as numbers, so a
negative amount stays ``-2.00``.

XLSX files (XlsxWriter) get the same cells: text is written as a text cell (never parsed as a formula, a number
or a link) and still carries the ``'`` prefix, so a copy pasted back into a sheet or saved as CSV stays inert.
Rows are streamed to a temporary file (``constant_memory``), so a large export keeps memory flat.
"""

from __future__ import annotations

import csv
import re
import tempfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import xlsxwriter  # type: ignore[import-untyped]  # no type information published
from django.http import FileResponse, HttpResponse

SAFE_FILENAME = re.compile(r"[A-Za-z0-9._-]{1,200}")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | Decimal | date | datetime | None


def safe_cell(value: Any) -> Any:
    """The cell as written: text that a spreadsheet would evaluate is prefixed with ``'``; numbers stay numbers."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal | int):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float):
        raise TypeError("exports write Decimals, never floats")
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def write_rows(out: Any, header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> None:
    """Write ``header`` and ``rows`` as CSV to ``out`` (anything with ``write``), every cell through :func:`safe_cell`."""
    writer = csv.writer(out)
    writer.writerow([safe_cell(name) for name in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> HttpResponse:
    """A downloadable CSV file (UTF-8) named ``filename`` (letters, digits, ``.``, ``_`` and ``-`` only)."""
    if not SAFE_FILENAME.fullmatch(filename):
        raise ValueError(f"unsafe export file name: {filename!r}")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    write_rows(response, header, rows)
    return response


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_SHEET_ROWS = 1_048_576  # Excel's limit per sheet


def xlsx_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> FileResponse:
    """A downloadable XLSX workbook named ``filename`` with one sheet: ``header`` (bold) and ``rows``.

    Decimals are written as numbers with two places shown, dates as ISO text (as in the CSV), text as text cells.
    """
    if not SAFE_FILENAME.fullmatch(filename):
        raise ValueError(f"unsafe export file name: {filename!r}")
    out = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it once sent
    workbook = xlsxwriter.Workbook(
        out,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    sheet = workbook.add_worksheet()
    bold = workbook.add_format({"bold": True})
    cents = workbook.add_format({"num_format": "0.00"})
    for column, name in enumerate(header):
        sheet.write_string(0, column, str(safe_cell(name)), bold)
    for index, row in enumerate(rows, start=1):
        if index >= XLSX_SHEET_ROWS:
            raise ValueError("an XLSX sheet holds at most 1,048,576 rows")
        for column, cell in enumerate(row):
            value = safe_cell(cell)
            if isinstance(value, Decimal):
                sheet.write_number(index, column, value, cents)  # XlsxWriter stores it as a double, like Excel
            elif isinstance(value, int):
                sheet.write_number(index, column, value)
            else:
                sheet.write_string(index, column, value)
    workbook.close()
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename=filename, content_type=XLSX_TYPE)
