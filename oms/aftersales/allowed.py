"""What a user may do now with returns: ask for one, approve, reject, receive, retry its refund, ship it back,
withdraw it.

Each ``can_*`` combines the state (the transition table of oms.aftersales.states, which the services check
through oms.aftersales.transitions), any other condition, and who the user is: the customer who asked (or placed
the order), or staff with the right to manage returns. ``why_not_return`` is the order's part of asking, as the
error request_return raises. See oms.orders.allowed for the pattern.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.utils.translation import gettext as _

from oms.aftersales import selectors
from oms.aftersales.errors import OrderNotReturnable
from oms.aftersales.models import ReturnRequest
from oms.aftersales.states import ReturnStatus, can_transition
from oms.orders.allowed import owns
from oms.orders.models import Order
from oms.orders.states import OrderStatus, state_in_message

R = ReturnStatus
MANAGE_RETURNS = "aftersales.manage_returns"
# Orders with nothing that could have been delivered, or nothing left to refund.
NOT_RETURNABLE = frozenset(
    {OrderStatus.PENDING_PAYMENT, OrderStatus.PAYMENT_FAILED, OrderStatus.CANCELLED, OrderStatus.REFUNDED}
)


def manages_returns(user: User) -> bool:
    return user.is_staff and user.has_perm(MANAGE_RETURNS)


def _asked(ret: ReturnRequest, user: User) -> bool:
    return user.is_authenticated and ret.customer_id == user.pk


# --- The customer's ---------------------------------------------------------------------------------------------


def why_not_return(order: Order) -> OrderNotReturnable | None:
    """Nothing of an unpaid, cancelled or fully refunded order can go back (which units may: the selectors)."""
    if order.status in NOT_RETURNABLE:
        return OrderNotReturnable(
            _("Order %(order_no)s is %(status)s: nothing of it can be returned.")
            % {"order_no": order.order_no, "status": state_in_message(order.status)},
            details={"order_status": order.status},
        )
    return None


def returnable_rows(order: Order) -> list[dict[str, Any]]:
    """Per SKU, how many units may still be sent back now and until when (none for an order nothing of which can
    go back): what request_return accepts, as oms.aftersales.selectors counts it."""
    if why_not_return(order) is not None:
        return []
    return [row for row in selectors.returnable_now(order=order) if row["returnable"] > 0]


def can_request_return(*, order: Order, user: User) -> bool:
    """Only the customer who placed the order asks, while some unit of it may go back (delivered, in its window,
    not yet returned or asked for)."""
    return owns(order, user) and bool(returnable_rows(order))


def can_ship_return(*, ret: ReturnRequest, user: User) -> bool:
    """The customer who asked (or staff for them) sends the approved parcel back."""
    return (_asked(ret, user) or manages_returns(user)) and can_transition(ret.status, R.SHIPPED)


def can_cancel_return(*, ret: ReturnRequest, user: User) -> bool:
    """The customer who asked, or staff, withdraw a return before its parcel ships."""
    return (_asked(ret, user) or manages_returns(user)) and can_transition(ret.status, R.CANCELLED)


# --- Staff's ----------------------------------------------------------------------------------------------------


def can_approve_return(*, ret: ReturnRequest, user: User) -> bool:
    return manages_returns(user) and can_transition(ret.status, R.APPROVED)


def can_reject_return(*, ret: ReturnRequest, user: User) -> bool:
    return manages_returns(user) and can_transition(ret.status, R.REJECTED)


def can_receive_return(*, ret: ReturnRequest, user: User) -> bool:
    return manages_returns(user) and can_transition(ret.status, R.RECEIVED)


def can_refund_return(*, ret: ReturnRequest, user: User) -> bool:
    """Received but not refunded: the refund after the receipt failed (or is under way); staff retry it."""
    return manages_returns(user) and can_transition(ret.status, R.REFUNDED)
