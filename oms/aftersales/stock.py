"""Returned units going back on hand. Runs inside the caller's transaction, with the order row already locked.

Each line's units go back to the warehouse of the shipment that delivered them, with one RETURN movement per
stock row naming the return. (oms.inventory.services.return_order_stock puts refunded units back by allocation,
which cannot tell which warehouse a partly returned, split SKU came from, nor what earlier returns put back.)
The movements are posted through the stock ledger (oms.inventory.ledger), which locks the stock rows in id order.
"""

from __future__ import annotations

from django.contrib.auth.models import User

from oms.aftersales.models import ReturnLine, ReturnRequest
from oms.inventory import ledger
from oms.inventory.ledger import Movement
from oms.inventory.models import StockMovement


def restock_return(*, request: ReturnRequest, lines: list[ReturnLine], actor: User | None) -> int:
    """Put the lines' units back on hand; returns how many. ``lines`` carry their shipment (select_related)."""
    wanted: dict[tuple[int, int], int] = {}
    for line in lines:
        key = (line.sku_id, line.shipment.warehouse_id)
        wanted[key] = wanted.get(key, 0) + line.quantity
    movements = [
        Movement(
            kind=StockMovement.Kind.RETURN,
            sku_id=sku_id,
            warehouse_id=warehouse_id,
            on_hand_delta=units,
            order_id=request.order_id,
            note=f"Return #{request.pk} received",
        )
        for (sku_id, warehouse_id), units in sorted(wanted.items())
    ]
    ledger.post_movements(movements=movements, actor=actor)
    return sum(wanted.values())
