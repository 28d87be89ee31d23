from __future__ import annotations

from oms.common.errors import Conflict, ErrorCode, NotFound, OmsError


class InvalidTransition(Conflict):
    code = ErrorCode.INVALID_TRANSITION

    def __init__(self, *, current: str, target: str, message: str | None = None) -> None:
        super().__init__(
            message or f"An order in state '{current}' cannot become '{target}'.",
            details={"current_status": current, "requested_status": target},
        )


class IdempotencyKeyReused(OmsError):
    code = ErrorCode.IDEMPOTENCY_KEY_REUSED
    status = 422


class OrderExpired(Conflict):
    code = ErrorCode.ORDER_EXPIRED


class OrderNotFound(NotFound):
    pass
