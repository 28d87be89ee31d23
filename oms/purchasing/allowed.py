"""What a user may do now with a purchase order: send it to the supplier, receive goods, cancel it, close it short.

Each ``can_*`` combines the PO's state (the transition table of oms.purchasing.states, which the services check
through oms.purchasing.transitions) with the user's right (staff who manage purchase orders). ``why_not_receive``
is the PO's part of a receipt, as the error receive_purchase_order raises. See oms.orders.allowed for the pattern.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.utils.translation import gettext as _

from oms.purchasing.errors import InvalidPurchaseTransition
from oms.purchasing.models import PurchaseOrder
from oms.purchasing.states import RECEIVABLE, PurchaseOrderStatus, can_transition, state_in_message

P = PurchaseOrderStatus
MANAGE_POS = "purchasing.manage_purchase_orders"
VIEW_POS = "purchasing.view_purchaseorder"


def manages_purchase_orders(user: User) -> bool:
    return user.is_staff and user.has_perm(MANAGE_POS)


def why_not_receive(po: PurchaseOrder) -> InvalidPurchaseTransition | None:
    """A PO takes deliveries once sent to the supplier and until every unit came (or it was cancelled or closed)."""
    if po.status in RECEIVABLE:
        return None
    if po.status == P.DRAFT:
        message = _("Purchase order %(po_no)s is a draft: submit it to the supplier before receiving goods.")
    elif po.status == P.RECEIVED:
        message = _("Purchase order %(po_no)s is fully received: nothing more to receive.")
    elif po.status == P.CLOSED:
        message = _("Purchase order %(po_no)s was closed short: it takes no more deliveries.")
    else:
        message = _("Purchase order %(po_no)s is %(status)s: it takes no deliveries.")
    message %= {"po_no": po.po_no, "status": state_in_message(po.status)}
    return InvalidPurchaseTransition(po_no=po.po_no, current=po.status, target=P.RECEIVED, message=message)


def can_submit(*, po: PurchaseOrder, user: User) -> bool:
    return manages_purchase_orders(user) and can_transition(po.status, P.ORDERED)


def can_receive(*, po: PurchaseOrder, user: User) -> bool:
    return manages_purchase_orders(user) and why_not_receive(po) is None


def can_cancel(*, po: PurchaseOrder, user: User) -> bool:
    return manages_purchase_orders(user) and can_transition(po.status, P.CANCELLED)


def can_close(*, po: PurchaseOrder, user: User) -> bool:
    return manages_purchase_orders(user) and can_transition(po.status, P.CLOSED)
