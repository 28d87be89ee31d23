"""Every change of stock an order or a staff member makes: reserve, release, deduct, return, set.

Each builds ledger movements and posts them through ``oms.inventory.ledger`` (which writes the StockMovement rows
and applies the guarded update) in the caller's transaction; allocations change alongside, in the same posting.
"""

from __future__ import annotations

from collections.abc import Collection

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from oms.catalog.models import Sku
from oms.inventory import ledger
from oms.inventory.errors import StockBelowReserved
from oms.inventory.ledger import Movement
from oms.inventory.models import Allocation, Stock, StockMovement, Warehouse
from oms.inventory.sourcing import PlannedAllocation

Kind = StockMovement.Kind


def reserve_planned_stock(*, order: Model, plan: list[PlannedAllocation], actor: User | None) -> None:
    """Write allocations and movements for ``plan`` and reserve them with one guarded update.

    Runs inside the caller's transaction; the order row is saved. Raises StockChangedConcurrently if any row no
    longer has the units: the caller must roll back and re-plan.
    """
    ledger.reservation(order=order, plan=plan, actor=actor).post()


def release_order_stock(*, order: Model, actor: User | None, note: str = "") -> None:
    """Give back an unpaid order's reserved units. Caller holds the order row lock inside a transaction."""
    _settle_allocations(order=order, actor=actor, note=note, deduct=False)


def deduct_order_stock(*, order: Model, actor: User | None, note: str = "") -> None:
    """Turn an order's reservations into shipped-from stock (on_hand and reserved both go down).

    Caller holds the order row lock inside a transaction.
    """
    _settle_allocations(order=order, actor=actor, note=note, deduct=True)


def _settle_allocations(*, order: Model, actor: User | None, note: str, deduct: bool) -> None:
    allocations = list(Allocation.objects.filter(order_id=order.pk, status=Allocation.Status.RESERVED))
    if not allocations:
        return
    kind = Kind.DEDUCT if deduct else Kind.RELEASE
    movements = [
        Movement(
            kind=kind,
            stock_id=a.stock_id,
            on_hand_delta=-a.quantity if deduct else 0,
            reserved_delta=-a.quantity,
            order_id=order.pk,
            note=note,
        )
        for a in allocations
    ]
    with ledger.posting_movements(movements=movements, actor=actor):
        new_status = Allocation.Status.DEDUCTED if deduct else Allocation.Status.RELEASED
        Allocation.objects.filter(pk__in=[a.pk for a in allocations]).update(status=new_status)


def deduct_reserved_allocations(
    *, order_id: int, warehouse_id: int, sku_ids: Collection[int], actor: User | None, note: str
) -> int:
    """Deduct the order's allocations still reserved in ``warehouse_id`` for ``sku_ids``; returns the units.

    For a parcel leaving with units that were never deducted at payment. Caller holds the order row lock inside
    a transaction. Raises StockChangedConcurrently (a broken row: reserved units are always on hand).
    """
    allocations = list(
        Allocation.objects.filter(
            order_id=order_id,
            status=Allocation.Status.RESERVED,
            stock__warehouse_id=warehouse_id,
            stock__sku_id__in=sku_ids,
        ).order_by("stock_id")
    )
    if not allocations:
        return 0
    movements = [
        Movement(
            kind=Kind.DEDUCT,
            stock_id=a.stock_id,
            on_hand_delta=-a.quantity,
            reserved_delta=-a.quantity,
            order_id=order_id,
            note=note,
        )
        for a in allocations
    ]
    with ledger.posting_movements(movements=movements, actor=actor):
        Allocation.objects.filter(pk__in=[a.pk for a in allocations]).update(status=Allocation.Status.DEDUCTED)
    return sum(a.quantity for a in allocations)


def return_order_stock(*, order: Model, quantities: dict[int, int], actor: User | None, note: str) -> None:
    """Put refunded units (by SKU id) back on hand in the warehouses they were taken from.

    Runs in the caller's transaction. Units beyond what the order took from stock are ignored.
    """
    deltas: dict[int, int] = {}
    allocations = Allocation.objects.filter(order_id=order.pk, status=Allocation.Status.DEDUCTED).select_related(
        "stock"
    )
    for allocation in allocations:
        wanted = quantities.get(allocation.stock.sku_id, 0)
        take = min(wanted, allocation.quantity)
        if take:
            deltas[allocation.stock_id] = deltas.get(allocation.stock_id, 0) + take
            quantities[allocation.stock.sku_id] = wanted - take
    ledger.post_movements(
        movements=[
            Movement(kind=Kind.RETURN, stock_id=stock_id, on_hand_delta=q, order_id=order.pk, note=note)
            for stock_id, q in deltas.items()
        ],
        actor=actor,
    )


