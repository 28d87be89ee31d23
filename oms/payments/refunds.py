"""Refunds through the original method, never more than was paid, with the order passing through ``refunding``.

Money moves outside any lock: the order is moved to ``refunding`` and the refund row written (transaction 1),
the gateway is called, and the outcome is recorded (transaction 2). ``out_request_no`` makes the gateway call
idempotent, so retrying a refund whose answer was lost can never pay out twice.
"""

from __future__ import annotations

import logging
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from oms.common.errors import ValidationFailed
from oms.inventory.services import return_order_stock
from oms.orders.models import Order
from oms.orders.pricing import money
from oms.orders.states import OrderStatus
from oms.orders.transitions import note_order, transition_order
from oms.payments import balance
from oms.payments.errors import GatewayError, RefundExceedsPaid
from oms.payments.gateways import get_gateway
from oms.payments.models import BalanceEntry, Payment, PaymentIssue, Refund
from oms.payments.notifications import lock_payment

logger = logging.getLogger(__name__)
REFUNDABLE = (Payment.Status.SUCCEEDED, Payment.Status.PARTIALLY_REFUNDED)


def refund_order(
    *,
    order: Order,
    reason: str,
    actor: AbstractBaseUser | None,
    amount: Decimal | None = None,
    items: list[dict] | None = None,
    restock: bool = False,
) -> Refund:
    """Refund ``amount`` (or the value of ``items`` [{sku, quantity}], or everything left) of a paid order.

    Raises RefundExceedsPaid, InvalidTransition (order not in a refundable state), ValidationFailed, GatewayError.
    """
    refund, previous = _open_refund(
        order=order, reason=reason, actor=actor, amount=amount, items=items, restock=restock
    )
    payment = refund.payment
    try:
        if payment.method == Payment.Method.BALANCE:
            balance.post_balance_entry(
                customer=order.customer,
                kind=BalanceEntry.Kind.REFUND,
                amount=refund.amount,
                actor=actor,
                reason=f"Refund {refund.out_request_no} for order {order.order_no}",
                order=order,
            )
        elif payment.method == Payment.Method.OFFLINE:
            pass  # staff pay it back the way it came; the refund row and events record that they did
        else:
            get_gateway(payment.method).refund(
                payment=payment, amount=refund.amount, out_request_no=refund.out_request_no, reason=reason
            )
    except GatewayError as exc:
        _fail_refund(refund=refund, previous=previous, actor=actor, why=exc.message)
        raise
    return _complete_refund(refund=refund, previous=previous, actor=actor)


def _open_refund(*, order, reason, actor, amount, items, restock) -> tuple[Refund, OrderStatus]:
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        payment = Payment.objects.select_for_update().filter(order=order, status__in=REFUNDABLE).first()
        if payment is None:
            raise RefundExceedsPaid(f"Order {order.order_no} has no payment to refund.", details={"paid": "0.00"})
        quantities = _item_quantities(order, items or [])
        if amount is None:
            amount = _items_value(order, quantities) if items else payment.amount - payment.refunded_amount
        pending = Refund.objects.filter(payment=payment, status=Refund.Status.PENDING).aggregate(s=Sum("amount"))["s"]
        refundable = payment.amount - payment.refunded_amount - (pending or 0)
        if amount <= 0 or amount > refundable:
            raise RefundExceedsPaid(
                f"At most {refundable} of order {order.order_no} can still be refunded.",
                details={
                    "requested": str(amount),
                    "refundable": str(refundable),
                    "paid": str(payment.amount),
                },
            )
        previous = OrderStatus(order.status)
        transition_order(
            order_id=order.pk, to=OrderStatus.REFUNDING, actor=actor, reason=f"Refund of {amount}: {reason}"
        )
        count = Refund.objects.filter(order=order).count()
        refund = Refund.objects.create(
            order=order,
            payment=payment,
            amount=amount,
            reason=reason[:255],
            out_request_no=f"{order.order_no}R{count + 1:02d}",
            restock=restock,
            items=[{"sku_id": k, "quantity": v} for k, v in quantities.items()],
            actor=actor,
        )
    return refund, previous


