"""The stock ledger: the one way the numbers of a stock row change.

A change is a list of ``Movement`` rows (kind, stock row, on-hand and reserved deltas, the order it is for, a note
naming the shipment, return, purchase order or refund). ``post_movements`` writes them as ``StockMovement`` rows and
adds their deltas to the stock rows in one guarded update, in the same transaction: the movements of a row always
sum to its numbers, by construction. No other module writes ``Stock`` or ``StockMovement`` rows (a test scans the
source for it).

The guarded update:

* The guard is the table's CHECK constraints (``reserved >= 0``, ``on_hand >= reserved``) applied to the new values,
  so a change that would oversell matches no row; fewer rows than asked raise ``StockChangedConcurrently`` and the
  caller's transaction must roll back (rows whose guard held are already updated).
* Rows are locked in primary-key order, so two transactions touching the same rows queue instead of deadlocking.
  PostgreSQL: one statement, a ``FOR UPDATE`` sub-select in id order feeding the ``UPDATE``. MySQL/MariaDB: the
  ``UPDATE … ORDER BY id`` locks in that order. SQLite has one writer at a time.
* Rows that reference the stock rows (movements, allocations) are written around the update in the order that is
  safe on the database (``_applying``): PostgreSQL and SQLite insert first and update last, so the contended rows
  stay locked only until the commit; MySQL/MariaDB update first, because InnoDB share-locks the referenced stock
  row on every child insert, and two transactions each holding that share lock would deadlock on the update.

Order placement on PostgreSQL inserts the order and its reservation in one ``WITH`` statement of its own; it gets
the reservation's part of that statement from ``Reservation.insert_ctes`` and applies the update with
``Reservation.apply_after_insert`` — the stock SQL stays here.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import User
from django.db import connection
from django.db.models import Case, F, Model, QuerySet, Value, When
from django.db.transaction import TransactionManagementError
from django.utils import timezone

from oms.common.db import prepared_cursor
from oms.common.sql_insert import InsertCte
from oms.inventory.errors import StockChangedConcurrently
from oms.inventory.models import Allocation, Stock, StockMovement
from oms.inventory.sourcing import PlannedAllocation

Kind = StockMovement.Kind
Deltas = dict[int, tuple[int, int]]  # stock id -> (on_hand delta, reserved delta)
# Rows per INSERT when opening many stock rows at once (keeps each statement under every driver's parameter limit).
OPENING_BATCH = 2000


@dataclass(frozen=True, slots=True)
class Movement:
    """One change of one stock row, named by ``stock_id`` or by ``sku_id`` + ``warehouse_id``.

    ``order_id`` is the order the units move for (if any); ``note`` names what else it is about (a shipment, a
    return, a purchase order, a refund) and is cut to the column's 200 characters.
    """

    kind: str
    on_hand_delta: int = 0
    reserved_delta: int = 0
    stock_id: int | None = None
    sku_id: int | None = None
    warehouse_id: int | None = None
    order_id: int | None = None
    note: str = ""


def post_movements(*, movements: Sequence[Movement], actor: User | None) -> None:
    """Write ``movements`` and apply their deltas, all or nothing; inside the caller's transaction.

    Locks the stock rows concerned (in id order) until the caller commits. A row named by SKU and warehouse that
    does not exist yet is created empty when the movement adds units on hand. Raises StockChangedConcurrently when
    a guard fails (or a row is missing): the caller's transaction must roll back.
    """
    with posting_movements(movements=movements, actor=actor):
        pass


@contextmanager
def posting_movements(*, movements: Sequence[Movement], actor: User | None) -> Iterator[None]:
    """``post_movements`` around a with-block that writes rows referencing the same stock rows (allocations).

    The block runs before the guarded update on PostgreSQL and SQLite, after it on MySQL/MariaDB (see the module
    docstring); either way inside the caller's transaction, which must roll back if anything raises.
    """
    _require_transaction()
    rows = _movement_rows(movements, actor)
    with _applying(_deltas(rows)):
        StockMovement.objects.bulk_create(rows)
        yield


@dataclass
class Reservation:
    """A new order's reservation: its allocation and movement rows (unsaved) and the deltas they stand for.

    Written either by ``post`` (ORM inserts, after the order row is saved) or, on PostgreSQL, as part of the
    caller's own ``WITH … INSERT`` statement (``insert_ctes``), followed by ``apply_after_insert``.
    """

    order: Model
    allocations: list[Allocation]
    movements: list[StockMovement]
    deltas: Deltas

    def post(self) -> None:
        """Insert the rows and reserve the units (guarded); the order row must be saved already."""
        _require_transaction()
        with _applying(self.deltas):
            Allocation.objects.bulk_create(self.allocations)
            StockMovement.objects.bulk_create(self.movements)

    def insert_ctes(self, *, order_cte: str) -> list[InsertCte]:
        """The allocation and movement inserts as parts of a PostgreSQL ``WITH`` statement whose ``order_cte``
        inserts the order. Run ``apply_after_insert`` after that statement, in the same transaction.
        """
        parent = {"order_id": (order_cte, self.order)}
        return [
            InsertCte("new_allocations", self.allocations, parent),
            InsertCte("new_movements", self.movements, parent),
        ]

    def apply_after_insert(self) -> None:
        """Reserve the units (guarded), once ``insert_ctes`` rows are in. A statement of its own, after the
        inserts and their foreign-key checks: the hot rows stay locked only for this update and the commit.
        """
        _require_transaction()
        _apply_deltas(self.deltas)


def reservation(*, order: Model, plan: Sequence[PlannedAllocation], actor: User | None) -> Reservation:
    """The rows that reserve ``plan`` for ``order`` (which may be unsaved), one RESERVE movement per allocation."""
    # ``order`` is an orders.Order, typed Model: inventory sits below orders and does not import it.
    allocations = [Allocation(order=order, stock_id=p.stock_id, quantity=p.quantity) for p in plan]  # type: ignore[misc]
    movements = [
        StockMovement(stock_id=p.stock_id, kind=Kind.RESERVE, reserved_delta=p.quantity, order=order, actor=actor)  # type: ignore[misc]
        for p in plan
    ]
    return Reservation(order, allocations, movements, {p.stock_id: (0, p.quantity) for p in plan})


def open_stock(
    *, units: Mapping[tuple[int, int], int], actor: User | None, note: str, at: datetime | None = None
) -> list[Stock]:
    """New stock rows in bulk, ``units`` by (sku id, warehouse id), each with the RECEIPT movement of its units.

    For seeding (demo data, benchmarks): new rows have nothing reserved to guard, so no update is needed. Fails
    (IntegrityError) if a row exists already. ``at`` backdates the receipts. Returns the rows in ``units`` order.
    """
    _require_transaction()
    if not units:
        return []
    Stock.objects.bulk_create(
        [Stock(sku_id=sku_id, warehouse_id=wh_id, on_hand=n) for (sku_id, wh_id), n in units.items()],
        batch_size=OPENING_BATCH,
    )
    # Read back rather than trust bulk_create's ids: MySQL does not return them.
    found = Stock.objects.filter(sku_id__in={sku_id for sku_id, _ in units})
    by_key = {(s.sku_id, s.warehouse_id): s for s in found if (s.sku_id, s.warehouse_id) in units}
    stocks = [by_key[key] for key in units]
    StockMovement.objects.bulk_create(
        [StockMovement(stock=s, kind=Kind.RECEIPT, on_hand_delta=s.on_hand, actor=actor, note=note) for s in stocks],
        batch_size=OPENING_BATCH,
    )
    if at is not None:
        StockMovement.objects.filter(stock__in=stocks, kind=Kind.RECEIPT).update(created_at=at)
    return stocks


def open_settled_allocations(*, rows: Sequence[tuple[int, int, int, str]]) -> None:
    """Allocations of orders settled long ago, in bulk: (order id, stock id, quantity, status ``deducted`` or
    ``released``). For seeding (benchmarks' history): a settled allocation holds nothing, so no stock row changes."""
    _require_transaction()
    statuses = {Allocation.Status.DEDUCTED, Allocation.Status.RELEASED}
    if any(status not in statuses for *_ids, status in rows):
        raise ValueError("only settled (deducted or released) allocations are opened in bulk")
    Allocation.objects.bulk_create(
        [
            Allocation(order_id=order_id, stock_id=stock_id, quantity=quantity, status=status)
            for order_id, stock_id, quantity, status in rows
        ],
        batch_size=OPENING_BATCH,
    )


def backdate_movements(
    *,
    movements: QuerySet[StockMovement],
    at: datetime | Mapping[str, datetime | None],
    note: str | None = None,
) -> None:
    """Demo stories only: give ``movements`` the story's times (one, or one per kind; kinds without keep theirs),
    and with one time optionally a new note (a backdated purchase order's number carries its own day).

    The one place a movement's time is rewritten; deltas never change after posting.
    """
    if isinstance(at, datetime):
        movements.update(created_at=at, **({"note": note} if note is not None else {}))
        return
    whens = [When(kind=kind, then=Value(when)) for kind, when in at.items() if when]
    if whens:
        movements.update(created_at=Case(*whens, default=F("created_at")))


# --- Internals -----------------------------------------------------------------------------------------------


def _require_transaction() -> None:
    if not connection.in_atomic_block:
        raise TransactionManagementError("stock movements are posted inside the caller's transaction")


def _movement_rows(movements: Sequence[Movement], actor: User | None) -> list[StockMovement]:
    stock_ids = _resolve_stock_ids(movements)
    return [
        StockMovement(
            stock_id=m.stock_id if m.stock_id is not None else stock_ids[(m.sku_id, m.warehouse_id)],
            kind=m.kind,
            on_hand_delta=m.on_hand_delta,
            reserved_delta=m.reserved_delta,
            order_id=m.order_id,
            actor=actor,
            note=m.note[:200],
        )
        for m in movements
    ]


def _resolve_stock_ids(movements: Sequence[Movement]) -> dict[tuple[int | None, int | None], int]:
    """Stock ids of the movements named by SKU and warehouse; missing rows created for movements adding units."""
    keys = {(m.sku_id, m.warehouse_id) for m in movements if m.stock_id is None}
    if not keys:
        return {}
    if any(sku_id is None or wh_id is None for sku_id, wh_id in keys):
        raise ValueError("a movement names its stock row by stock_id, or by sku_id and warehouse_id")
    rows = Stock.objects.filter(sku_id__in={k[0] for k in keys}, warehouse_id__in={k[1] for k in keys})
    found: dict[tuple[int | None, int | None], int] = {
        (sku_id, wh_id): pk for pk, sku_id, wh_id in rows.values_list("pk", "sku_id", "warehouse_id")
    }
    adding = {(m.sku_id, m.warehouse_id) for m in movements if m.stock_id is None and m.on_hand_delta > 0}
    for sku_id, wh_id in sorted(keys - found.keys()):
        if (sku_id, wh_id) not in adding:
            raise StockChangedConcurrently(f"no stock row for SKU {sku_id} in warehouse {wh_id}")
        found[(sku_id, wh_id)] = Stock.objects.get_or_create(sku_id=sku_id, warehouse_id=wh_id)[0].pk
    return found


def _deltas(rows: Sequence[StockMovement]) -> Deltas:
    deltas: Deltas = {}
    for row in rows:
        on_hand, reserved = deltas.get(row.stock_id, (0, 0))
        deltas[row.stock_id] = (on_hand + row.on_hand_delta, reserved + row.reserved_delta)
    return deltas


@contextmanager
def _applying(deltas: Deltas) -> Iterator[None]:
    """Apply ``deltas`` around the rows the with-block writes, in the order that is safe on this database."""
    if connection.vendor == "mysql":
        _apply_deltas(deltas)
        yield
    else:
        yield
        _apply_deltas(deltas)


def _apply_deltas(deltas: Deltas) -> None:
    """Add ``(on_hand_delta, reserved_delta)`` to each stock row in one guarded statement, locking in id order."""
    if not deltas:
        return
    ids = sorted(deltas)
    qn = connection.ops.quote_name
    table, pk = qn(Stock._meta.db_table), qn("id")
    on_hand_case, on_hand_params = _case(pk, ids, [deltas[i][0] for i in ids])
    reserved_case, reserved_params = _case(pk, ids, [deltas[i][1] for i in ids])
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    id_list = ", ".join(["%s"] * len(ids))
    assignments = (
        f"{qn('on_hand')} = {qn('on_hand')} + {on_hand_case}, "
        f"{qn('reserved')} = {qn('reserved')} + {reserved_case}, {qn('updated_at')} = %s"
    )
    guard = (
        f"{qn('reserved')} + {reserved_case} >= 0 AND "
        f"{qn('on_hand')} + {on_hand_case} >= {qn('reserved')} + {reserved_case}"
    )
    guard_params = reserved_params + on_hand_params + reserved_params
    if connection.vendor == "postgresql":
        sql = (
            f"WITH locked AS MATERIALIZED (SELECT {pk} AS locked_id FROM {table} WHERE {pk} IN ({id_list}) "
            f"ORDER BY {pk} FOR UPDATE) "
            f"UPDATE {table} SET {assignments} FROM locked WHERE {pk} = locked.locked_id AND {guard}"
        )
        params = [*ids, *on_hand_params, *reserved_params, now, *guard_params]
    else:
        # MySQL/MariaDB lock in ORDER BY order; SQLite has one writer at a time, so order cannot matter there.
        order_by = f" ORDER BY {pk}" if connection.vendor == "mysql" else ""
        sql = f"UPDATE {table} SET {assignments} WHERE {pk} IN ({id_list}) AND {guard}{order_by}"
        params = [*on_hand_params, *reserved_params, now, *ids, *guard_params]
    with prepared_cursor() as cursor:
        cursor.execute(sql, params)
        if cursor.rowcount != len(ids):
            raise StockChangedConcurrently(f"{cursor.rowcount} of {len(ids)} stock rows passed their guard")


def _case(pk: str, ids: list[int], values: list[int]) -> tuple[str, list[int]]:
    if len(set(values)) == 1:
        return "%s", [values[0]]
    whens = " ".join(["WHEN %s THEN %s"] * len(ids))
    params: list[int] = []
    for stock_id, value in zip(ids, values, strict=True):
        params += [stock_id, value]
    return f"(CASE {pk} {whens} END)", params
