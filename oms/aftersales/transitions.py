"""The return state machine: the one place a return's status changes (check the table, save, return event, order
timeline note). The table is oms.aftersales.states.TRANSITIONS; the kit is oms.common.statemachine.

Every write locks the order row first and the return row after it — the order oms.shipping and oms.payments take
too — so a return action racing a refund, a carrier event or another return action queues instead of deadlocking.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import User
from django.utils.translation import gettext as _

from oms.aftersales.errors import InvalidReturnTransition, ReturnNotFound
from oms.aftersales.models import ReturnEvent, ReturnRequest
from oms.aftersales.states import TRANSITIONS, ReturnStatus, state_in_message
from oms.common.statemachine import StateMachine, apply_transition, record_event
from oms.orders.models import Order
from oms.orders.transitions import note_order


def _write_event(
    request: ReturnRequest, *, from_status: str, actor: User | None, reason: str, at: datetime
) -> ReturnEvent:
    """A return event ``from_status`` -> the return's status, and the same news as a note on the order."""
    event = ReturnEvent.objects.create(
        return_request=request,
        from_status=from_status,
        to_status=request.status,
        actor=actor,
        reason=reason[:255],
        created_at=at,
    )
    note = _("Return #%(return_id)s %(status)s") % {"return_id": request.pk, "status": state_in_message(request.status)}
    if reason:
        note = _("%(what)s: %(reason)s") % {"what": note, "reason": reason}
    # Status-neutral: the order's own status changes only through oms.orders.transitions.
    note_order(order=request.order, actor=actor, reason=note, at=at)
    return event


RETURN = StateMachine(model=ReturnRequest, table=TRANSITIONS, write_event=_write_event, error=InvalidReturnTransition)


def lock_return(return_id: int) -> tuple[Order, ReturnRequest]:
    """Lock the return's order row, then the return row. Call inside a transaction. Raises ReturnNotFound."""
    order_id = ReturnRequest.objects.filter(pk=return_id).values_list("order_id", flat=True).first()
    if order_id is None:
        raise ReturnNotFound(_("No return %(return_id)s.") % {"return_id": return_id})
    order = Order.objects.select_for_update().get(pk=order_id)
    request = RETURN.lock(return_id)
    request.order = order
    return order, request


def check_return_transition(request: ReturnRequest, to: ReturnStatus, message: str | None = None) -> None:
    RETURN.check(request, to, message=message)


def apply_return_transition(
    *,
    request: ReturnRequest,
    order: Order,
    to: ReturnStatus,
    actor: User | None,
    reason: str,
    fields: tuple[str, ...] = (),
) -> ReturnRequest:
    """Move a locked return to ``to`` (saving ``fields`` the caller set too) and write both timelines.

    The caller holds the order and return row locks (``lock_return``) inside a transaction. Raises
    InvalidReturnTransition.
    """
    request.order = order
    return apply_transition(RETURN, request, to=to, actor=actor, reason=reason, fields=fields)


def record_return_event(
    *, request: ReturnRequest, order: Order, from_status: str, actor: User | None, reason: str
) -> None:
    """A return event ``from_status`` -> the return's status (``""`` for a new return; its status for a note),
    and the same news as a note on the order."""
    request.order = order
    record_event(RETURN, request, from_status=from_status, actor=actor, reason=reason)
