"""After-sales error codes are members of the one shared ErrorCode enum, with their public strings unchanged."""

from __future__ import annotations

import pytest

from oms.aftersales import errors
from oms.common.errors import ErrorCode, OmsError


@pytest.mark.parametrize(
    ("error", "code", "status"),
    [
        (errors.ReturnWindowClosed, "return_window_closed", 409),
        (errors.ReturnQuantityExceeded, "return_quantity_exceeded", 409),
        (errors.ReturnNotDelivered, "return_not_delivered", 409),
        (errors.OrderNotReturnable, "order_not_returnable", 409),
        (errors.InvalidReturnTransition, "invalid_return_transition", 409),
        (errors.ReturnRefundInProgress, "return_refund_in_progress", 409),
        (errors.ReturnNotFound, "not_found", 404),
        (errors.NotReturnCustomer, "permission_denied", 403),
    ],
)
def test_codes_are_shared_and_keep_their_strings(error, code, status):
    assert isinstance(error.code, ErrorCode)
    assert (error.code.value, error.status) == (code, status)
    assert issubclass(error, OmsError)


def test_no_error_code_enum_of_its_own():
    from enum import Enum

    own = [value for value in vars(errors).values() if getattr(value, "__module__", "") == errors.__name__]
    assert own and not [value for value in own if isinstance(value, type) and issubclass(value, Enum)]
