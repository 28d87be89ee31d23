"""The order actions of the console: which form each takes, which right it needs, which service it calls.

Which actions a page offers follows the state machine (oms.orders.states); the services check again and refuse
with an OmsError when the order moved meanwhile, so a stale button can never do harm.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User

from oms.inventory.reallocation import DEDUCTED_UNSHIPPED, reallocate_order
from oms.orders.models import Order, OrderEvent
from oms.orders.states import HOLDS_RESERVATION, OrderStatus, can_transition
from oms.payments import cancellation, refunds
from oms.payments import exceptions as payment_exceptions
from oms.payments import services as payment_services
from oms.payments.models import Payment
from oms.shipping import selectors as shipping_selectors
from oms.shipping import services as shipping_services
from oms.shipping.errors import UnknownShipment
from oms.shipping.models import ShipmentStatus

from . import forms

S = OrderStatus
MANAGE = "orders.manage_orders"
REFUND = "payments.add_refund"


@dataclass(frozen=True)
class OrderAction:
    name: str
    label: str
    perm: str
    form: type[forms.NoInputForm]
    run: Callable[[User, Order, dict[str, Any]], Any]
    done: str  # message after success
    danger: bool = False
    # A note to show after success, read from the service's result (None: nothing more to say).
    note: Callable[[Any], str | None] | None = None


def _ship(user: User, order: Order, data: dict[str, Any]):
    shipment = shipping_selectors.shipment_detail(user=user, shipment_id=data["shipment"])
    if shipment.order_id != order.pk:
        raise UnknownShipment(f"Order {order.order_no} has no shipment {data['shipment']}.")
    return shipping_services.ship_shipment(
        shipment=shipment, carrier=data["carrier"], tracking_no=data["tracking_no"], actor=user
    )


def _refund(user: User, order: Order, data: dict[str, Any]):
    return refunds.refund_order(
        order=order,
        reason=data["reason"],
        actor=user,
        amount=data.get("amount"),
        items=data.get("items") or None,
        restock=data.get("restock", False),
    )


def _reallocate(user: User, order: Order, data: dict[str, Any]) -> str:
    """Re-allocate, and return the note the service wrote on the timeline (where the units went)."""
    reallocate_order(order=order, actor=user)
    event = OrderEvent.objects.filter(order=order).order_by("-created_at", "-id").first()
    return event.reason if event else ""


ACTIONS: dict[str, OrderAction] = {
    action.name: action
    for action in [
        OrderAction(
            "confirm",
            "Confirm for shipping",
            MANAGE,
            forms.NoInputForm,
            lambda user, order, data: shipping_services.confirm_order(order=order, actor=user),
            "Order confirmed: its shipments are ready to pick.",
        ),
        OrderAction("ship", "Ship", MANAGE, forms.ShipForm, _ship, "Shipment handed to the carrier."),
        OrderAction(
            "reallocate",
            "Re-allocate stock",
            MANAGE,
            forms.NoInputForm,
            _reallocate,
            "Stock re-allocated.",
            note=lambda note: note or None,
        ),
        OrderAction(
            "cancel",
            "Cancel order",
            MANAGE,
            forms.CancelForm,
            lambda user, order, data: cancellation.cancel_or_refund_order(
                order=order, actor=user, reason=data["reason"], by_staff=True
            ),
            "Order cancelled: its stock is back and anything paid was refunded.",
            danger=True,
        ),
        OrderAction(
            "offline-payment",
            "Record offline payment",
            MANAGE,
            forms.OfflinePaymentForm,
            lambda user, order, data: payment_services.record_offline_payment(
                order=order, actor=user, reference=data["reference"]
            ),
            "Offline payment recorded: the order is paid.",
        ),
        OrderAction("refund", "Refund", REFUND, forms.RefundForm, _refund, "Refund done.", danger=True),
        OrderAction(
            "resolve",
            "Resolve exception",
            MANAGE,
            forms.ResolveForm,
            lambda user, order, data: payment_exceptions.resolve_exception(
                order=order, action=data["resolution"], actor=user, reason=data["reason"]
            ),
            "Exception resolved.",
        ),
        OrderAction(
            "reship",
            "Reship lost parcels",
            MANAGE,
            forms.NoInputForm,
            lambda user, order, data: shipping_services.reship_order(order=order, actor=user),
            "Replacement shipments created: ship them as usual.",
        ),
    ]
}


def available_actions(order: Order, *, user: User, open_issues: bool = False) -> list[str]:
    """The actions the order page offers ``user`` for ``order`` in its current state."""
    status = S(order.status)
    names: list[str] = []
    if status == S.PAID:
        names.append("confirm")
    if status == S.AWAITING_SHIPMENT and any(s.status == ShipmentStatus.PENDING for s in order.shipments.all()):
        names.append("ship")
    if status in HOLDS_RESERVATION:
        names.append("offline-payment")
    if status in HOLDS_RESERVATION or (status in DEDUCTED_UNSHIPPED and not _shipment_left(order)):
        names.append("reallocate")
    if cancellation.can_cancel(order):
        names.append("cancel")
    if status == S.PAYMENT_FAILED or open_issues:
        names.append("resolve")
    if status == S.SHIPMENT_FAILED:
        names.append("reship")
    paid = any(p.status in (Payment.Status.SUCCEEDED, Payment.Status.PARTIALLY_REFUNDED) for p in order.payments.all())
    if paid and can_transition(status, S.REFUNDING):
        names.append("refund")
    return [name for name in names if user.has_perm(ACTIONS[name].perm)]


def _shipment_left(order: Order) -> bool:
    """Has a parcel of the order left the warehouse? Its units can no longer be re-allocated then."""
    return any(s.status != ShipmentStatus.PENDING for s in order.shipments.all())


def resolutions_for(order: Order) -> list[str]:
    """The resolve choices that fit the order's state (the service refuses the others)."""
    if order.status == S.PAYMENT_FAILED:
        return ["retry", "cancel"]
    return ["refund"]
