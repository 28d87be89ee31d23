"""The return actions of the console: which form each takes and which service it calls.

Which actions a return offers follows its state machine (oms.aftersales.states); the services check again and
refuse with an OmsError when the return moved meanwhile. Every one needs the right to manage returns.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms as django_forms
from django.contrib.auth.models import User

from oms.aftersales import services
from oms.aftersales.models import ReturnRequest
from oms.aftersales.states import ReturnStatus, can_transition
from oms.common.money import format_money

from . import forms

R = ReturnStatus
MANAGE_RETURNS = "aftersales.manage_returns"


@dataclass(frozen=True)
class ReturnAction:
    name: str
    label: str
    form: type[django_forms.Form]
    run: Callable[[User, ReturnRequest, dict[str, Any]], Any]
    done: str  # message after success
    danger: bool = False
    # What else to tell staff about the result: (is it good news, message), or None.
    outcome: Callable[[Any], tuple[bool, str] | None] | None = None


def _refund_outcome(result: services.Received) -> tuple[bool, str]:
    if result.refund_error is not None:
        return False, f"The refund failed: {result.refund_error.message} Retry it when the cause is fixed."
    refund = result.return_request.refund
    assert refund is not None  # received without a refund error: refunded
    return True, f"Refunded {format_money(refund.amount)} ({refund.out_request_no})."


RETURN_ACTIONS: dict[str, ReturnAction] = {
    action.name: action
    for action in [
        ReturnAction(
            "approve",
            "Approve return",
            forms.ApproveReturnForm,
            lambda user, ret, data: services.approve_return(return_request=ret, actor=user, note=data["note"]),
            "Return approved: the customer may send the parcel.",
        ),
        ReturnAction(
            "reject",
            "Reject return",
            forms.RejectReturnForm,
            lambda user, ret, data: services.reject_return(return_request=ret, actor=user, reason=data["reason"]),
            "Return rejected.",
            danger=True,
        ),
        ReturnAction(
            "receive",
            "Receive and refund",
            forms.ReceiveReturnForm,
            lambda user, ret, data: services.receive_return(return_request=ret, actor=user, restock=data["restock"]),
            "Parcel received.",
            danger=True,
            outcome=_refund_outcome,
        ),
        ReturnAction(
            "refund",
            "Retry the refund",
            forms.ReturnNoInputForm,
            lambda user, ret, data: services.refund_return(return_request=ret, actor=user),
            "Return refunded.",
            danger=True,
        ),
    ]
}


def available_return_actions(ret: ReturnRequest, *, user: User) -> list[str]:
    """The actions the order page offers ``user`` for return ``ret`` in its current state."""
    if not user.has_perm(MANAGE_RETURNS):
        return []
    status = R(ret.status)
    names: list[str] = []
    if can_transition(status, R.APPROVED):
        names.append("approve")
    if can_transition(status, R.REJECTED):
        names.append("reject")
    if can_transition(status, R.RECEIVED):
        names.append("receive")
    if status == R.RECEIVED:  # received but not refunded: the refund failed (or is under way)
        names.append("refund")
    return names
