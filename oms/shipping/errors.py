from __future__ import annotations

from oms.common.errors import Conflict, ErrorCode, NotFound, OmsError, ValidationFailed


class UnknownCarrier(NotFound):
    """No carrier of that code in OMS_CARRIERS (a webhook answers 404; shipping with it is refused)."""


class UnknownShipment(NotFound):
    pass


class WebhookRejected(OmsError):
    """A carrier webhook whose signature is missing, forged or outside the replay window: nothing is read."""

    code = ErrorCode.AUTHENTICATION_FAILED
    status = 401


class InvalidCarrierEvent(ValidationFailed):
    """A correctly signed webhook whose body is not a tracking event we understand."""


class MalformedCarrierEvent(InvalidCarrierEvent):
    """A correctly signed webhook whose body is not acceptable JSON at all (oms.common.json_input)."""

    code = ErrorCode.PARSE_ERROR


class ShipmentNotPending(Conflict):
    code = ErrorCode.INVALID_TRANSITION


class TrackingNoTaken(Conflict):
    pass


class NotOrderCustomer(OmsError):
    code = ErrorCode.PERMISSION_DENIED
    status = 403


class ReallocationRefused(Conflict):
    """An order's units can no longer move between warehouses: a parcel has left, or the order is not open."""

    code = ErrorCode.INVALID_TRANSITION
