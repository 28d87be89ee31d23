"""The purchase order actions of the console: which form each takes and which service it calls.

Whether the page offers an action is the domain's answer (``allowed``: the ``can_*`` of oms.purchasing.allowed, from
the PO's state machine and the right to manage purchase orders); the services check the same table again and
refuse with an OmsError when the PO moved meanwhile, so a stale button can never do harm.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django import forms as django_forms
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _

from oms.purchasing import allowed, services
from oms.purchasing.models import PurchaseOrder

from . import forms

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

MANAGE_POS = allowed.MANAGE_POS
VIEW_POS = allowed.VIEW_POS


@dataclass(frozen=True)
class PurchaseOrderAction:
    name: str
    label: StrOrPromise
    form: Callable[..., django_forms.Form]  # a form class taking po=
    run: Callable[[User, PurchaseOrder, Any], Any]  # user, purchase order, its form (valid)
    done: StrOrPromise  # message after success
    # The domain's answer to "may this user do it to this PO now" (keyword arguments po, user).
    allowed: Callable[..., bool]
    danger: bool = False


PO_ACTIONS: dict[str, PurchaseOrderAction] = {
    action.name: action
    for action in [
        PurchaseOrderAction(
            "submit",
            _("Send to the supplier"),
            forms.SubmitPurchaseOrderForm,
            lambda user, po, form: services.submit_purchase_order(
                po=po, actor=user, expected_at=form.cleaned_data["expected_at"], note=form.cleaned_data["note"]
            ),
            _("Purchase order sent: it now counts as ordered."),
            allowed=allowed.can_submit,
        ),
        PurchaseOrderAction(
            "receive",
            _("Receive goods"),
            forms.ReceivePurchaseOrderForm,
            lambda user, po, form: services.receive_purchase_order(
                po=po, quantities=form.quantities(), actor=user, note=form.cleaned_data["note"]
            ),
            _("Goods received: the units are on hand."),
            allowed=allowed.can_receive,
        ),
        PurchaseOrderAction(
            "cancel",
            _("Cancel purchase order"),
            forms.CancelPurchaseOrderForm,
            lambda user, po, form: services.cancel_purchase_order(
                po=po, actor=user, reason=form.cleaned_data["reason"]
            ),
            _("Purchase order cancelled."),
            allowed=allowed.can_cancel,
            danger=True,
        ),
        PurchaseOrderAction(
            "close",
            _("Close short"),
            forms.ClosePurchaseOrderForm,
            lambda user, po, form: services.close_purchase_order(po=po, actor=user, reason=form.cleaned_data["reason"]),
            _("Purchase order closed short: its missing units no longer count as on order."),
            allowed=allowed.can_close,
            danger=True,
        ),
    ]
}


def available_po_actions(po: PurchaseOrder, *, user: User) -> list[str]:
    """The actions the PO page offers ``user`` for ``po`` now: those the domain allows."""
    return [name for name, action in PO_ACTIONS.items() if action.allowed(po=po, user=user)]
