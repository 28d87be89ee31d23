"""Which warehouses hold an order's units: a plan computed from a snapshot, applied by guarded updates."""

from __future__ import annotations

from dataclasses import dataclass

from oms.inventory.models import Stock


@dataclass(frozen=True)
class PlannedAllocation:
    stock_id: int
    sku_id: int
    warehouse_id: int
    quantity: int


@dataclass(frozen=True)
class StockSnapshot:
    stock_id: int
    sku_id: int
    warehouse_id: int
    available: int


def read_stock_snapshot(sku_ids: list[int]) -> list[StockSnapshot]:
    """Unlocked read of every active warehouse's stock for these SKUs, best warehouse first (one query)."""
    rows = (
        Stock.objects.filter(sku_id__in=sku_ids, warehouse__is_active=True)
        .order_by("warehouse__priority", "warehouse_id")
        .values_list("id", "sku_id", "warehouse_id", "on_hand", "reserved")
    )
    return [StockSnapshot(pk, sku, wh, on_hand - reserved) for pk, sku, wh, on_hand, reserved in rows]


def plan_allocations(lines: dict[int, int], snapshot: list[StockSnapshot]) -> tuple[list[PlannedAllocation], list[int]]:
    """Split each line over warehouses by priority; return the plan and the SKU ids that cannot be covered.

    A line goes whole to the best warehouse that can hold it; only when none can is it split, best first.
    """
    by_sku: dict[int, list[StockSnapshot]] = {}
    for row in snapshot:
        if row.available > 0:
            by_sku.setdefault(row.sku_id, []).append(row)
    plan: list[PlannedAllocation] = []
    short: list[int] = []
    for sku_id, quantity in lines.items():
        candidates = by_sku.get(sku_id, [])
        whole = next((row for row in candidates if row.available >= quantity), None)
        if whole is not None:
            plan.append(PlannedAllocation(whole.stock_id, sku_id, whole.warehouse_id, quantity))
            continue
        if sum(row.available for row in candidates) < quantity:
            short.append(sku_id)
            continue
        remaining = quantity
        for row in candidates:
            take = min(row.available, remaining)
            plan.append(PlannedAllocation(row.stock_id, sku_id, row.warehouse_id, take))
            remaining -= take
            if remaining == 0:
                break
    return plan, short
