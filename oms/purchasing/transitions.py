"""The one place a purchase order's status changes: lock the row, check the table, save, write the event."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from oms.purchasing.errors import InvalidPurchaseTransition, PurchaseOrderNotFound
from oms.purchasing.models import PurchaseOrder, PurchaseOrderEvent
from oms.purchasing.states import PurchaseOrderStatus, can_transition


def lock_purchase_order(po_id: int) -> PurchaseOrder:
    """Lock the PO row (call inside a transaction) and return it fresh. Raises PurchaseOrderNotFound.

    Every change of a PO, its lines or the stock it receives takes this lock first, so two staff acting on one PO
    queue; stock rows are locked after it (in id order), as every other stock change locks them.
    """
    # No select_related: FOR UPDATE would lock the joined supplier and warehouse rows too.
    found = PurchaseOrder.objects.select_for_update().filter(pk=po_id).first()
    if found is None:
        raise PurchaseOrderNotFound(f"No purchase order {po_id}.")
    return found


def check_po_transition(po: PurchaseOrder, to: PurchaseOrderStatus, message: str | None = None) -> None:
    if not can_transition(po.status, to):
        raise InvalidPurchaseTransition(po_no=po.po_no, current=po.status, target=to, message=message)


def apply_po_transition(
    *,
    po: PurchaseOrder,
    to: PurchaseOrderStatus,
    actor: AbstractBaseUser | None,
    note: str,
    fields: tuple[str, ...] = (),
) -> PurchaseOrder:
    """Move a locked PO to ``to`` (saving ``fields`` the caller set too) and write its event.

    The caller holds the PO row lock (``lock_purchase_order``) inside a transaction. Raises
    InvalidPurchaseTransition.
    """
    check_po_transition(po, to)
    current = po.status
    po.status = to
    po.save(update_fields=["status", "updated_at", *fields])
    record_po_event(po=po, from_status=current, actor=actor, note=note)
    return po


def record_po_event(
    *, po: PurchaseOrder, from_status: str, actor: AbstractBaseUser | None, note: str, at: datetime | None = None
) -> None:
    PurchaseOrderEvent.objects.create(
        purchase_order=po,
        from_status=from_status,
        to_status=po.status,
        actor=actor,
        note=note[:255],
        created_at=at or timezone.now(),
    )
