"""Purchasing errors. The API renders them like every OmsError: ``{"code", "message", "details"}``."""

from __future__ import annotations

from oms.common.errors import Conflict, ErrorCode, NotFound


class InvalidPurchaseTransition(Conflict):
    code = ErrorCode.INVALID_TRANSITION

    def __init__(self, *, po_no: str, current: str, target: str, message: str | None = None) -> None:
        super().__init__(
            message or f"Purchase order {po_no} is {current}: it cannot become {target}.",
            details={"current_status": current, "requested_status": target},
        )


class OverReceipt(Conflict):
    """More units received on a line than it still expects; nothing of the receipt is booked."""

    code = ErrorCode.OVER_RECEIPT


class PurchaseOrderNotFound(NotFound):
    pass


class SupplierNotFound(NotFound):
    pass
