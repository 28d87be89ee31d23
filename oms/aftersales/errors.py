"""After-sales errors; the API renders them like every OmsError: ``{"code", "message", "details"}``."""

from __future__ import annotations

from django.utils.translation import gettext as _

from oms.aftersales.states import state_in_message
from oms.common.errors import Conflict, ErrorCode, NotFound, OmsError
from oms.common.statemachine import InvalidTransition


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


class InvalidReturnTransition(InvalidTransition):
    """A move the return table forbids; returns keep their own public code."""

    code = ErrorCode.INVALID_RETURN_TRANSITION
    subject = "A return"

    def __init__(self, *, current: str, target: str, message: str | None = None) -> None:
        # The message in the active language, naming the states as codes in English and as labels in Chinese.
        default = _("A return in state '%(current)s' cannot become '%(target)s'.") % {
            "current": state_in_message(current),
            "target": state_in_message(target),
        }
        super().__init__(current=current, target=target, message=message or default)


class ReturnRefundInProgress(Conflict):
    code = ErrorCode.RETURN_REFUND_IN_PROGRESS


class ReturnNotFound(NotFound):
    pass


class NotReturnCustomer(OmsError):
    code = ErrorCode.PERMISSION_DENIED
    status = 403