def _complete_refund(*, refund: Refund, previous: OrderStatus, actor) -> Refund:
    with transaction.atomic():
        payment = lock_payment(refund.payment_id)
        payment.refunded_amount += refund.amount
        fully = payment.refunded_amount == payment.amount
        payment.status = Payment.Status.REFUNDED if fully else Payment.Status.PARTIALLY_REFUNDED
        payment.save(update_fields=["refunded_amount", "status", "updated_at"])
        refund.status = Refund.Status.SUCCEEDED
        refund.completed_at = timezone.now()
        refund.save(update_fields=["status", "completed_at"])
        if refund.restock and refund.items:
            quantities = {line["sku_id"]: line["quantity"] for line in refund.items}
            return_order_stock(order=refund.order, quantities=quantities, actor=actor, note=refund.out_request_no)
        target = OrderStatus.REFUNDED if fully else previous
        transition_order(
            order_id=refund.order_id, to=target, actor=actor, reason=f"Refund {refund.out_request_no} done"
        )
    return refund


def _fail_refund(*, refund: Refund, previous: OrderStatus, actor, why: str) -> None:
    with transaction.atomic():
        refund.status = Refund.Status.FAILED
        refund.failure_reason = why[:255]
        refund.save(update_fields=["status", "failure_reason"])
        PaymentIssue.objects.create(order=refund.order, payment=refund.payment, kind="refund_failed", detail=why)
        transition_order(order_id=refund.order_id, to=previous, actor=actor, reason=f"Refund failed: {why}")


def _item_quantities(order: Order, items: list[dict]) -> dict[int, int]:
    lines = {item.sku_code: item for item in order.items.all()}
    quantities: dict[int, int] = {}
    for wanted in items:
        line = lines.get(wanted["sku"])
        if line is None or wanted["quantity"] > line.quantity:
            raise ValidationFailed(
                f"Order {order.order_no} has no {wanted['quantity']} × {wanted['sku']} to refund.",
                details=wanted,
            )
        quantities[line.sku_id] = wanted["quantity"]
    return quantities


def _items_value(order: Order, quantities: dict[int, int]) -> Decimal:
    prices = {item.sku_id: item.unit_price for item in order.items.all()}
    return money(sum((prices[sku_id] * q for sku_id, q in quantities.items()), Decimal("0")))


def refund_unwanted_payment(*, payment_id: int) -> None:
    """Give back money that arrived for an order that can no longer take it (cancelled, expired)."""
    payment = Payment.objects.select_related("order").get(pk=payment_id)
    out_request_no = f"{payment.order.order_no}RA"
    try:
        get_gateway(payment.method).refund(
            payment=payment,
            amount=payment.amount,
            out_request_no=out_request_no,
            reason="Order no longer payable",
        )
    except GatewayError as exc:
        logger.error("automatic refund of payment %s failed: %s", payment_id, exc.message)
        PaymentIssue.objects.create(order=payment.order, payment=payment, kind="refund_failed", detail=exc.message)
        return
    with transaction.atomic():
        Refund.objects.get_or_create(
            out_request_no=out_request_no,
            defaults={
                "order": payment.order,
                "payment": payment,
                "amount": payment.amount,
                "reason": "Automatic refund: order no longer payable",
                "status": Refund.Status.SUCCEEDED,
                "completed_at": timezone.now(),
            },
        )
        Payment.objects.filter(pk=payment.pk).update(status=Payment.Status.REFUNDED, refunded_amount=payment.amount)
        note_order(
            order=payment.order,
            actor=None,
            reason=f"Late payment of {payment.amount} refunded automatically ({out_request_no})",
        )
