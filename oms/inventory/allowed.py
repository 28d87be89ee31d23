"""What a user may do now with where an order's units are held: re-allocate them (oms.inventory.reallocation).

``why_not_reallocate`` is the order's part, as the error reallocate_order raises (it calls it again under the order
row lock); ``can_reallocate`` adds the user's right. See oms.orders.allowed for the pattern.
"""

from __future__ import annotations

from django.contrib.auth.models import User

from oms.inventory.errors import ReallocationRefused
from oms.inventory.models import StockMovement
from oms.orders.allowed import manages_orders
from oms.orders.models import Order
from oms.orders.states import HOLDS_RESERVATION, PAID_UNSHIPPED, OrderStatus
from oms.shipping.models import ShipmentStatus

# States in which the order's units are deducted from stock but still in the warehouse.
DEDUCTED_UNSHIPPED = PAID_UNSHIPPED


def why_not_reallocate(order: Order) -> ReallocationRefused | None:
    """Units move while the order is unpaid, or paid with every parcel still in the warehouse, and no refund or
    return has put any of them back on hand. Reads ``order.shipments`` (prefetch it on a page)."""
    status = OrderStatus(order.status)
    if status not in HOLDS_RESERVATION and status not in DEDUCTED_UNSHIPPED:
        return ReallocationRefused(
            f"Order {order.order_no} is {status}: only orders not yet shipped can be re-allocated.",
            details={"current_status": status},
        )
    left = sorted(s.pk for s in order.shipments.all() if s.status != ShipmentStatus.PENDING)
    if left:
        return ReallocationRefused(
            f"Shipment {left[0]} of order {order.order_no} already left the warehouse: its units can no longer move.",
            details={"current_status": status, "shipments_left": left},
        )
    if StockMovement.objects.filter(order=order, kind=StockMovement.Kind.RETURN).exists():
        return ReallocationRefused(
            f"A refund or return of order {order.order_no} put units back on hand; re-allocate it by hand.",
            details={"current_status": status},
        )
    return None


def can_reallocate(*, order: Order, user: User) -> bool:
    return manages_orders(user) and why_not_reallocate(order) is None
