"""After-sales errors. Their codes are their own enum (the shared ErrorCode is oms.common's); the API renders
them like every OmsError: ``{"code", "message", "details"}`` with the status below."""

from __future__ import annotations

from enum import StrEnum

from oms.common.errors import Conflict, ErrorCode, NotFound, OmsError


class ReturnErrorCode(StrEnum):
    RETURN_WINDOW_CLOSED = "return_window_closed"
    RETURN_QUANTITY_EXCEEDED = "return_quantity_exceeded"
    RETURN_NOT_DELIVERED = "return_not_delivered"
    ORDER_NOT_RETURNABLE = "order_not_returnable"
    INVALID_RETURN_TRANSITION = "invalid_return_transition"
    RETURN_REFUND_IN_PROGRESS = "return_refund_in_progress"


class ReturnWindowClosed(Conflict):
    code = ReturnErrorCode.RETURN_WINDOW_CLOSED


class ReturnQuantityExceeded(Conflict):
    """More units than were bought, less those already returned or in an open request."""

    code = ReturnErrorCode.RETURN_QUANTITY_EXCEEDED


class ReturnNotDelivered(Conflict):
    """The units were bought but not (yet) delivered: nothing to send back."""

    code = ReturnErrorCode.RETURN_NOT_DELIVERED


class OrderNotReturnable(Conflict):
    code = ReturnErrorCode.ORDER_NOT_RETURNABLE


class InvalidReturnTransition(Conflict):
    code = ReturnErrorCode.INVALID_RETURN_TRANSITION

    def __init__(self, *, current: str, target: str, message: str | None = None) -> None:
        super().__init__(
            message or f"A return in state '{current}' cannot become '{target}'.",
            details={"current_status": current, "requested_status": target},
        )


class ReturnRefundInProgress(Conflict):
    code = ReturnErrorCode.RETURN_REFUND_IN_PROGRESS


class ReturnNotFound(NotFound):
    pass


class NotReturnCustomer(OmsError):
    code = ErrorCode.PERMISSION_DENIED
    status = 403
