"""Inventory reads for staff pages: stock per warehouse, recent movements (low stock: oms.planning.selectors)."""

from __future__ import annotations

from collections.abc import Collection

from django.db.models import Count, F, Q, QuerySet, Sum

from oms.inventory.models import Stock, StockMovement, Warehouse


def stock_rows(*, warehouse: str | None = None, search: str | None = None) -> QuerySet[Stock]:
    """Stock rows (SKU × warehouse) with SKU and warehouse, by SKU code then warehouse priority."""
    rows = Stock.objects.select_related("sku", "warehouse")
    if warehouse:
        rows = rows.filter(warehouse__code=warehouse)
    if search:
        rows = rows.filter(Q(sku__code__icontains=search) | Q(sku__name__icontains=search))
    return rows.order_by("sku__code", "warehouse__priority", "warehouse__code")


def warehouse_totals() -> QuerySet[Warehouse]:
    """Each warehouse with its SKU count and units on hand, reserved and available."""
    return Warehouse.objects.annotate(
        skus=Count("stocks"),
        on_hand=Sum("stocks__on_hand"),
        reserved=Sum("stocks__reserved"),
        available=Sum(F("stocks__on_hand") - F("stocks__reserved")),
    ).order_by("priority", "code")


def stock_levels(*, keys: Collection[tuple[int, int]]) -> dict[tuple[int, int], tuple[int, int]]:
    """``(stock id, units available)`` per existing (sku id, warehouse id) of ``keys``; an unlocked read."""
    if not keys:
        return {}
    rows = Stock.objects.filter(sku_id__in={sku for sku, _ in keys}, warehouse_id__in={wh for _, wh in keys})
    fields = ("pk", "sku_id", "warehouse_id", "on_hand", "reserved")
    return {
        (sku_id, wh_id): (pk, on_hand - reserved)
        for pk, sku_id, wh_id, on_hand, reserved in rows.values_list(*fields)
        if (sku_id, wh_id) in keys
    }


def recent_movements(*, limit: int = 30) -> QuerySet[StockMovement]:
    return StockMovement.objects.select_related("stock__sku", "stock__warehouse", "order", "actor").order_by("-id")[
        :limit
    ]
