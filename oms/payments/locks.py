"""Row locks of every payment change, always taken in one order: the order row, the payment row, the refund row.

The bottom of the payments package: every module that changes a payment or a refund locks through these two
functions, and they import nothing of payments but its models.
"""

from __future__ import annotations

from oms.orders.models import Order
from oms.payments.models import Payment, Refund


def lock_payment(payment_id: int) -> Payment:
    """Lock a payment's order row, then the payment row: the one lock order of every payment change."""
    order_id = Payment.objects.filter(pk=payment_id).values_list("order_id", flat=True).get()
    Order.objects.select_for_update().filter(pk=order_id).values_list("pk", flat=True).get()
    return Payment.objects.select_for_update().select_related("order").get(pk=payment_id)


def lock_refund(refund_id: int) -> Refund:
    """Lock the refund's order row, payment row and refund row, in that order; the caller is in a transaction."""
    payment_id = Refund.objects.filter(pk=refund_id).values_list("payment_id", flat=True).get()
    payment = lock_payment(payment_id)
    refund = Refund.objects.select_for_update().get(pk=refund_id)
    refund.payment, refund.order = payment, payment.order
    return refund
