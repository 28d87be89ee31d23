"""The return actions of the console: which form each takes and which service it calls.

Whether the page offers an action is the domain's answer (``allowed``: the ``can_*`` of oms.aftersales.allowed,
from the return's state machine and the right to manage returns); the services check the same table again and
refuse with an OmsError when the return moved meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django import forms as django_forms
from django.contrib.auth.models import User
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from oms.aftersales import allowed, services
from oms.aftersales.models import ReturnRequest
from oms.common.money import format_money

from . import forms

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

MANAGE_RETURNS = allowed.MANAGE_RETURNS


@dataclass(frozen=True)
class ReturnAction:
    name: str
    label: StrOrPromise
    form: type[django_forms.Form]
    run: Callable[[User, ReturnRequest, dict[str, Any]], Any]
    done: StrOrPromise  # message after success
    # The domain's answer to "may this user do it to this return now" (keyword arguments ret, user).
    allowed: Callable[..., bool]
    danger: bool = False
    # What else to tell staff about the result: (is it good news, message), or None.
    outcome: Callable[[Any], tuple[bool, str] | None] | None = None


def _refund_outcome(result: services.Received) -> tuple[bool, str]:
    if result.refund_error is not None:
        return False, gettext("The refund failed: %(error)s Retry it when the cause is fixed.") % {
            "error": result.refund_error.message
        }
    refund = result.return_request.refund
    assert refund is not None  # received without a refund error: refunded
    return True, gettext("Refunded %(amount)s (%(refund_no)s).") % {
        "amount": format_money(refund.amount),
        "refund_no": refund.out_request_no,
    }


RETURN_ACTIONS: dict[str, ReturnAction] = {
    action.name: action
    for action in [
        ReturnAction(
            "approve",
            _("Approve return"),
            forms.ApproveReturnForm,
            lambda user, ret, data: services.approve_return(return_request=ret, actor=user, note=data["note"]),
            _("Return approved: the customer may send the parcel."),
            allowed=allowed.can_approve_return,
        ),
        ReturnAction(
            "reject",
            _("Reject return"),
            forms.RejectReturnForm,
            lambda user, ret, data: services.reject_return(return_request=ret, actor=user, reason=data["reason"]),
            _("Return rejected."),
            allowed=allowed.can_reject_return,
            danger=True,
        ),
        ReturnAction(
            "receive",
            _("Receive and refund"),
            forms.ReceiveReturnForm,
            lambda user, ret, data: services.receive_return(return_request=ret, actor=user, restock=data["restock"]),
            _("Parcel received."),
            allowed=allowed.can_receive_return,
            danger=True,
            outcome=_refund_outcome,
        ),
        ReturnAction(
            "refund",
            _("Retry the refund"),
            forms.ReturnNoInputForm,
            lambda user, ret, data: services.refund_return(return_request=ret, actor=user),
            _("Return refunded."),
            allowed=allowed.can_refund_return,
            danger=True,
        ),
    ]
}


def available_return_actions(ret: ReturnRequest, *, user: User) -> list[str]:
    """The actions the order page offers ``user`` for return ``ret`` now: those the domain allows."""
    return [name for name, action in RETURN_ACTIONS.items() if action.allowed(ret=ret, user=user)]
