"""What an order's changes add to the report rollups (``oms.reporting``), written in the same transaction.

Called by the services that make the change: placement, ``transition_order`` (paid, cancelled, shipped), and
from above by payments (a refund completed) and shipping (a parcel delivered). ``oms.reports.aggregate`` computes
the same contributions from the source tables; a property test holds the two equal.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from oms.inventory.models import Allocation
from oms.orders.models import Order, OrderEvent
from oms.orders.states import OrderStatus
from oms.reporting import rollups
from oms.reporting.models import LeadTimeRollup
from oms.reporting.rollups import Changes, Key, cents, local_day

Stage = LeadTimeRollup.Stage


def order_warehouse_id(order_id: int) -> int:
    """The warehouse of the order's first allocation (sourcing's first choice); 0 if it has none."""
    first = (
        Allocation.objects.filter(order_id=order_id).order_by("id").values_list("stock__warehouse_id", flat=True)[:1]
    )
    return next(iter(first), 0)


def report_method(order: Order) -> str:
    """The payment method the rollups file the order under: how it was paid, or "" while unpaid."""
    return order.payment_method if order.paid_at is not None else ""


def order_key(order: Order, *, warehouse_id: int | None = None) -> Key:
    if warehouse_id is None:
        warehouse_id = order_warehouse_id(order.pk)
    return Key(local_day(order.created_at), warehouse_id, report_method(order))


def record_placed(*, order: Order, first_warehouse_id: int) -> None:
    """A new order: one more order placed, unpaid. ``first_warehouse_id`` is the warehouse of its first planned
    allocation, which the ledger inserts first (the lowest allocation id, as ``order_warehouse_id`` reads it)."""
    changes = Changes()
    changes.add_sales(Key(local_day(order.created_at), first_warehouse_id, ""), orders=1)
    rollups.apply(changes)


def record_moved(*, order: Order, current: str, paid_before: bool, at: datetime) -> None:
    """An order moved from ``current`` to its status now, at ``at``; ``paid_before``: it had been paid already."""
    changes = Changes()
    to = order.status
    if to == OrderStatus.PAID and not paid_before and order.paid_at is not None:
        _paid(order, changes)
    elif to == OrderStatus.CANCELLED and order.paid_at is None:
        changes.add_sales(order_key(order), cancelled=1)
    elif to == OrderStatus.SHIPPED and order.paid_at is not None and _first_time_shipped(order):
        changes.add_lead(order_key(order), Stage.TO_SHIP, (at - order.paid_at).total_seconds())
    if changes:
        rollups.apply(changes)


def _first_time_shipped(order: Order) -> bool:
    """Lead time runs to the first time the order shipped (a reshipped order ships again)."""
    return OrderEvent.objects.filter(order_id=order.pk, to_status=OrderStatus.SHIPPED).count() == 1


def _paid(order: Order, changes: Changes) -> None:
    assert order.paid_at is not None
    warehouse_id = order_warehouse_id(order.pk)
    day = local_day(order.created_at)
    paid = Key(day, warehouse_id, order.payment_method)
    items = list(order.items.values_list("sku_id", "quantity", "line_total"))
    changes.add_sales(Key(day, warehouse_id, ""), orders=-1)
    changes.add_sales(
        paid,
        orders=1,
        paid_orders=1,
        units=sum(quantity for _sku, quantity, _total in items),
        gross_cents=cents(order.total_amount),
    )
    _first_order(order, paid, changes)
    for sku_id, quantity, line_total in items:
        changes.add_sku(paid, sku_id, units=quantity, revenue_cents=cents(line_total))
    changes.add_lead(paid, Stage.TO_PAY, (order.paid_at - order.created_at).total_seconds())


def _first_order(order: Order, key: Key, changes: Changes) -> None:
    """A customer's first order is their earliest placed (then lowest id) paid order: the order just paid, unless
    an earlier one was paid before; if it takes the place of a later one, that one becomes a returning order.
    (Two orders of one customer paid at the same instant may both count as first.)"""
    earlier_paid = (
        Order.objects.filter(customer_id=order.customer_id, paid_at__isnull=False)
        .exclude(pk=order.pk)
        .order_by("created_at", "id")
        .first()
    )
    if earlier_paid is None:
        changes.add_sales(key, first_orders=1)
    elif (order.created_at, order.pk) < (earlier_paid.created_at, earlier_paid.pk):
        changes.add_sales(key, first_orders=1)
        changes.add_sales(order_key(earlier_paid), first_orders=-1)


def record_refund(*, order: Order, amount: Decimal, completed_at: datetime) -> None:
    """Money went back to the customer (a staff or customer refund; not the automatic refund of a late payment,
    whose money was never counted as a sale)."""
    key = order_key(order)
    changes = Changes()
    changes.add_sales(
        Key(local_day(completed_at), key.warehouse_id, key.payment_method),
        refunds_cents=cents(amount),
        refund_count=1,
    )
    rollups.apply(changes)


def record_delivered(*, order: Order, shipped_at: datetime, delivered_at: datetime) -> None:
    """One parcel of the order was delivered."""
    changes = Changes()
    changes.add_lead(order_key(order), Stage.TO_DELIVER, (delivered_at - shipped_at).total_seconds())
    rollups.apply(changes)
