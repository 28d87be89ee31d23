from __future__ import annotations

from oms.common.errors import Conflict, ErrorCode, OmsError


class InsufficientBalance(Conflict):
    code = ErrorCode.INSUFFICIENT_BALANCE


class PaymentPasswordInvalid(OmsError):
    code = ErrorCode.PAYMENT_PASSWORD_INVALID
    status = 403


class PaymentPasswordLocked(OmsError):
    code = ErrorCode.PAYMENT_PASSWORD_LOCKED
    status = 423


class PaymentMethodUnavailable(Conflict):
    code = ErrorCode.PAYMENT_METHOD_UNAVAILABLE


class GatewayError(OmsError):
    code = ErrorCode.GATEWAY_ERROR
    status = 502


class GatewayOutcomeUnknown(GatewayError):
    """No answer we can trust (unreachable, timed out, bad signature): the gateway may or may not have acted.

    A refund that meets this stays ``pending`` and is settled later by asking the gateway, never failed blind.
    """


class RefundExceedsPaid(Conflict):
    code = ErrorCode.REFUND_EXCEEDS_PAID
