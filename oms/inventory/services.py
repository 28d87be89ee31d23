"""Every change of stock: reserve, release, deduct, set. Each writes StockMovement rows in the same transaction."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from oms.catalog.models import Sku
from oms.inventory.errors import StockBelowReserved
from oms.inventory.models import Allocation, Stock, StockMovement, Warehouse
from oms.inventory.sourcing import PlannedAllocation
from oms.inventory.stock_sql import apply_stock_deltas, applying_stock_deltas

Kind = StockMovement.Kind


def reserve_planned_stock(*, order, plan: list[PlannedAllocation], actor: AbstractBaseUser | None) -> None:
    """Write allocations and movements for ``plan`` and reserve them with one guarded update.

    Runs inside the caller's transaction. Raises StockChangedConcurrently if any row no longer has the units:
    the caller must roll back and re-plan.
    """
    allocations, movements, deltas = reservation_rows(order=order, plan=plan, actor=actor)
    with applying_stock_deltas(deltas):
        Allocation.objects.bulk_create(allocations)
        StockMovement.objects.bulk_create(movements)


def reservation_rows(
    *, order, plan: list[PlannedAllocation], actor: AbstractBaseUser | None
) -> tuple[list[Allocation], list[StockMovement], dict[int, tuple[int, int]]]:
    """The unsaved allocations and movements that reserve ``plan``, and the stock deltas they stand for.

    For writers that insert them their own way (one statement with the order on PostgreSQL); the deltas must be
    applied with the same guard as ``apply_stock_deltas``, in the same transaction.
    """
    allocations = [Allocation(order=order, stock_id=p.stock_id, quantity=p.quantity) for p in plan]
    movements = [
        StockMovement(stock_id=p.stock_id, kind=Kind.RESERVE, reserved_delta=p.quantity, order=order, actor=actor)
        for p in plan
    ]
    return allocations, movements, {p.stock_id: (0, p.quantity) for p in plan}


def release_order_stock(*, order, actor: AbstractBaseUser | None, note: str = "") -> None:
    """Give back an unpaid order's reserved units. Caller holds the order row lock inside a transaction."""
    _settle_allocations(order=order, actor=actor, note=note, deduct=False)


def deduct_order_stock(*, order, actor: AbstractBaseUser | None, note: str = "") -> None:
    """Turn an order's reservations into shipped-from stock (on_hand and reserved both go down).

    Caller holds the order row lock inside a transaction.
    """
    _settle_allocations(order=order, actor=actor, note=note, deduct=True)


def _settle_allocations(*, order, actor, note: str, deduct: bool) -> None:
    allocations = list(Allocation.objects.filter(order=order, status=Allocation.Status.RESERVED))
    if not allocations:
        return
    kind = Kind.DEDUCT if deduct else Kind.RELEASE
    deltas = {a.stock_id: (-a.quantity if deduct else 0, -a.quantity) for a in allocations}
    with applying_stock_deltas(deltas):
        StockMovement.objects.bulk_create(
            [
                StockMovement(
                    stock_id=a.stock_id,
                    kind=kind,
                    on_hand_delta=-a.quantity if deduct else 0,
                    reserved_delta=-a.quantity,
                    order=order,
                    actor=actor,
                    note=note,
                )
                for a in allocations
            ]
        )
        new_status = Allocation.Status.DEDUCTED if deduct else Allocation.Status.RELEASED
        Allocation.objects.filter(pk__in=[a.pk for a in allocations]).update(status=new_status)


def return_order_stock(*, order, quantities: dict[int, int], actor: AbstractBaseUser | None, note: str) -> None:
    """Put refunded units (by SKU id) back on hand in the warehouses they were taken from.

    Runs in the caller's transaction. Units beyond what the order took from stock are ignored.
    """
    deltas: dict[int, int] = {}
    allocations = Allocation.objects.filter(order=order, status=Allocation.Status.DEDUCTED).select_related("stock")
    for allocation in allocations:
        wanted = quantities.get(allocation.stock.sku_id, 0)
        take = min(wanted, allocation.quantity)
        if take:
            deltas[allocation.stock_id] = deltas.get(allocation.stock_id, 0) + take
            quantities[allocation.stock.sku_id] = wanted - take
    with applying_stock_deltas({stock_id: (q, 0) for stock_id, q in deltas.items()}):
        StockMovement.objects.bulk_create(
            [
                StockMovement(stock_id=stock_id, kind=Kind.RETURN, on_hand_delta=q, order=order, actor=actor, note=note)
                for stock_id, q in deltas.items()
            ]
        )


@transaction.atomic
def set_stock_level(
    *, sku: Sku, warehouse: Warehouse, on_hand: int, actor: AbstractBaseUser | None, note: str = ""
) -> Stock:
    """Set the units on hand (a stock count or receipt). Locks the stock row; refuses to go below reserved."""
    stock, created = Stock.objects.get_or_create(sku=sku, warehouse=warehouse)
    stock = Stock.objects.select_for_update().get(pk=stock.pk)
    if on_hand < stock.reserved:
        raise StockBelowReserved(
            f"{stock.reserved} units of {sku.code} in {warehouse.code} are reserved by open orders; "
            f"on_hand cannot go below that.",
            details={"reserved": stock.reserved, "on_hand": on_hand},
        )
    delta = on_hand - stock.on_hand
    if delta:
        kind = Kind.RECEIPT if created else Kind.ADJUSTMENT
        StockMovement.objects.create(stock=stock, kind=kind, on_hand_delta=delta, actor=actor, note=note)
        apply_stock_deltas({stock.pk: (delta, 0)})
        stock.refresh_from_db()
    return stock
