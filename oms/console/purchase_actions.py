"""The purchase order actions of the console: which form each takes and which service it calls.

Which actions a PO offers follows its state machine (oms.purchasing.states); the services check again and refuse
with an OmsError when the PO moved meanwhile, so a stale button can never do harm. Every one needs the right to
manage purchase orders.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms as django_forms
from django.contrib.auth.models import User

from oms.purchasing import services
from oms.purchasing.models import PurchaseOrder
from oms.purchasing.states import RECEIVABLE, PurchaseOrderStatus, can_transition

from . import forms

P = PurchaseOrderStatus
MANAGE_POS = "purchasing.manage_purchase_orders"
VIEW_POS = "purchasing.view_purchaseorder"


@dataclass(frozen=True)
class PurchaseOrderAction:
    name: str
    label: str
    form: Callable[..., django_forms.Form]  # a form class taking po=
    run: Callable[[User, PurchaseOrder, Any], Any]  # user, purchase order, its form (valid)
    done: str  # message after success
    danger: bool = False


PO_ACTIONS: dict[str, PurchaseOrderAction] = {
    action.name: action
    for action in [
        PurchaseOrderAction(
            "submit",
            "Send to the supplier",
            forms.SubmitPurchaseOrderForm,
            lambda user, po, form: services.submit_purchase_order(
                po=po, actor=user, expected_at=form.cleaned_data["expected_at"], note=form.cleaned_data["note"]
            ),
            "Purchase order sent: it now counts as ordered.",
        ),
        PurchaseOrderAction(
            "receive",
            "Receive goods",
            forms.ReceivePurchaseOrderForm,
            lambda user, po, form: services.receive_purchase_order(
                po=po, quantities=form.quantities(), actor=user, note=form.cleaned_data["note"]
            ),
            "Goods received: the units are on hand.",
        ),
        PurchaseOrderAction(
            "cancel",
            "Cancel purchase order",
            forms.CancelPurchaseOrderForm,
            lambda user, po, form: services.cancel_purchase_order(
                po=po, actor=user, reason=form.cleaned_data["reason"]
            ),
            "Purchase order cancelled.",
            danger=True,
        ),
        PurchaseOrderAction(
            "close",
            "Close short",
            forms.ClosePurchaseOrderForm,
            lambda user, po, form: services.close_purchase_order(po=po, actor=user, reason=form.cleaned_data["reason"]),
            "Purchase order closed short: its missing units no longer count as on order.",
            danger=True,
        ),
    ]
}


def available_po_actions(po: PurchaseOrder, *, user: User) -> list[str]:
    """The actions the PO page offers ``user`` for ``po`` in its current state."""
    if not user.has_perm(MANAGE_POS):
        return []
    names: list[str] = []
    if can_transition(po.status, P.ORDERED):
        names.append("submit")
    if po.status in RECEIVABLE:
        names.append("receive")
    if can_transition(po.status, P.CANCELLED):
        names.append("cancel")
    if can_transition(po.status, P.CLOSED):
        names.append("close")
    return names
