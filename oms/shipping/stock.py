"""Stock leaving with a shipment. Runs inside the caller's transaction, with the order row already locked.

Normally nothing happens when a parcel ships: stock is deducted when the order is paid (oms.inventory.services
deducts every allocation then). Two cases take units here, each with a DEDUCT movement naming the shipment:
an allocation still ``reserved`` when its shipment leaves (defensive: no current flow leaves one), and a reship,
which sends new units from the same warehouse (the lost parcel's units are gone). Both go through the stock ledger
(oms.inventory.ledger), which locks the stock rows in id order and writes the movements.
"""

from __future__ import annotations

from django.contrib.auth.models import User

from oms.inventory import ledger
from oms.inventory.errors import InsufficientStock, StockChangedConcurrently
from oms.inventory.ledger import Movement
from oms.inventory.models import StockMovement
from oms.inventory.selectors import stock_levels
from oms.inventory.services import deduct_reserved_allocations
from oms.shipping.models import Shipment, ShipmentLine


def deduct_reserved_for_shipment(*, shipment: Shipment, actor: User | None) -> int:
    """Deduct the order's still-reserved allocations this shipment carries; returns the units deducted."""
    lines = list(shipment.lines.all())
    try:
        return deduct_reserved_allocations(
            order_id=shipment.order_id,
            warehouse_id=shipment.warehouse_id,
            sku_ids=[line.sku_id for line in lines],
            actor=actor,
            note=f"Shipment {shipment.pk} left warehouse {shipment.warehouse.code}",
        )
    except StockChangedConcurrently as exc:  # reserved units are always on hand; this would be a broken row
        raise InsufficientStock([line.sku_code for line in lines]) from exc


def deduct_reship_stock(*, shipments: list[Shipment], actor: User | None) -> None:
    """Take the replacement shipments' units from their warehouses (on hand only: nothing was reserved).

    Raises InsufficientStock naming the SKUs a warehouse cannot cover; the caller's transaction must roll back.
    """
    lines = list(ShipmentLine.objects.filter(shipment__in=shipments).select_related("shipment"))
    levels = stock_levels(keys={(line.sku_id, line.shipment.warehouse_id) for line in lines})
    wanted: dict[int, int] = {}
    short = []
    for line in lines:
        level = levels.get((line.sku_id, line.shipment.warehouse_id))
        if level is None:
            short.append(line.sku_code)
            continue
        stock_id, available = level
        wanted[stock_id] = wanted.get(stock_id, 0) + line.quantity
        if wanted[stock_id] > available:
            short.append(line.sku_code)
    if short:
        raise InsufficientStock(sorted(set(short)))
    movements = [
        Movement(
            kind=StockMovement.Kind.DEDUCT,
            stock_id=levels[(line.sku_id, line.shipment.warehouse_id)][0],
            on_hand_delta=-line.quantity,
            order_id=line.shipment.order_id,
            note=f"Reship: shipment {line.shipment.pk} replaces failed shipment {line.shipment.replaces_id}",
        )
        for line in lines
    ]
    try:
        ledger.post_movements(movements=movements, actor=actor)
    except StockChangedConcurrently as exc:  # taken by someone else since the read above
        raise InsufficientStock(sorted({line.sku_code for line in lines})) from exc
