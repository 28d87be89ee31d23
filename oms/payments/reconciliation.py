"""Jobs that keep our books and the gateway's in step: payment timeouts and reconciliation."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.utils import timezone

from oms.common.money import format_money
from oms.orders.models import Order
from oms.orders.services import expire_order, overdue_orders
from oms.payments.errors import GatewayError
from oms.payments.exceptions import record_payment_failure
from oms.payments.gateways import get_gateway
from oms.payments.models import Payment, PaymentIssue
from oms.payments.services import close_gateway_payment, settle_from_gateway

logger = logging.getLogger(__name__)


def expire_unpaid_orders(*, now: datetime | None = None, limit: int = 500) -> int:
    """Cancel unpaid orders past their payment window, releasing their stock. Returns how many were cancelled.

    For each open gateway payment it first asks the gateway: money that did arrive settles the order instead;
    otherwise the trade is closed there before the order is cancelled, so a cancelled order cannot be paid.
    A gateway that cannot be reached leaves the order for the next run (nothing is cancelled blind).
    """
    cancelled = 0
    for order in overdue_orders(now=now or timezone.now(), limit=limit):
        try:
            if _close_open_payments(order):
                continue  # it was paid after all
        except GatewayError as exc:
            logger.warning("order %s not expired yet: gateway unreachable (%s)", order.order_no, exc.message)
            continue
        cancelled += expire_order(order=order)
    return cancelled


def _close_open_payments(order: Order) -> bool:
    """Close the order's open gateway trades; True if one turned out to be paid (the order got paid instead)."""
    for payment in order.payments.filter(status=Payment.Status.CREATED):
        if close_gateway_payment(payment=payment):
            return True
    return False


def reconcile_stale_payments(*, older_than: timedelta | None = None, limit: int = 200) -> dict[str, int]:
    """Settle payments still ``created`` after a while by asking the gateway (the notification may be lost)."""
    if older_than is None:  # not ``or``: timedelta(0) is falsy, and "every created payment" is a valid ask
        older_than = timedelta(minutes=settings.OMS_RECONCILE_AFTER_MINUTES)
    cutoff = timezone.now() - older_than
    outcomes: dict[str, int] = {}
    stale = Payment.objects.filter(status=Payment.Status.CREATED, created_at__lt=cutoff).exclude(
        method=Payment.Method.BALANCE
    )
    for payment in stale.select_related("order")[:limit]:
        try:
            outcome = settle_from_gateway(payment=payment)
            if outcome == "closed_unpaid":
                record_payment_failure(payment=payment, reason="the gateway closed the trade unpaid")
        except GatewayError as exc:
            outcome = "gateway_error"
            logger.warning("could not reconcile payment %s: %s", payment.out_trade_no, exc.message)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


@dataclass
class DailyReconciliation:
    day: date
    checked: int = 0
    mismatches: list[dict] = field(default_factory=list)


def daily_reconciliation(*, day: date | None = None) -> DailyReconciliation:
    """Compare the day's gateway payments we count as received with the gateway's own record of them."""
    day = day or (timezone.localdate() - timedelta(days=1))
    start = timezone.make_aware(datetime.combine(day, datetime.min.time()))
    report = DailyReconciliation(day=day)
    received = Payment.objects.filter(succeeded_at__gte=start, succeeded_at__lt=start + timedelta(days=1)).exclude(
        method__in=[Payment.Method.BALANCE, Payment.Method.OFFLINE]
    )  # no gateway holds their record
    for payment in received.select_related("order"):
        report.checked += 1
        try:
            trade = get_gateway(payment.method).query(payment=payment)
        except GatewayError as exc:
            report.mismatches.append({"out_trade_no": payment.out_trade_no, "problem": f"query failed: {exc.message}"})
            continue
        problem = None
        # A fully refunded trade is TRADE_CLOSED at Alipay, but it was paid (it still has its payment time).
        refunded_in_full = trade.closed and trade.paid_at is not None and payment.status == Payment.Status.REFUNDED
        if not (trade.paid or refunded_in_full):
            problem = "the gateway does not show this payment as paid"
        elif trade.total_amount != payment.amount:
            problem = f"the gateway says {format_money(trade.total_amount)}, we recorded {format_money(payment.amount)}"
        if problem:
            report.mismatches.append({"out_trade_no": payment.out_trade_no, "problem": problem})
            PaymentIssue.objects.create(order=payment.order, payment=payment, kind="reconciliation", detail=problem)
    return report
