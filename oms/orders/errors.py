from __future__ import annotations

from django.utils.translation import gettext as _

from oms.common import statemachine
from oms.common.errors import Conflict, ErrorCode, NotFound, OmsError
from oms.orders.states import state_in_message


class InvalidTransition(statemachine.InvalidTransition):
    subject = "An order"

    def __init__(self, *, current: str, target: str, message: str | None = None) -> None:
        # The message in the active language, naming the states as codes in English and as labels in Chinese.
        default = _("An order in state '%(current)s' cannot become '%(target)s'.") % {
            "current": state_in_message(current),
            "target": state_in_message(target),
        }
        super().__init__(current=current, target=target, message=message or default)


class IdempotencyKeyReused(OmsError):
    code = ErrorCode.IDEMPOTENCY_KEY_REUSED
    status = 422


class OrderExpired(Conflict):
    code = ErrorCode.ORDER_EXPIRED


class OrderNotFound(NotFound):
    pass
