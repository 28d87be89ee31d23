"""What a user may do now with an order's fulfilment: confirm it, ship a parcel, reship lost ones, confirm receipt,
re-allocate its units to other warehouses (oms.shipping.reallocation).

``can_*`` answer the pages and the API: the object's state and any other condition, plus the user's right (staff
who manage orders; the customer for their receipt). ``why_not_*`` is the object's part alone, as the error the
service raises: oms.shipping.services calls it again under the order row lock, so what a page offers and what the
service accepts come from one predicate.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from oms.common.errors import OmsError
from oms.inventory.models import StockMovement
from oms.orders.allowed import manages_orders, owns
from oms.orders.errors import InvalidTransition
from oms.orders.models import Order
from oms.orders.states import HOLDS_RESERVATION, PAID_UNSHIPPED, OrderStatus, state_in_message
from oms.shipping.errors import ReallocationRefused, ShipmentNotPending
from oms.shipping.models import ORDER_ENDED_BEFORE_SHIPPING, Shipment
from oms.shipping.states import FAILED, ShipmentStatus

S = ShipmentStatus
# The customer confirms receipt of a shipped order only (a failed or completed one is past that).
RECEIPT_FROM = frozenset({OrderStatus.SHIPPED})


def pending_shipments(order: Order) -> list[Shipment]:
    """The order's parcels still in the warehouse (reads ``order.shipments``: prefetch it)."""
    return [s for s in order.shipments.all() if s.status == S.PENDING]


def unresolved_failures(order: Order) -> QuerySet[Shipment]:
    """The order's failed parcels that no reship has replaced yet."""
    return order.shipments.filter(status__in=FAILED, replacement__isnull=True)


# --- Confirm ----------------------------------------------------------------------------------------------------


def why_not_confirm(order: Order) -> InvalidTransition | None:
    """Only a paid order is confirmed for shipping (confirm_order treats a confirmed one as done)."""
    if order.status != OrderStatus.PAID:
        return InvalidTransition(current=order.status, target=OrderStatus.AWAITING_SHIPMENT)
    return None


def can_confirm(*, order: Order, user: User) -> bool:
    return manages_orders(user) and why_not_confirm(order) is None


# --- Ship -------------------------------------------------------------------------------------------------------


def why_not_ship(*, shipment: Shipment, order: Order) -> OmsError | None:
    """A parcel ships while it is in the warehouse and its order awaits shipment."""
    if shipment.status != S.PENDING:
        return ShipmentNotPending(
            _("Shipment %(shipment)s already left (%(carrier)s %(tracking_no)s).")
            % {"shipment": shipment.pk, "carrier": shipment.carrier, "tracking_no": shipment.tracking_no},
            details={"status": shipment.status, "carrier": shipment.carrier},
        )
    if order.status != OrderStatus.AWAITING_SHIPMENT:
        return InvalidTransition(
            current=order.status,
            target=OrderStatus.SHIPPED,
            message=_("Order %(order_no)s is %(status)s: only orders awaiting shipment ship.")
            % {"order_no": order.order_no, "status": state_in_message(order.status)},
        )
    return None


def can_ship(*, shipment: Shipment, user: User) -> bool:
    return manages_orders(user) and why_not_ship(shipment=shipment, order=shipment.order) is None


def shippable_shipments(*, order: Order, user: User) -> list[Shipment]:
    """The parcels of ``order`` that ``user`` may ship now (reads ``order.shipments``: prefetch it)."""
    if not manages_orders(user):
        return []
    return [s for s in order.shipments.all() if why_not_ship(shipment=s, order=order) is None]


def can_ship_order(*, order: Order, user: User) -> bool:
    """May ``user`` ship some parcel of ``order`` now?"""
    return bool(shippable_shipments(order=order, user=user))


def waits_without_parcel(order: Order) -> bool:
    """Awaiting shipment with no parcel left in the warehouse: nothing to ship until staff re-plan it."""
    return order.status == OrderStatus.AWAITING_SHIPMENT and not pending_shipments(order)


# --- Reship -----------------------------------------------------------------------------------------------------


def why_not_reship(order: Order) -> InvalidTransition | None:
    """Reshipping needs an order in ``shipment_failed`` with a failed parcel not replaced yet."""
    if order.status != OrderStatus.SHIPMENT_FAILED:
        return InvalidTransition(current=order.status, target=OrderStatus.AWAITING_SHIPMENT)
    if not unresolved_failures(order).exists():
        return InvalidTransition(
            current=order.status,
            target=OrderStatus.AWAITING_SHIPMENT,
            message=_("Order %(order_no)s has no failed shipment left to reship.") % {"order_no": order.order_no},
        )
    return None


def can_reship(*, order: Order, user: User) -> bool:
    return manages_orders(user) and why_not_reship(order) is None


# --- Receipt ----------------------------------------------------------------------------------------------------


def can_confirm_receipt(*, order: Order, user: User) -> bool:
    """Only the customer who placed the order confirms its receipt, and only once it has shipped."""
    return owns(order, user) and order.status in RECEIPT_FROM


def will_not_ship(order: Order) -> bool:
    """The order ended (cancelled, or refunded in full) before anything left: nothing will be delivered."""
    return order.status in ORDER_ENDED_BEFORE_SHIPPING


# --- Re-allocate ------------------------------------------------------------------------------------------------
# ``why_not_reallocate`` is the order's part, as the error reallocate_order raises (it calls it again under the
# order row lock); ``can_reallocate`` adds the user's right.

# States in which the order's units are deducted from stock but still in the warehouse.
DEDUCTED_UNSHIPPED = PAID_UNSHIPPED


def why_not_reallocate(order: Order) -> ReallocationRefused | None:
    """Units move while the order is unpaid, or paid with every parcel still in the warehouse, and no refund or
    return has put any of them back on hand. Reads ``order.shipments`` (prefetch it on a page)."""
    status = OrderStatus(order.status)
    if status not in HOLDS_RESERVATION and status not in DEDUCTED_UNSHIPPED:
        return ReallocationRefused(
            _("Order %(order_no)s is %(status)s: only orders not yet shipped can be re-allocated.")
            % {"order_no": order.order_no, "status": state_in_message(status)},
            details={"current_status": status},
        )
    left = sorted(s.pk for s in order.shipments.all() if s.status != S.PENDING)
    if left:
        return ReallocationRefused(
            _("Shipment %(shipment)s of order %(order_no)s already left the warehouse: its units can no longer move.")
            % {"shipment": left[0], "order_no": order.order_no},
            details={"current_status": status, "shipments_left": left},
        )
    if StockMovement.objects.filter(order=order, kind=StockMovement.Kind.RETURN).exists():
        return ReallocationRefused(
            _("A refund or return of order %(order_no)s put units back on hand; re-allocate it by hand.")
            % {"order_no": order.order_no},
            details={"current_status": status},
        )
    return None


def can_reallocate(*, order: Order, user: User) -> bool:
    return manages_orders(user) and why_not_reallocate(order) is None
