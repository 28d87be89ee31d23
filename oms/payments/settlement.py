"""Settlement: money the gateway reports as received is recorded once and pays its order, or is refunded.

Callers (a notification, a gateway query, the reconciliation) hold the payment row lock (oms.payments.locks). A
refund of money the order can no longer take is written here and sent by a task queued on commit
(oms.payments.refund_recovery); this module never calls the gateway.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from oms.common.statemachine import apply_transition
from oms.orders.errors import InvalidTransition, OrderExpired
from oms.orders.services import mark_order_paid
from oms.orders.states import HOLDS_RESERVATION, state_in_message
from oms.payments.models import Payment, PaymentIssue, payment_state_in_message
from oms.payments.refund_recovery import open_automatic_refund, queue_refund_attempt
from oms.payments.transitions import PAYMENT

# Payments whose money we do not hold in our books: still open, or written off (closed, failed). Money the gateway
# reports for one of them is recorded; a written-off one never pays its order but is refunded and flagged.
UNSETTLED = (Payment.Status.CREATED, Payment.Status.CLOSED, Payment.Status.FAILED)
WRITTEN_OFF = (Payment.Status.CLOSED, Payment.Status.FAILED)


def settle_paid(*, payment: Payment, trade_no: str, paid_at: datetime) -> str:
    """Record the gateway's money as received and pay the order. Money the order can no longer take (cancelled,
    expired), or money for a payment we had written off (closed or failed: the order was told it is unpaid), is
    refunded automatically and flagged for staff. Caller holds the payment row lock in a transaction.
    """
    written_off = payment.status in WRITTEN_OFF
    was = payment.status
    payment.gateway_trade_no = trade_no
    payment.succeeded_at = paid_at
    apply_transition(
        PAYMENT,
        payment,
        to=Payment.Status.SUCCEEDED,
        actor=None,
        reason=_("Paid at the gateway: %(trade_no)s") % {"trade_no": trade_no},
        fields=("gateway_trade_no", "succeeded_at"),
    )
    order = payment.order
    try:
        if written_off:
            raise InvalidTransition(
                current=order.status,
                target="paid",
                message=_("Its payment %(payment)s was recorded as %(status)s before the money arrived.")
                % {"payment": payment.out_trade_no, "status": payment_state_in_message(was)},
            )
        if order.status not in HOLDS_RESERVATION:
            raise InvalidTransition(current=order.status, target="paid")
        with transaction.atomic():
            mark_order_paid(
                order=order,
                actor=None,
                reason=_("Paid with %(method)s") % {"method": payment.get_method_display()},
                paid_at=paid_at,
                method=payment.method,
            )
        return "paid"
    except (InvalidTransition, OrderExpired) as exc:
        PaymentIssue.objects.create(
            order=order,
            payment=payment,
            kind="paid_after_close" if written_off else "paid_after_cancel",
            detail=_("Money arrived for order %(order_no)s in state %(status)s: %(why)s It is refunded automatically.")
            % {"order_no": order.order_no, "status": state_in_message(order.status), "why": exc.message},
        )
        # Written now, queued after commit: if the task never runs, the recovery job finds the pending refund.
        refund = open_automatic_refund(payment=payment)
        queue_refund_attempt(refund_id=refund.pk)
        return "refund_scheduled"
