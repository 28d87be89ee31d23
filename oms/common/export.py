"""The one CSV writer of the project: every export goes through :func:`csv_response`.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return as a formula
(``=HYPERLINK(...)`` in a product name would become a live link). Text cells starting so are written with a leading
``'`` (OWASP's advice), which spreadsheets show as text. Numbers (``int``, ``Decimal``) are written as numbers, so a
negative amount stays ``-2.00``.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpResponse

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