def move_order_stock(
    *,
    order: Model,
    allocations: dict[int, Allocation],
    plan: list[PlannedAllocation],
    deducted: bool,
    actor: User | None,
    note: str,
) -> None:
    """Hold an order's units on the stock rows of ``plan`` instead of its ``allocations`` (by stock id, as read by
    the caller under the order row lock), in the caller's transaction.

    Units held as reserved (``deducted`` False): a RELEASE movement where units leave a stock row, a RESERVE where
    they arrive. Units already deducted: a DEDUCT movement with a positive ``on_hand_delta`` where units go back on
    hand (the reversal of the deduction), and a DEDUCT where they are now taken; both are deductions, so the units
    deducted per SKU (what replenishment counts as sold) do not change by a move. Movements are net per stock row
    (a row whose share does not change gets none) and carry ``note``. Allocation rows are rewritten to the plan
    (rows no longer used become ``released``). Raises StockChangedConcurrently when a guarded update finds fewer
    units: the caller rolls back and re-plans.
    """
    target = Allocation.Status.DEDUCTED if deducted else Allocation.Status.RESERVED
    deltas = _stock_deltas(allocations=allocations, plan=plan, target=target)
    movements = [
        Movement(
            kind=Kind.DEDUCT if on_hand else (Kind.RESERVE if reserved > 0 else Kind.RELEASE),
            stock_id=stock_id,
            on_hand_delta=on_hand,
            reserved_delta=reserved,
            order_id=order.pk,
            note=note,
        )
        for stock_id, (on_hand, reserved) in sorted(deltas.items())
    ]
    with ledger.posting_movements(movements=movements, actor=actor):
        _rewrite_allocations(order=order, allocations=allocations, plan=plan, target=target)


def _stock_deltas(
    *, allocations: dict[int, Allocation], plan: list[PlannedAllocation], target: str
) -> dict[int, tuple[int, int]]:
    """Per stock row, (on_hand, reserved) change: give back what the order holds, take what the plan says."""
    deltas: dict[int, tuple[int, int]] = {}

    def add(stock_id: int, on_hand: int, reserved: int) -> None:
        old_on_hand, old_reserved = deltas.get(stock_id, (0, 0))
        deltas[stock_id] = (old_on_hand + on_hand, old_reserved + reserved)

    for stock_id, allocation in allocations.items():
        if allocation.status == Allocation.Status.RESERVED:
            add(stock_id, 0, -allocation.quantity)
        elif allocation.status == Allocation.Status.DEDUCTED:
            add(stock_id, allocation.quantity, 0)
    for part in plan:
        if target == Allocation.Status.RESERVED:
            add(part.stock_id, 0, part.quantity)
        else:
            add(part.stock_id, -part.quantity, 0)
    return {stock_id: delta for stock_id, delta in deltas.items() if delta != (0, 0)}


def _rewrite_allocations(
    *, order: Model, allocations: dict[int, Allocation], plan: list[PlannedAllocation], target: str
) -> None:
    planned = {part.stock_id: part.quantity for part in plan}
    changed: list[Allocation] = []
    created: list[Allocation] = []
    for stock_id, quantity in planned.items():
        allocation = allocations.get(stock_id)
        if allocation is None:
            created.append(Allocation(order_id=order.pk, stock_id=stock_id, quantity=quantity, status=target))
        elif (allocation.quantity, allocation.status) != (quantity, target):
            changed.append(Allocation(pk=allocation.pk, quantity=quantity, status=target))
    for stock_id, allocation in allocations.items():
        if stock_id not in planned and allocation.status != Allocation.Status.RELEASED:
            changed.append(
                Allocation(pk=allocation.pk, quantity=allocation.quantity, status=Allocation.Status.RELEASED)
            )
    Allocation.objects.bulk_update(changed, ["quantity", "status"])
    Allocation.objects.bulk_create(created)


@transaction.atomic
def set_stock_level(*, sku: Sku, warehouse: Warehouse, on_hand: int, actor: User | None, note: str = "") -> Stock:
    """Set the units on hand (a stock count or receipt). Locks the stock row; refuses to go below reserved."""
    stock, created = Stock.objects.get_or_create(sku=sku, warehouse=warehouse)
    stock = Stock.objects.select_for_update().get(pk=stock.pk)
    if on_hand < stock.reserved:
        raise StockBelowReserved(
            _(
                "%(reserved)s units of %(sku)s in %(warehouse)s are reserved by open orders; on_hand cannot go below that."
            )
            % {"reserved": stock.reserved, "sku": sku.code, "warehouse": warehouse.code},
            details={"reserved": stock.reserved, "on_hand": on_hand},
        )
    delta = on_hand - stock.on_hand
    if delta:
        kind = Kind.RECEIPT if created else Kind.ADJUSTMENT
        movement = Movement(kind=kind, stock_id=stock.pk, on_hand_delta=delta, note=note)
        ledger.post_movements(movements=[movement], actor=actor)
        stock.refresh_from_db()
    return stock
