from __future__ import annotations

from oms.common import statemachine
from oms.common.errors import Conflict, ErrorCode, NotFound, OmsError


class InvalidTransition(statemachine.InvalidTransition):
    subject = "An order"


class IdempotencyKeyReused(OmsError):
    code = ErrorCode.IDEMPOTENCY_KEY_REUSED
    status = 422


class OrderExpired(Conflict):
    code = ErrorCode.ORDER_EXPIRED


class OrderNotFound(NotFound):
    pass
