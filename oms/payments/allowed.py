"""What a user may do now with an order's money: pay it, record an offline payment, cancel it, refund it, resolve
its exception.

``can_*`` answer the pages and the API: the order's state and any other condition, plus who the user is (the
customer who placed it, or staff with the right). ``why_not_*`` is the order's part alone, as the error the service
raises: the services (oms.payments.services, .cancellation, .refunds) call it again when the money moves, so what
a page offers and what the service accepts come from one predicate. See oms.orders.allowed for the pattern.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.contrib.auth.models import User
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.common.errors import OmsError
from oms.orders.allowed import manages_orders, owns
from oms.orders.errors import InvalidTransition, OrderExpired
from oms.orders.models import Order
from oms.orders.states import (
    CUSTOMER_CANCELLABLE,
    HOLDS_RESERVATION,
    PAID_UNSHIPPED,
    OrderStatus,
    can_transition,
    state_in_message,
)
from oms.payments.models import Payment
from oms.shipping.models import ShipmentStatus

if TYPE_CHECKING:
    from oms.payments.models import PaymentIssue

REFUND_ORDERS = "payments.add_refund"
# Payments with money left to refund.
REFUNDABLE = (Payment.Status.SUCCEEDED, Payment.Status.PARTIALLY_REFUNDED)
RESOLUTIONS = ("retry", "cancel", "refund")


# --- Pay --------------------------------------------------------------------------------------------------------


def why_not_pay(order: Order, *, at: datetime | None = None) -> OmsError | None:
    """Money is taken for an order awaiting payment, within its payment window (``at``: when the money moved)."""
    if order.status not in HOLDS_RESERVATION:
        return InvalidTransition(
            current=order.status,
            target="paid",
            message=_("Order %(order_no)s is %(status)s.")
            % {"order_no": order.order_no, "status": state_in_message(order.status)},
        )
    if (at or timezone.now()) > order.expires_at:
        return OrderExpired(
            _("Order %(order_no)s expired at %(expires_at)s; place a new order.")
            % {"order_no": order.order_no, "expires_at": order.expires_at.isoformat()},
            details={"expires_at": order.expires_at.isoformat()},
        )
    return None


def can_pay(*, order: Order, user: User) -> bool:
    """Only the customer who placed the order pays it (by Alipay or store balance)."""
    return owns(order, user) and why_not_pay(order) is None


def can_record_offline_payment(*, order: Order, user: User) -> bool:
    return manages_orders(user) and why_not_pay(order) is None


# --- Cancel -----------------------------------------------------------------------------------------------------


def cancels_as_staff(user: User) -> bool:
    """A cancel by staff who manage orders may do what a customer's may not (cancel an order paid offline)."""
    return manages_orders(user)


def paid_offline(order: Order) -> bool:
    """Was the order paid offline, with money left that nothing here can send back? (Reads ``order.payments``.)"""
    return any(p.method == Payment.Method.OFFLINE and p.status in REFUNDABLE for p in order.payments.all())


def why_not_cancel_paid(order: Order) -> InvalidTransition | None:
    """A paid order is cancelled (and refunded in full) only while none of its parcels has left the warehouse.

    Reads ``order.shipments``; oms.payments.refunds asks again under the order row lock.
    """
    if order.status not in PAID_UNSHIPPED:
        return InvalidTransition(
            current=order.status,
            target=OrderStatus.REFUNDING,
            message=_(
                "Order %(order_no)s is %(status)s: only paid orders that have not shipped can be cancelled and "
                "refunded this way."
            )
            % {"order_no": order.order_no, "status": state_in_message(order.status)},
        )
    if any(s.status != ShipmentStatus.PENDING for s in order.shipments.all()):
        return InvalidTransition(
            current=order.status,
            target=OrderStatus.REFUNDING,
            message=_(
                "A parcel of order %(order_no)s has already left the warehouse, so the order can no longer be "
                "cancelled: ask for a return once it arrives."
            )
            % {"order_no": order.order_no},
        )
    return None


