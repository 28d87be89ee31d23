"""After-sales errors; the API renders them like every OmsError: ``{"code", "message", "details"}``."""

from __future__ import annotations

from oms.common.errors import Conflict, ErrorCode, NotFound, OmsError


class ReturnWindowClosed(Conflict):
    code = ErrorCode.RETURN_WINDOW_CLOSED


class ReturnQuantityExceeded(Conflict):
    """More units than were bought, less those already returned or in an open request."""

    code = ErrorCode.RETURN_QUANTITY_EXCEEDED


class ReturnNotDelivered(Conflict):
    """The units were bought but not (yet) delivered: nothing to send back."""

    code = ErrorCode.RETURN_NOT_DELIVERED


class OrderNotReturnable(Conflict):
    code = ErrorCode.ORDER_NOT_RETURNABLE


class InvalidReturnTransition(Conflict):
    code = ErrorCode.INVALID_RETURN_TRANSITION

    def __init__(self, *, current: str, target: str, message: str | None = None) -> None:
        super().__init__(
            message or f"A return in state '{current}' cannot become '{target}'.",
            details={"current_status": current, "requested_status": target},
        )


class ReturnRefundInProgress(Conflict):
    code = ErrorCode.RETURN_REFUND_IN_PROGRESS


class ReturnNotFound(NotFound):
    pass


class NotReturnCustomer(OmsError):
    code = ErrorCode.PERMISSION_DENIED
    status = 403
