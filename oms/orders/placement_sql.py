"""A new order's rows in one PostgreSQL statement: order, lines, first event, and its reservation.

Placement is the hottest write in the system. Through the ORM it is five inserts, each a round trip and a
compilation; here it is one ``WITH`` statement, then the guarded stock update, then the commit. The rows are the
same (built by the same code as the ORM path, inserted through the same field methods). The reservation's part of
the statement (allocations, movements) and the guarded update after it come from the stock ledger
(``inventory.ledger.Reservation``). Measured with bench/place_orders.py, the update kept as a statement of its own
beat folding it into the ``WITH``: there, the hot rows would stay locked through every foreign-key check of the
inserts. Other databases use the ORM path in ``orders.services``.
"""

from __future__ import annotations

from django.db.models import Model

from oms.common.db import prepared_cursor
from oms.common.sql_insert import InsertCte
from oms.inventory.ledger import Reservation
from oms.orders.models import Order, OrderEvent, OrderItem


def insert_order_rows(*, order: Order, items: list[OrderItem], event: OrderEvent, reservation: Reservation) -> None:
    """Insert the rows in one statement, then reserve the stock; inside the caller's transaction.

    Raises IntegrityError (e.g. a reused idempotency key) or StockChangedConcurrently; either way the caller's
    transaction must roll back. On success the instances carry their new ids.
    """
    parent: dict[str, tuple[str, Model]] = {"order_id": ("new_order", order)}
    inserts = [
        InsertCte("new_order", [order]),
        InsertCte("new_items", items, parent),
        InsertCte("new_event", [event], parent),
        *reservation.insert_ctes(order_cte="new_order"),
    ]
    ctes, params = [], []
    for insert in inserts:
        sql, insert_params = insert.sql()
        ctes.append(sql)
        params += insert_params
    selected = ", ".join(insert.ids_sql() for insert in inserts)
    with prepared_cursor() as cursor:
        cursor.execute(f"WITH {', '.join(ctes)} SELECT {selected}", params)
        ids = cursor.fetchone()
    reservation.apply_after_insert()
    for insert, new_ids in zip(inserts, ids, strict=True):
        insert.saved(new_ids)
