"""The order actions of the console: which form each takes, which right it needs, which service it calls.

Whether the page offers an action is the domain's answer (``allowed``: the ``can_*`` of oms.shipping.allowed and
oms.payments.allowed); the services check the same predicate again and refuse with an
OmsError when the order moved meanwhile, so a stale button can never do harm.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import User
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from oms.orders.allowed import MANAGE_ORDERS
from oms.orders.models import Order, OrderEvent
from oms.payments import allowed as payments_allowed
from oms.payments import cancellation, refunds
from oms.payments import exceptions as payment_exceptions
from oms.payments import services as payment_services
from oms.shipping import allowed as shipping_allowed
from oms.shipping import selectors as shipping_selectors
from oms.shipping import services as shipping_services
from oms.shipping.errors import UnknownShipment
from oms.shipping.reallocation import reallocate_order

from . import forms

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

MANAGE = MANAGE_ORDERS
REFUND = payments_allowed.REFUND_ORDERS


@dataclass(frozen=True)
class OrderAction:
    name: str
    label: StrOrPromise
    perm: str
    form: type[forms.NoInputForm]
    run: Callable[[User, Order, dict[str, Any]], Any]
    done: StrOrPromise  # message after success
    # The domain's answer to "may this user do it to this order now" (keyword arguments order, user).
    allowed: Callable[..., bool]
    danger: bool = False
    # A note to show after success, read from the service's result (None: nothing more to say).
    note: Callable[[Any], str | None] | None = None


def _ship(user: User, order: Order, data: dict[str, Any]):
    shipment = shipping_selectors.shipment_detail(user=user, shipment_id=data["shipment"])
    if shipment.order_id != order.pk:
        raise UnknownShipment(
            gettext("Order %(order_no)s has no shipment %(shipment)s.")
            % {"order_no": order.order_no, "shipment": data["shipment"]}
        )
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
            _("Confirm for shipping"),
            MANAGE,
            forms.NoInputForm,
            lambda user, order, data: shipping_services.confirm_order(order=order, actor=user),
            _("Order confirmed: its shipments are ready to pick."),
            allowed=shipping_allowed.can_confirm,
        ),
        OrderAction(
            "ship",
            _("Ship"),
            MANAGE,
            forms.ShipForm,
            _ship,
            _("Shipment handed to the carrier."),
            allowed=shipping_allowed.can_ship_order,
        ),
        OrderAction(
            "reallocate",
            _("Re-allocate stock"),
            MANAGE,
            forms.NoInputForm,
            _reallocate,
            _("Stock re-allocated."),
            allowed=shipping_allowed.can_reallocate,
            note=lambda note: note or None,
        ),
        OrderAction(
            "cancel",
            _("Cancel order"),
            MANAGE,
            forms.CancelForm,
            lambda user, order, data: cancellation.cancel_or_refund_order(
                order=order, actor=user, reason=data["reason"], by_staff=True
            ),
            _("Order cancelled: its stock is back and anything paid was refunded."),
            allowed=payments_allowed.can_cancel,
            danger=True,
        ),
        OrderAction(
            "offline-payment",
            _("Record offline payment"),
            MANAGE,
            forms.OfflinePaymentForm,
            lambda user, order, data: payment_services.record_offline_payment(
                order=order, actor=user, reference=data["reference"]
            ),
            _("Offline payment recorded: the order is paid."),
            allowed=payments_allowed.can_record_offline_payment,
        ),
        OrderAction(
            "refund",
            _("Refund"),
            REFUND,
            forms.RefundForm,
            _refund,
            _("Refund done."),
            allowed=payments_allowed.can_refund,
            danger=True,
        ),
        OrderAction(
            "resolve",
            _("Resolve exception"),
            MANAGE,
            forms.ResolveForm,
            lambda user, order, data: payment_exceptions.resolve_exception(
                order=order, action=data["resolution"], actor=user, reason=data["reason"]
            ),
            _("Exception resolved."),
            allowed=payments_allowed.can_resolve,
        ),
        OrderAction(
            "reship",
            _("Reship lost parcels"),
            MANAGE,
            forms.NoInputForm,
            lambda user, order, data: shipping_services.reship_order(order=order, actor=user),
            _("Replacement shipments created: ship them as usual."),
            allowed=shipping_allowed.can_reship,
        ),
    ]
}


# The order the page lists the actions in.
PAGE_ORDER = ("confirm", "ship", "offline-payment", "reallocate", "cancel", "resolve", "reship", "refund")


def available_actions(order: Order, *, user: User) -> list[str]:
    """The actions the order page offers ``user`` for ``order`` now: those the domain allows.

    Reads the order's shipments, payments and payment issues (prefetch them).
    """
    return [name for name in PAGE_ORDER if ACTIONS[name].allowed(order=order, user=user)]