def why_not_refund_unshipped(order: Order, *, by_staff: bool) -> InvalidTransition | None:
    """Customers may not cancel an order paid offline: nothing here can send that money back, so staff cancel it."""
    if not by_staff and paid_offline(order):
        return InvalidTransition(
            current=order.status,
            target=OrderStatus.REFUNDING,
            message=_("Order %(order_no)s was paid offline: ask the shop to cancel it and return the money.")
            % {"order_no": order.order_no},
        )
    return None


def cancels_unpaid(order: Order, *, by_staff: bool) -> bool:
    """May the order be cancelled outright (unpaid: its stock released)? The check oms.orders.transitions makes."""
    return can_transition(order.status, OrderStatus.CANCELLED) and (by_staff or order.status in CUSTOMER_CANCELLABLE)


def can_cancel(*, order: Order, user: User) -> bool:
    """May ``user`` cancel ``order`` now (oms.payments.cancellation): its customer, or staff who manage orders;
    unpaid, or paid with every parcel still in the warehouse (and, for the customer, not paid offline).

    Reads ``order.shipments`` and ``order.payments`` (prefetch them); the services check again under the lock.
    """
    by_staff = cancels_as_staff(user)
    if not (by_staff or owns(order, user)):
        return False
    if cancels_unpaid(order, by_staff=by_staff):
        return True
    return why_not_cancel_paid(order) is None and why_not_refund_unshipped(order, by_staff=by_staff) is None


def cancel_refunds(order: Order) -> bool:
    """Does cancelling ``order`` refund it (paid, not shipped) rather than cancel it outright?"""
    return order.status in PAID_UNSHIPPED


def refund_unconfirmed(order: Order) -> bool:
    """Is the order still waiting for the gateway to confirm its refund (``refunding``)?"""
    return order.status == OrderStatus.REFUNDING


# --- Refund -----------------------------------------------------------------------------------------------------


def has_refundable_payment(order: Order) -> bool:
    """Reads ``order.payments`` (prefetch it); oms.payments.refunds looks the payment up again under its lock."""
    return any(p.status in REFUNDABLE for p in order.payments.all())


def can_refund(*, order: Order, user: User) -> bool:
    """Staff with the refund right, for a paid order whose state allows ``refunding`` (the table refund_order's
    transition checks)."""
    return (
        user.is_staff
        and user.has_perm(REFUND_ORDERS)
        and has_refundable_payment(order)
        and can_transition(order.status, OrderStatus.REFUNDING)
    )


# --- Resolve an exception ---------------------------------------------------------------------------------------


def open_issues(order: Order) -> list[PaymentIssue]:
    """The order's payment issues nobody resolved yet (reads ``order.payment_issues``: prefetch it)."""
    return [issue for issue in order.payment_issues.all() if issue.resolved_at is None]


def resolutions(order: Order) -> tuple[str, ...]:
    """How staff may resolve the order's exception (oms.payments.exceptions.resolve_exception), in this order.

    A failed payment: retry it or cancel. A refund the gateway has not confirmed yet: nothing by hand
    (oms.payments.refund_recovery settles it). Otherwise an open money issue: refund.
    """
    status = OrderStatus(order.status)
    if status == OrderStatus.PAYMENT_FAILED:
        return ("retry", "cancel")
    if status == OrderStatus.REFUNDING:
        return ()
    return ("refund",) if open_issues(order) else ()


def can_resolve(*, order: Order, user: User) -> bool:
    return manages_orders(user) and bool(resolutions(order))


def exception_actions(order: Order) -> list[str]:
    """What staff who manage orders may do about an order in the exception queue.

    A failed parcel: reship it (oms.shipping) or refund the order (the resolve endpoint); else its resolutions.
    """
    if order.status == OrderStatus.SHIPMENT_FAILED:
        return ["reship", "refund"]
    return list(resolutions(order))
