"""The one application error type; every domain error is a subclass with a stable code."""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    VALIDATION_ERROR = "validation_error"
    PARSE_ERROR = "parse_error"
    NOT_FOUND = "not_found"
    NOT_AUTHENTICATED = "not_authenticated"
    AUTHENTICATION_FAILED = "authentication_failed"
    PERMISSION_DENIED = "permission_denied"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    NOT_ACCEPTABLE = "not_acceptable"
    THROTTLED = "throttled"
    TOO_MANY_ATTEMPTS = "too_many_attempts"
    INSUFFICIENT_STOCK = "insufficient_stock"
    INVALID_TRANSITION = "invalid_transition"
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"
    ORDER_EXPIRED = "order_expired"
    STOCK_BELOW_RESERVED = "stock_below_reserved"
    CONFLICT = "conflict"
    INVALID_CREDENTIALS = "invalid_credentials"
    INSUFFICIENT_BALANCE = "insufficient_balance"
    PAYMENT_PASSWORD_INVALID = "payment_password_invalid"
    PAYMENT_PASSWORD_LOCKED = "payment_password_locked"
    PAYMENT_METHOD_UNAVAILABLE = "payment_method_unavailable"
    GATEWAY_ERROR = "gateway_error"
    REFUND_EXCEEDS_PAID = "refund_exceeds_paid"
    OVER_RECEIPT = "over_receipt"
    RETURN_WINDOW_CLOSED = "return_window_closed"
    RETURN_QUANTITY_EXCEEDED = "return_quantity_exceeded"
    RETURN_NOT_DELIVERED = "return_not_delivered"
    ORDER_NOT_RETURNABLE = "order_not_returnable"
    INVALID_RETURN_TRANSITION = "invalid_return_transition"
    RETURN_REFUND_IN_PROGRESS = "return_refund_in_progress"
    SERVER_ERROR = "server_error"
    SERVICE_UNAVAILABLE = "service_unavailable"


class OmsError(Exception):
    """Base of every business error. ``status`` is the HTTP status the API answers with."""

    code: ErrorCode = ErrorCode.VALIDATION_ERROR
    status: int = 400
    retry_after: int | None = None  # seconds, sent as the Retry-After header when set

    def __init__(self, message: str, *, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class ValidationFailed(OmsError):
    code = ErrorCode.VALIDATION_ERROR
    status = 400


class NotFound(OmsError):
    code = ErrorCode.NOT_FOUND
    status = 404


class Conflict(OmsError):
    code = ErrorCode.CONFLICT
    status = 409
