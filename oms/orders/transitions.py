"""The order state machine: the one place an order's status changes (lock, check the table, side effects, event).

The table is oms.orders.states.TRANSITIONS; the kit that applies it is oms.common.statemachine.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.common.statemachine import StateMachine, apply_transition, record_event
from oms.inventory import services as inventory
from oms.orders.errors import InvalidTransition, OrderExpired
from oms.orders.models import Order, OrderEvent
from oms.orders.states import HOLDS_RESERVATION, TRANSITIONS, OrderStatus


def _write_event(order: Order, *, from_status: str, actor: User | None, reason: str, at: datetime) -> OrderEvent:
    return OrderEvent.objects.create(
        order=order, from_status=from_status, to_status=order.status, actor=actor, reason=reason[:255], created_at=at
    )


ORDER = StateMachine(model=Order, table=TRANSITIONS, write_event=_write_event, error=InvalidTransition)


def transition_order(
    *,
    order_id: int,
    to: OrderStatus,
    actor: User | None,
    reason: str = "",
    allowed_from: frozenset[OrderStatus] | None = None,
    paid_at: datetime | None = None,
) -> Order:
    """Move an order to ``to`` and return it.

    Locks the order row (then, for stock side effects, its stock rows in id order). ``allowed_from`` narrows the
    table for one caller (a customer may cancel in fewer states than staff). ``paid_at`` is when the money moved
    (a gateway's payment time), checked against the payment window. Raises InvalidTransition, OrderExpired.
    """
    with transaction.atomic():
        order = ORDER.lock(order_id)
        now = timezone.now()

        apply_transition(
            ORDER,
            order,
            to=to,
            actor=actor,
            reason=reason,
            allowed_from=allowed_from,
            side_effects=lambda order, current: _apply_side_effects(
                order=order, current=current, to=to, actor=actor, reason=reason, now=paid_at or now
            ),
            fields=("paid_at",),
            at=now,
        )
    return order


def _apply_side_effects(
    *, order: Order, current: str, to: OrderStatus, actor: User | None, reason: str, now: datetime
) -> None:
    if to == OrderStatus.PAID and current in HOLDS_RESERVATION:
        if now > order.expires_at:
            raise OrderExpired(
                _("Order %(order_no)s expired at %(expires_at)s; place a new order.")
                % {"order_no": order.order_no, "expires_at": order.expires_at.isoformat()},
                details={"expires_at": order.expires_at.isoformat()},
            )
        order.paid_at = now
        inventory.deduct_order_stock(order=order, actor=actor, note=reason)
    elif to == OrderStatus.CANCELLED and current in HOLDS_RESERVATION:
        inventory.release_order_stock(order=order, actor=actor, note=reason)


def note_order(*, order: Order, actor: User | None, reason: str, at: datetime | None = None) -> OrderEvent:
    """A timeline entry that changes no status (from == to == the current status): partial shipments, returns,
    re-allocations, late refunds. The caller holds the order row lock inside its transaction.
    """
    event: OrderEvent = record_event(ORDER, order, actor=actor, reason=reason, at=at)
    return event
