"""Purchasing errors. The API renders them like every OmsError: ``{"code", "message", "details"}``."""

from __future__ import annotations

from oms.common.errors import Conflict, ErrorCode, NotFound
from oms.common.statemachine import InvalidTransition


class InvalidPurchaseTransition(InvalidTransition):
    def __init__(self, *, current: str, target: str, message: str | None = None, po_no: str = "") -> None:
        super().__init__(
            current=current,
            target=target,
            message=message or f"Purchase order {po_no} is {current}: it cannot become {target}.",
        )


class OverReceipt(Conflict):
    """More units received on a line than it still expects; nothing of the receipt is booked."""

    code = ErrorCode.OVER_RECEIPT


class PurchaseOrderNotFound(NotFound):
    pass


class SupplierNotFound(NotFound):
    pass
