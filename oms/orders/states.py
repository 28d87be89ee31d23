"""The order state machine: every legal move, in one table."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from oms.common.statemachine import TransitionTable


class OrderStatus(models.TextChoices):
    PENDING_PAYMENT = "pending_payment", _("Pending payment")
    PAID = "paid", _("Paid")
    AWAITING_SHIPMENT = "awaiting_shipment", _("Awaiting shipment")
    SHIPPED = "shipped", _("Shipped")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")
    PAYMENT_FAILED = "payment_failed", _("Payment failed")
    SHIPMENT_FAILED = "shipment_failed", _("Shipment failed")
    REFUNDING = "refunding", _("Refunding")
    REFUNDED = "refunded", _("Refunded")


S = OrderStatus

# How an error message names a state: in English its code (as the error's details carry it, and as English messages
# always said), in Chinese its status label: each code is translated in its own context.
STATE_IN_MESSAGE: dict[str, object] = {
    S.PENDING_PAYMENT: pgettext_lazy("order state named in a message", "pending_payment"),
    S.PAID: pgettext_lazy("order state named in a message", "paid"),
    S.AWAITING_SHIPMENT: pgettext_lazy("order state named in a message", "awaiting_shipment"),
    S.SHIPPED: pgettext_lazy("order state named in a message", "shipped"),
    S.COMPLETED: pgettext_lazy("order state named in a message", "completed"),
    S.CANCELLED: pgettext_lazy("order state named in a message", "cancelled"),
    S.PAYMENT_FAILED: pgettext_lazy("order state named in a message", "payment_failed"),
    S.SHIPMENT_FAILED: pgettext_lazy("order state named in a message", "shipment_failed"),
    S.REFUNDING: pgettext_lazy("order state named in a message", "refunding"),
    S.REFUNDED: pgettext_lazy("order state named in a message", "refunded"),
}


def state_in_message(state: str) -> str:
    """``state`` as an error message names it, in the active language (an unknown state as it is)."""
    named = STATE_IN_MESSAGE.get(state)
    return str(named) if named is not None else state


TRANSITIONS = TransitionTable(
    OrderStatus,
    {
        S.PENDING_PAYMENT: frozenset({S.PAID, S.CANCELLED, S.PAYMENT_FAILED}),
        S.PAYMENT_FAILED: frozenset({S.PAID, S.CANCELLED, S.PENDING_PAYMENT}),
        # A paid order is never simply cancelled: the money goes back through a refund first.
        S.PAID: frozenset({S.AWAITING_SHIPMENT, S.REFUNDING}),
        S.AWAITING_SHIPMENT: frozenset({S.SHIPPED, S.REFUNDING}),
        S.SHIPPED: frozenset({S.COMPLETED, S.SHIPMENT_FAILED, S.REFUNDING}),
        # Back to awaiting_shipment when staff reship what the carrier lost (oms.shipping.services.reship_order).
        S.SHIPMENT_FAILED: frozenset({S.SHIPPED, S.AWAITING_SHIPMENT, S.REFUNDING}),
        S.COMPLETED: frozenset({S.REFUNDING}),
        # A partial refund returns the order to where it was; a full one ends it.
        S.REFUNDING: frozenset({S.REFUNDED, S.PAID, S.AWAITING_SHIPMENT, S.SHIPPED, S.SHIPMENT_FAILED, S.COMPLETED}),
        S.CANCELLED: frozenset(),
        S.REFUNDED: frozenset(),
    },
)

# States in which an order still holds reserved (not yet deducted) stock.
HOLDS_RESERVATION = frozenset({S.PENDING_PAYMENT, S.PAYMENT_FAILED})
# States the customer may cancel from outright (before payment).
CUSTOMER_CANCELLABLE = frozenset({S.PENDING_PAYMENT, S.PAYMENT_FAILED})
# Paid, the units taken from stock but still in the warehouse until a parcel leaves. Cancelling such an order
# (customer or staff) refunds it in full and puts its units back: oms.payments.cancellation.
PAID_UNSHIPPED = frozenset({S.PAID, S.AWAITING_SHIPMENT})


def can_transition(current: str, target: str) -> bool:
    return TRANSITIONS.allows(current, target)
