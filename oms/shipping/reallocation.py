"""Re-allocation: staff re-plan which warehouses fulfil an open order, with current stock, before anything ships.

The order keeps its lines; only where its units are held moves. The plan is ``plan_allocations`` (oms.inventory
.sourcing) over a fresh snapshot in which the order's own held units count as available to it, so an order can
always keep what it has. Then, in one transaction, inventory moves the units (oms.inventory.services.move_order_stock: net movements through
the stock ledger, allocation rows rewritten to the plan) — reserved units for an unpaid order, deducted ones for a
paid order (``paid``, or ``awaiting_shipment`` with every shipment still pending) — pending shipments are
regenerated (oms.shipping.services), and a status-neutral event records the move on the timeline.

An order-fulfilment workflow, so it lives with shipping, above orders and inventory: it decides from the order's
state and parcels, and inventory only moves stock (it knows nothing of order states or parcels).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from oms.inventory.errors import InsufficientStock, StockChangedConcurrently
from oms.inventory.models import Allocation, Warehouse
from oms.inventory.services import move_order_stock
from oms.inventory.sourcing import PlannedAllocation, plan_allocations, read_stock_snapshot
from oms.orders.models import Order
from oms.orders.states import HOLDS_RESERVATION, OrderStatus
from oms.orders.transitions import note_order
from oms.shipping.allowed import why_not_reallocate
from oms.shipping.services import regenerate_pending_shipments

# Re-plans after a concurrent buyer took units the plan counted on, before giving up with insufficient_stock.
MAX_REALLOCATION_ATTEMPTS = 5

Status = Allocation.Status


@dataclass(frozen=True)
class _Line:
    sku_id: int
    sku_code: str
    quantity: int


def reallocate_order(*, order: Order, actor: User | None) -> Order:
    """Move an open order's units to the warehouses that fulfil it best now; returns the order.

    Allowed while the order is unpaid (``pending_payment``, ``payment_failed``), ``paid``, or ``awaiting_shipment``
    with all its shipments pending. Locks the order row, then (through the guarded update) the stock rows in id
    order, then its shipment rows. Raises ReallocationRefused (409: a parcel has left, the order is past that
    point, or a refund put some of its units back on hand), InsufficientStock (its lines cannot be covered any
    more, e.g. a warehouse was closed; or the stock kept changing under it). Nothing changes when it raises.
    """
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        _check_movable(order)
        lines = [_Line(*row) for row in order.items.order_by("pk").values_list("sku_id", "sku_code", "quantity")]
        for _attempt in range(MAX_REALLOCATION_ATTEMPTS):
            try:
                with transaction.atomic():
                    summary, changed = _move_units(order=order, lines=lines, actor=actor)
                break
            except StockChangedConcurrently:
                continue  # another order took units the plan counted on: re-read and re-plan
        else:
            raise InsufficientStock(sorted(line.sku_code for line in lines))
        if changed and order.status == OrderStatus.AWAITING_SHIPMENT:
            regenerate_pending_shipments(order=order)
        note_order(order=order, actor=actor, reason=summary)
    return order


def _check_movable(order: Order) -> None:
    if (refused := why_not_reallocate(order)) is not None:
        raise refused


def _move_units(*, order: Order, lines: list[_Line], actor: User | None) -> tuple[str, bool]:
    """Plan and apply one attempt; returns the timeline note and whether anything moved.

    Raises StockChangedConcurrently (the caller's savepoint rolls back) when a guarded update finds fewer units.
    """
    allocations = {a.stock_id: a for a in Allocation.objects.filter(order=order).select_related("stock")}
    held = {stock_id: a.quantity for stock_id, a in allocations.items() if a.status != Status.RELEASED}
    wanted = {line.sku_id: line.quantity for line in lines}
    snapshot = [
        replace(row, available=row.available + held.get(row.stock_id, 0)) for row in read_stock_snapshot(list(wanted))
    ]
    address = order.shipping_address if isinstance(order.shipping_address, dict) else {}
    plan, short = plan_allocations(wanted, snapshot, region=str(address.get("province", "")))
    if short:
        codes = {line.sku_id: line.sku_code for line in lines}
        raise InsufficientStock(sorted(codes[sku_id] for sku_id in short))
    target = Status.RESERVED if order.status in HOLDS_RESERVATION else Status.DEDUCTED
    current = {stock_id: (a.quantity, a.status) for stock_id, a in allocations.items() if a.status != Status.RELEASED}
    unchanged = current == {part.stock_id: (part.quantity, target) for part in plan}
    note = _summary(allocations=allocations, plan=plan, unchanged=unchanged)
    if unchanged:
        return note, False
    move_order_stock(
        order=order, allocations=allocations, plan=plan, deducted=target == Status.DEDUCTED, actor=actor, note=note
    )
    return note, True


def _summary(*, allocations: dict[int, Allocation], plan: list[PlannedAllocation], unchanged: bool) -> str:
    before = {a.stock.warehouse_id for a in allocations.values() if a.status != Status.RELEASED}
    after = {part.warehouse_id for part in plan}
    codes = dict(Warehouse.objects.filter(pk__in=before | after).values_list("pk", "code"))

    def names(warehouse_ids: set[int]) -> str:
        return " + ".join(sorted(codes[w] for w in warehouse_ids)) or _("nothing")

    if unchanged:
        return _("Re-allocated: unchanged, from %(after)s") % {"after": names(after)}
    return _("Re-allocated: from %(before)s to %(after)s (%(count_before)s -> %(count_after)s warehouse(s))") % {
        "before": names(before),
        "after": names(after),
        "count_before": len(before),
        "count_after": len(after),
    }
