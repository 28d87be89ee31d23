"""Cancelling an order, paid or not: what "cancel" means to a customer until a parcel of the order leaves.

An unpaid order is cancelled outright (its open gateway trades closed first, its reserved stock released). A paid
order is never simply cancelled (oms.orders.states): until a parcel leaves the warehouse, cancelling it refunds
everything left of its payment through the original method and puts its units back on hand, so it ends
``refunded`` (or stays ``refunding`` while a gateway has not confirmed the refund). Once a parcel has left, the
way back is a return (oms.aftersales).
"""

from __future__ import annotations

import logging

from django.contrib.auth.models import User

from oms.orders.errors import InvalidTransition
from oms.orders.models import Order
from oms.orders.states import HOLDS_RESERVATION, PAID_UNSHIPPED, OrderStatus
from oms.payments import refunds
from oms.payments.errors import GatewayOutcomeUnknown
from oms.payments.models import Payment, Refund
from oms.payments.services import cancel_unpaid_order
from oms.shipping.models import ShipmentStatus

logger = logging.getLogger(__name__)


def can_cancel(order: Order) -> bool:
    """Does ``order`` still allow cancel_or_refund_order? Unpaid, or paid with every parcel still in the warehouse.

    Reads ``order.shipments`` (prefetch it); the services check again under the order row lock.
    """
    if order.status in HOLDS_RESERVATION:
        return True
    return order.status in PAID_UNSHIPPED and all(s.status == ShipmentStatus.PENDING for s in order.shipments.all())


def cancel_or_refund_order(*, order: Order, actor: User, reason: str, by_staff: bool) -> Order:
    """Cancel ``order`` for its customer (or staff): unpaid → ``cancelled``; paid and unshipped → refunded in full.

    Returns the order as it is afterwards: ``refunding`` when the gateway did not answer (the refund stays pending
    and oms.payments.refund_recovery settles it; the cancel itself stands). Raises InvalidTransition when the order
    is past both (shipped, completed, already cancelled or refunding, or a parcel left meanwhile: the check is
    repeated under the order row lock), and GatewayError when the gateway refused the refund (the order is back
    where it was).
    """
    if order.status in PAID_UNSHIPPED:
        try:
            refund_unshipped_order(order=order, actor=actor, reason=reason, by_staff=by_staff)
        except GatewayOutcomeUnknown:
            logger.warning("refund for cancelled order %s sent but not confirmed yet", order.order_no)
    else:
        cancel_unpaid_order(order=order, actor=actor, reason=reason, by_staff=by_staff)
    return Order.objects.get(pk=order.pk)


def refund_unshipped_order(*, order: Order, actor: User, reason: str, by_staff: bool) -> Refund:
    """Refund all that is left of a paid order none of whose parcels has left, restocking every unit.

    Customers may not cancel an order paid offline: nothing here can send that money back, so staff cancel it
    (and return the money by the way it came). Must not be called inside a transaction (the gateway is called with
    no lock held).
    """
    if not by_staff and order.payments.filter(method=Payment.Method.OFFLINE, status__in=refunds.REFUNDABLE).exists():
        raise InvalidTransition(
            current=order.status,
            target=OrderStatus.REFUNDING,
            message=f"Order {order.order_no} was paid offline: ask the shop to cancel it and return the money.",
        )
    who = "staff" if by_staff else "the customer"
    why = f"Cancelled by {who} before shipping" + (f": {reason}" if reason else "")
    return refunds.request_refund(order=order, reason=why, actor=actor, cancel_unshipped=True).refund
