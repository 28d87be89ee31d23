"""Stock leaving with a shipment. Runs inside the caller's transaction, with the order row already locked.

Normally nothing happens when a parcel ships: stock is deducted when the order is paid (oms.inventory.services
deducts every allocation then). Two cases take units here, each with a DEDUCT movement naming the shipment:
an allocation still ``reserved`` when its shipment leaves (defensive: no current flow leaves one), and a reship,
which sends new units from the same warehouse (the lost parcel's units are gone).
Stock rows are locked and updated in primary-key order through oms.inventory.stock_sql, like every stock change.
(These belong with oms.inventory.services; they live here until that module offers shipment deductions.)
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser

from oms.inventory.errors import InsufficientStock, StockChangedConcurrently
from oms.inventory.models import Allocation, Stock, StockMovement
from oms.inventory.stock_sql import apply_stock_deltas, applying_stock_deltas
from oms.shipping.models import Shipment, ShipmentLine

Kind = StockMovement.Kind


def deduct_reserved_for_shipment(*, shipment: Shipment, actor: AbstractBaseUser | None) -> int:
    """Deduct the order's still-reserved allocations this shipment carries; returns the units deducted."""
    sku_ids = [line.sku_id for line in shipment.lines.all()]
    allocations = list(
        Allocation.objects.filter(
            order_id=shipment.order_id,
            status=Allocation.Status.RESERVED,
            stock__warehouse_id=shipment.warehouse_id,
            stock__sku_id__in=sku_ids,
        ).order_by("stock_id")
    )
    if not allocations:
        return 0
    note = f"Shipment {shipment.pk} left warehouse {shipment.warehouse.code}"
    try:
        # In the lock order oms.inventory uses on each database (see applying_stock_deltas).
        with applying_stock_deltas({a.stock_id: (-a.quantity, -a.quantity) for a in allocations}):
            StockMovement.objects.bulk_create(
                [
                    StockMovement(
                        stock_id=a.stock_id,
                        kind=Kind.DEDUCT,
                        on_hand_delta=-a.quantity,
                        reserved_delta=-a.quantity,
                        order_id=shipment.order_id,
                        actor=actor,
                        note=note,
                    )
                    for a in allocations
                ]
            )
            Allocation.objects.filter(pk__in=[a.pk for a in allocations]).update(status=Allocation.Status.DEDUCTED)
    except StockChangedConcurrently as exc:  # reserved units are always on hand; this would be a broken row
        raise InsufficientStock([line.sku_code for line in shipment.lines.all()]) from exc
    return sum(a.quantity for a in allocations)


def deduct_reship_stock(*, shipments: list[Shipment], actor: AbstractBaseUser | None) -> None:
    """Take the replacement shipments' units from their warehouses (on hand only: nothing was reserved).

    Raises InsufficientStock naming the SKUs a warehouse cannot cover; the caller's transaction must roll back.
    """
    lines = list(ShipmentLine.objects.filter(shipment__in=shipments).select_related("shipment"))
    keys = {(line.sku_id, line.shipment.warehouse_id) for line in lines}
    stocks = {
        (stock.sku_id, stock.warehouse_id): stock
        for stock in Stock.objects.select_for_update()
        .filter(sku_id__in={sku for sku, _ in keys}, warehouse_id__in={wh for _, wh in keys})
        .order_by("pk")
    }
    wanted: dict[int, int] = {}
    short = []
    for line in lines:
        stock = stocks.get((line.sku_id, line.shipment.warehouse_id))
        if stock is None:
            short.append(line.sku_code)
            continue
        wanted[stock.pk] = wanted.get(stock.pk, 0) + line.quantity
        if wanted[stock.pk] > stock.available:
            short.append(line.sku_code)
    if short:
        raise InsufficientStock(sorted(set(short)))
    StockMovement.objects.bulk_create(
        [
            StockMovement(
                stock=stocks[(line.sku_id, line.shipment.warehouse_id)],
                kind=Kind.DEDUCT,
                on_hand_delta=-line.quantity,
                order_id=line.shipment.order_id,
                actor=actor,
                note=f"Reship: shipment {line.shipment.pk} replaces failed shipment {line.shipment.replaces_id}",
            )
            for line in lines
        ]
    )
    try:
        apply_stock_deltas({stock_id: (-quantity, 0) for stock_id, quantity in wanted.items()})
    except StockChangedConcurrently as exc:
        raise InsufficientStock(sorted({line.sku_code for line in lines})) from exc
