"""Purchasing errors. The API renders them like every OmsError: ``{"code", "message", "details"}``."""

from __future__ import annotations

from django.utils.translation import gettext as _

from oms.common.errors import Conflict, ErrorCode, NotFound
from oms.common.statemachine import InvalidTransition
from oms.purchasing.states import state_in_message


class InvalidPurchaseTransition(InvalidTransition):
    def __init__(self, *, current: str, target: str, message: str | None = None, po_no: str = "") -> None:
        super().__init__(
            current=current,
            target=target,
            message=message or refusal_message(po_no, current, target),
        )


def refusal_message(po_no: str, current: str, target: str) -> str:
    """Why a PO cannot move from ``current`` to ``target``, in the active language."""
    return _("Purchase order %(po_no)s is %(current)s: it cannot become %(target)s.") % {
        "po_no": po_no,
        "current": state_in_message(current),
        "target": state_in_message(target),
    }


class OverReceipt(Conflict):
    """More units received on a line than it still expects; nothing of the receipt is booked."""

    code = ErrorCode.OVER_RECEIPT


class PurchaseOrderNotFound(NotFound):
    pass


class SupplierNotFound(NotFound):
    pass
