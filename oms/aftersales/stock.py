"""Returned units going back on hand. Runs inside the caller's transaction, with the order row already locked.

Each line's units go back to the warehouse of the shipment that delivered them, with one RETURN movement per
stock row naming the return. (oms.inventory.services.return_order_stock puts refunded units back by allocation,
which cannot tell which warehouse a partly returned, split SKU came from, nor what earlier returns put back.)
Stock rows are locked and updated in primary-key order through oms.inventory.stock_sql, like every stock change.
"""

from __future__ import annotations

from collections import defaultdict

from django.contrib.auth.models import AbstractBaseUser

from oms.aftersales.models import ReturnLine, ReturnRequest
from oms.inventory.models import Stock, StockMovement
from oms.inventory.stock_sql import applying_stock_deltas


def restock_return(*, request: ReturnRequest, lines: list[ReturnLine], actor: AbstractBaseUser | None) -> int:
    """Put the lines' units back on hand; returns how many. ``lines`` carry their shipment (select_related)."""
    wanted: dict[tuple[int, int], int] = defaultdict(int)
    for line in lines:
        wanted[(line.sku_id, line.shipment.warehouse_id)] += line.quantity
    stocks = {
        (stock.sku_id, stock.warehouse_id): stock.pk
        for stock in Stock.objects.filter(
            sku_id__in={sku for sku, _ in wanted}, warehouse_id__in={wh for _, wh in wanted}
        )
    }
    for key in wanted.keys() - stocks.keys():  # the row the units left from is always there; just in case
        stocks[key] = Stock.objects.get_or_create(sku_id=key[0], warehouse_id=key[1])[0].pk
    deltas = {stocks[key]: units for key, units in wanted.items()}
    with applying_stock_deltas({stock_id: (units, 0) for stock_id, units in deltas.items()}):
        StockMovement.objects.bulk_create(
            [
                StockMovement(
                    stock_id=stock_id,
                    kind=StockMovement.Kind.RETURN,
                    on_hand_delta=units,
                    order_id=request.order_id,
                    actor=actor,
                    note=f"Return #{request.pk} received",
                )
                for stock_id, units in sorted(deltas.items())
            ]
        )
    return sum(deltas.values())
