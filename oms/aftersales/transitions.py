"""The one place a return's status changes: check the table, save, return event, order timeline note.

Every write locks the order row first and the return row after it — the order oms.shipping and oms.payments take
too — so a return action racing a refund, a carrier event or another return action queues instead of deadlocking.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from oms.aftersales.errors import InvalidReturnTransition, ReturnNotFound
from oms.aftersales.models import ReturnEvent, ReturnRequest
from oms.aftersales.states import ReturnStatus, can_transition
from oms.orders.models import Order
from oms.orders.transitions import note_order


def lock_return(return_id: int) -> tuple[Order, ReturnRequest]:
    """Lock the return's order row, then the return row. Call inside a transaction. Raises ReturnNotFound."""
    order_id = ReturnRequest.objects.filter(pk=return_id).values_list("order_id", flat=True).first()
    if order_id is None:
        raise ReturnNotFound(f"No return {return_id}.")
    order = Order.objects.select_for_update().get(pk=order_id)
    return order, ReturnRequest.objects.select_for_update().get(pk=return_id)


def check_return_transition(request: ReturnRequest, to: ReturnStatus, message: str | None = None) -> None:
    if not can_transition(request.status, to):
        raise InvalidReturnTransition(current=request.status, target=to, message=message)


def apply_return_transition(
    *,
    request: ReturnRequest,
    order: Order,
    to: ReturnStatus,
    actor: AbstractBaseUser | None,
    reason: str,
    fields: tuple[str, ...] = (),
) -> ReturnRequest:
    """Move a locked return to ``to`` (saving ``fields`` the caller set too) and write both timelines.

    The caller holds the order and return row locks (``lock_return``) inside a transaction. Raises
    InvalidReturnTransition.
    """
    check_return_transition(request, to)
    current = request.status
    request.status = to
    request.save(update_fields=["status", "updated_at", *fields])
    record_return_event(request=request, order=order, from_status=current, actor=actor, reason=reason)
    return request


def record_return_event(
    *, request: ReturnRequest, order: Order, from_status: str, actor: AbstractBaseUser | None, reason: str
) -> None:
    """A return event ``from_status`` -> the return's status, and the same news as a note on the order."""
    now = timezone.now()
    ReturnEvent.objects.create(
        return_request=request,
        from_status=from_status,
        to_status=request.status,
        actor=actor,
        reason=reason[:255],
        created_at=now,
    )
    note = f"Return #{request.pk} {request.status}" + (f": {reason}" if reason else "")
    # Status-neutral: the order's own status changes only through oms.orders.transitions.
    note_order(order=order, actor=actor, reason=note, at=now)
