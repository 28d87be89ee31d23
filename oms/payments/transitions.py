"""The payment and refund state machines: the one place their statuses change (check the table, save, event row).

The tables are oms.payments.states; the kit is oms.common.statemachine. Callers hold the locks every payment
change takes, in this order: the order row, the payment row, then the refund row (oms.payments.locks).
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import User

from oms.common.statemachine import StateMachine
from oms.payments.models import Payment, PaymentEvent, Refund, RefundEvent
from oms.payments.states import PAYMENT_TRANSITIONS, REFUND_TRANSITIONS


def _write_payment_event(
    payment: Payment, *, from_status: str, actor: User | None, reason: str, at: datetime
) -> PaymentEvent:
    return PaymentEvent.objects.create(
        payment=payment,
        from_status=from_status,
        to_status=payment.status,
        actor=actor,
        reason=reason[:255],
        created_at=at,
    )


def _write_refund_event(
    refund: Refund, *, from_status: str, actor: User | None, reason: str, at: datetime
) -> RefundEvent:
    return RefundEvent.objects.create(
        refund=refund, from_status=from_status, to_status=refund.status, actor=actor, reason=reason[:255], created_at=at
    )


PAYMENT = StateMachine(
    model=Payment,
    table=PAYMENT_TRANSITIONS,
    write_event=_write_payment_event,
    describe=lambda payment, current, target: (
        f"Payment {payment.out_trade_no} is {current}: it cannot become {target}."
    ),
)
REFUND = StateMachine(
    model=Refund,
    table=REFUND_TRANSITIONS,
    write_event=_write_refund_event,
    describe=lambda refund, current, target: f"Refund {refund.out_request_no} is {current}: it cannot become {target}.",
)
