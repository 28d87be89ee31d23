"""No code outside ``oms.inventory`` writes stock rows, movements or allocations: every change goes through the
stock ledger (``oms.inventory.ledger``). Tests and migrations are exempt; so is inventory itself.

The scan reads the source (Python's ``ast``), so it sees multi-line query chains and renamed imports:

* a write method (``create``, ``update``, ``bulk_create``, ``delete``, …) on a chain starting at
  ``Stock/StockMovement/Allocation.objects`` or at the related managers ``.stocks``, ``.movements``, ``.allocations``;
* a ``Stock(...)``, ``StockMovement(...)`` or ``Allocation(...)`` instance built (to be saved);
* an assignment to ``.on_hand`` or ``.reserved``, or ``F("on_hand")`` / ``F("reserved")``;
* SQL text that writes the stock tables, or a stock model's ``_meta.db_table`` used to build some.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SCANNED = [ROOT / "oms", ROOT / "bench"]
OWNER = ROOT / "oms" / "inventory"

MODELS = {"Stock", "StockMovement", "Allocation"}
RELATED_MANAGERS = {"stocks", "movements", "allocations"}
MANAGERS = {"objects", "_default_manager", "_base_manager"}
WRITES = {
    "create",
    "get_or_create",
    "update_or_create",
    "update",
    "bulk_create",
    "bulk_update",
    "delete",
    "save",
    "add",
    "set",
    "remove",
    "clear",
}
COUNTERS = {"on_hand", "reserved"}
WRITE_SQL = re.compile(
    r"\b(UPDATE|INSERT\s+INTO|DELETE\s+FROM)\s+[\"`]?inventory_(stock|stockmovement|allocation)\b", re.IGNORECASE
)


def _model_names(tree: ast.Module) -> set[str]:
    """Local names bound to the stock models (``from oms.inventory.models import Stock as S`` gives ``S``)."""
    names = set(MODELS)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "oms.inventory.models":
            names |= {alias.asname or alias.name for alias in node.names if alias.name in MODELS}
    return names


def _chain(node: ast.expr) -> list[ast.expr]:
    """The receivers of a call chain, outermost first: ``a.b(x).c`` gives [a.b(x).c, a.b(x), a.b, a]."""
    chain = [node]
    while True:
        node = chain[-1]
        if isinstance(node, ast.Attribute):
            chain.append(node.value)
        elif isinstance(node, ast.Call):
            chain.append(node.func)
        elif isinstance(node, ast.Subscript):
            chain.append(node.value)
        else:
            return chain


def _is_stock_manager(node: ast.expr, models: set[str]) -> bool:
    if not isinstance(node, ast.Attribute):
        return False
    if node.attr in RELATED_MANAGERS:
        return True
    owner = node.value
    owner_name = owner.id if isinstance(owner, ast.Name) else owner.attr if isinstance(owner, ast.Attribute) else ""
    return node.attr in MANAGERS and owner_name in models


def _strings(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        return ["".join(str(v.value) if isinstance(v, ast.Constant) else "{}" for v in node.values)]
    return []


def stock_writes(source: str) -> list[tuple[int, str]]:
    """(line, what) for every stock write found in ``source``."""
    tree = ast.parse(source)
    models = _model_names(tree)
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        what = _call_write(node, models) or _assigned_counter(node) or _table_name(node, models)
        if what:
            found.append((getattr(node, "lineno", 0), what))
        if any(WRITE_SQL.search(text) for text in _strings(node)):
            found.append((getattr(node, "lineno", 0), "SQL writing a stock table"))
    return sorted(set(found))


def _call_write(node: ast.AST, models: set[str]) -> str:
    if not isinstance(node, ast.Call):
        return ""
    func = node.func
    if isinstance(func, ast.Attribute) and func.attr in WRITES:
        if any(_is_stock_manager(part, models) for part in _chain(func.value)):
            return f"{func.attr}() on stock rows"
    elif isinstance(func, ast.Name) and func.id in models:
        return f"{func.id}(...) built"
    elif isinstance(func, ast.Name) and func.id == "F" and node.args and set(_strings(node.args[0])) & COUNTERS:
        return "F() on a stock counter"
    return ""


def _assigned_counter(node: ast.AST) -> str:
    if isinstance(node, ast.Assign):
        targets = node.targets
    elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
        targets = [node.target]
    else:
        return ""
    for target in targets:
        for part in ast.walk(target):
            if isinstance(part, ast.Attribute) and part.attr in COUNTERS:
                return f".{part.attr} assigned"
    return ""


def _table_name(node: ast.AST, models: set[str]) -> str:
    if not (isinstance(node, ast.Attribute) and node.attr == "db_table"):
        return ""
    meta = node.value
    if isinstance(meta, ast.Attribute) and meta.attr == "_meta" and isinstance(meta.value, ast.Name):
        return f"{meta.value.id}._meta.db_table" if meta.value.id in models else ""
    return ""


def _scanned_files() -> list[Path]:
    files = []
    for root in SCANNED:
        for path in root.rglob("*.py"):
            parts = path.relative_to(ROOT).parts
            if path.is_relative_to(OWNER) or "migrations" in parts:
                continue
            if any(part == "tests" or part.endswith("_tests") for part in parts[:-1]):
                continue
            if path.name == "conftest.py" or path.name.startswith("test_"):
                continue
            files.append(path)
    return files


def test_no_code_outside_inventory_writes_stock():
    files = _scanned_files()
    assert any(path.name == "placement_sql.py" for path in files)  # the scan sees the apps it is about
    offenders = [
        f"{path.relative_to(ROOT)}:{line}: {what}"
        for path in files
        for line, what in stock_writes(path.read_text(encoding="utf-8"))
    ]
    assert offenders == [], "stock changes go through oms.inventory.ledger:\n" + "\n".join(offenders)


@pytest.mark.parametrize(
    ("source", "what"),
    [
        ("Stock.objects.create(sku=s, warehouse=w)", "create() on stock rows"),
        ("StockMovement.objects.bulk_create(rows)", "bulk_create() on stock rows"),
        ("(Stock.objects\n  .filter(pk=1)\n  .update(on_hand=3))", "update() on stock rows"),
        ("Allocation.objects.filter(order=o).update(status='released')", "update() on stock rows"),
        ("order.allocations.all().delete()", "delete() on stock rows"),
        ("sku.stocks.get_or_create(warehouse=w)", "get_or_create() on stock rows"),
        (
            "from oms.inventory.models import Stock as S\nS._default_manager.update(reserved=0)",
            "update() on stock rows",
        ),
        ("StockMovement(stock=s, kind='receipt')", "StockMovement(...) built"),
        ("qs.update(reserved=F('reserved') + 1)", "F() on a stock counter"),
        ("stock.on_hand = 5", ".on_hand assigned"),
        ("stock.reserved += 1", ".reserved assigned"),
        ("cursor.execute('UPDATE inventory_stock SET reserved = 0')", "SQL writing a stock table"),
        ('cursor.execute(f"INSERT INTO \\"inventory_stockmovement\\" VALUES ({v})")', "SQL writing a stock table"),
        ("table = Stock._meta.db_table", "Stock._meta.db_table"),
    ],
)
def test_the_scan_finds_each_kind_of_stock_write(source, what):
    assert [found for _, found in stock_writes(source)] == [what]


@pytest.mark.parametrize(
    "source",
    [
        "Stock.objects.filter(sku=s).select_related('warehouse').first()",
        "StockMovement.objects.filter(order=o).values_list('kind', flat=True)",
        "Order.objects.filter(pk=1).update(status='paid')",
        "cursor.execute('SELECT on_hand FROM inventory_stock')",
        "Warehouse.objects.annotate(available=Sum(F('stocks__on_hand') - F('stocks__reserved')))",
    ],
)
def test_the_scan_lets_reads_and_other_tables_pass(source):
    assert stock_writes(source) == []
