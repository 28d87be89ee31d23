"""One guarded UPDATE for many stock rows, taking row locks in primary-key order on every database.

The guard is the table's CHECK constraints (``reserved >= 0``, ``on_hand >= reserved``) applied to the new values,
so a change that would oversell simply matches no row; the caller compares the row count with what it asked for.
Locking in id order means two transactions touching the same rows queue instead of deadlocking.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection
from django.utils import timezone

from oms.common.db import prepared_cursor
from oms.inventory.errors import StockChangedConcurrently
from oms.inventory.models import Stock


def apply_stock_deltas(deltas: dict[int, tuple[int, int]]) -> None:
    """Add ``(on_hand_delta, reserved_delta)`` to each stock row, all or nothing (raise if any guard fails).

    Must run inside a transaction: on failure the caller's transaction has to roll back, because rows whose guard
    held are already updated.
    """
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
        params = ids + on_hand_params + reserved_params + [now] + guard_params
    else:
        # MySQL/MariaDB lock in ORDER BY order; SQLite has one writer at a time, so order cannot matter there.
        order_by = f" ORDER BY {pk}" if connection.vendor == "mysql" else ""
        sql = f"UPDATE {table} SET {assignments} WHERE {pk} IN ({id_list}) AND {guard}{order_by}"
        params = on_hand_params + reserved_params + [now] + ids + guard_params
    with prepared_cursor() as cursor:
        cursor.execute(sql, params)
        if cursor.rowcount != len(ids):
            raise StockChangedConcurrently(f"{cursor.rowcount} of {len(ids)} stock rows passed their guard")


@contextmanager
def applying_stock_deltas(deltas: dict[int, tuple[int, int]]) -> Iterator[None]:
    """Apply ``deltas`` around the rows the with-block writes, in the order that is safe on this database.

    PostgreSQL, SQLite: the block's inserts first and the contended stock rows last, so their locks are held only
    until the commit. MySQL/MariaDB: the stock update first — InnoDB share-locks the referenced stock row on every
    child insert (movements, allocations), and two transactions each holding that share lock would deadlock on
    the update; taking the exclusive lock first makes them queue instead.
    """
    if connection.vendor == "mysql":
        apply_stock_deltas(deltas)
        yield
    else:
        yield
        apply_stock_deltas(deltas)


def _case(pk: str, ids: list[int], values: list[int]) -> tuple[str, list[int]]:
    if len(set(values)) == 1:
        return "%s", [values[0]]
    whens = " ".join(["WHEN %s THEN %s"] * len(ids))
    params: list[int] = []
    for stock_id, value in zip(ids, values, strict=True):
        params += [stock_id, value]
    return f"(CASE {pk} {whens} END)", params
