"""The purchase order state machine: the one place a PO's status changes (lock the row, check the table, save,
write the event). The table is oms.purchasing.states.TRANSITIONS; the kit is oms.common.statemachine.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import User
from django.utils.translation import gettext as _

from oms.common.statemachine import StateMachine, apply_transition, record_event
from oms.purchasing.errors import InvalidPurchaseTransition, PurchaseOrderNotFound, refusal_message
from oms.purchasing.models import PurchaseOrder, PurchaseOrderEvent
from oms.purchasing.states import TRANSITIONS, PurchaseOrderStatus


def _write_event(
    po: PurchaseOrder, *, from_status: str, actor: User | None, reason: str, at: datetime
) -> PurchaseOrderEvent:
    return PurchaseOrderEvent.objects.create(
        purchase_order=po, from_status=from_status, to_status=po.status, actor=actor, note=reason[:255], created_at=at
    )


def _refusal(po: PurchaseOrder, current: str, target: str) -> str:
    return refusal_message(po.po_no, current, target)


PURCHASE_ORDER = StateMachine(
    model=PurchaseOrder, table=TRANSITIONS, write_event=_write_event, error=InvalidPurchaseTransition, describe=_refusal
)


def lock_purchase_order(po_id: int) -> PurchaseOrder:
    """Lock the PO row (call inside a transaction) and return it fresh. Raises PurchaseOrderNotFound.

    Every change of a PO, its lines or the stock it receives takes this lock first, so two staff acting on one PO
    queue; stock rows are locked after it (in id order), as every other stock change locks them.
    """
    # No select_related: FOR UPDATE would lock the joined supplier and warehouse rows too.
    found = PurchaseOrder.objects.select_for_update().filter(pk=po_id).first()
    if found is None:
        raise PurchaseOrderNotFound(_("No purchase order %(po_no)s.") % {"po_no": po_id})
    return found


def check_po_transition(po: PurchaseOrder, to: PurchaseOrderStatus, message: str | None = None) -> None:
    PURCHASE_ORDER.check(po, to, message=message)


def apply_po_transition(
    *,
    po: PurchaseOrder,
    to: PurchaseOrderStatus,
    actor: User | None,
    note: str,
    fields: tuple[str, ...] = (),
) -> PurchaseOrder:
    """Move a locked PO to ``to`` (saving ``fields`` the caller set too) and write its event.

    The caller holds the PO row lock (``lock_purchase_order``) inside a transaction. Raises
    InvalidPurchaseTransition.
    """
    return apply_transition(PURCHASE_ORDER, po, to=to, actor=actor, reason=note, fields=fields)


def record_po_event(
    *, po: PurchaseOrder, from_status: str, actor: User | None, note: str, at: datetime | None = None
) -> None:
    """A PO event ``from_status`` -> the PO's status: ``""`` for a new PO."""
    record_event(PURCHASE_ORDER, po, from_status=from_status, actor=actor, reason=note, at=at)
