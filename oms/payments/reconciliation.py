"""Jobs that keep our books and the gateway's in step: payment timeouts and reconciliation."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.common.money import format_money
from oms.orders.models import Order
from oms.orders.services import expire_order, overdue_orders
from oms.payments.errors import GatewayError
from oms.payments.exceptions import record_payment_failure
from oms.payments.gateways import get_gateway
from oms.payments.models import Payment, PaymentIssue
from oms.payments.services import MONEY_ARRIVED, close_gateway_payment, settle_from_gateway
from oms.payments.settlement import UNSETTLED, WRITTEN_OFF

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
    """Ask the gateway about payments whose money we do not hold, a while after they last changed, and settle
    what it says (settle_from_gateway).

    Payments still ``created`` (the notification may be lost): paid ones settle, closed-unpaid ones fail. Payments
    we closed or failed (a cancel, an expiry, a refused payment): the shopper may still pay an old pay link until
    the order's payment window ends, and that money must not stay at the gateway unseen, so they are asked about
    until the gateway, after the window, still holds nothing (``unpaid_confirmed_at``); money found is recorded,
    refunded automatically and flagged.
    """
    if older_than is None:  # not ``or``: timedelta(0) is falsy, and "every created payment" is a valid ask
        older_than = timedelta(minutes=settings.OMS_RECONCILE_AFTER_MINUTES)
    cutoff = timezone.now() - older_than
    outcomes: dict[str, int] = {}
    gateway_payments = Payment.objects.exclude(method__in=[Payment.Method.BALANCE, Payment.Method.OFFLINE])
    stale = gateway_payments.filter(status=Payment.Status.CREATED, created_at__lt=cutoff)
    written_off = gateway_payments.filter(
        status__in=WRITTEN_OFF, unpaid_confirmed_at__isnull=True, updated_at__lt=cutoff
    ).order_by("updated_at", "pk")
    for payment in [*stale.select_related("order")[:limit], *written_off.select_related("order")[:limit]]:
        outcome = _reconcile_one(payment)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


def _reconcile_one(payment: Payment) -> str:
    was_open = payment.status == Payment.Status.CREATED
    checked_at = timezone.now()
    try:
        outcome = settle_from_gateway(payment=payment)
    except GatewayError as exc:
        logger.warning("could not reconcile payment %s: %s", payment.out_trade_no, exc.message)
        return "gateway_error"
    if was_open and outcome == "closed_unpaid":
        record_payment_failure(payment=payment, reason=_("the gateway closed the trade unpaid"))
    elif not was_open and outcome not in MONEY_ARRIVED and checked_at >= payment.order.expires_at:
        # Asked after the trade stopped being payable (the gateway takes no money past the order's window).
        Payment.objects.filter(pk=payment.pk, status__in=WRITTEN_OFF).update(unpaid_confirmed_at=checked_at)
    return outcome


@dataclass
class DailyReconciliation:
    day: date
    checked: int = 0
    mismatches: list[dict[str, Any]] = field(default_factory=list)


def daily_reconciliation(*, day: date | None = None) -> DailyReconciliation:
    """Compare the day's gateway payments with the gateway's own record of them, both ways: those we count as
    received must be paid there, and those we do not (still open, closed, failed) must hold no money there; money
    found for one of those is recorded and settled (a written-off payment's is refunded automatically and
    flagged).
    """
    day = day or (timezone.localdate() - timedelta(days=1))
    start = timezone.make_aware(datetime.combine(day, datetime.min.time()))
    end = start + timedelta(days=1)
    report = DailyReconciliation(day=day)
    # Balance and offline payments: no gateway holds their record.
    gateway_payments = Payment.objects.exclude(method__in=[Payment.Method.BALANCE, Payment.Method.OFFLINE])
    received = gateway_payments.filter(succeeded_at__gte=start, succeeded_at__lt=end)
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
            problem = _("the gateway does not show this payment as paid")
        elif trade.total_amount != payment.amount:
            problem = _("the gateway says %(gateway)s, we recorded %(ours)s") % {
                "gateway": format_money(trade.total_amount),
                "ours": format_money(payment.amount),
            }
        if problem:
            report.mismatches.append({"out_trade_no": payment.out_trade_no, "problem": problem})
            PaymentIssue.objects.create(order=payment.order, payment=payment, kind="reconciliation", detail=problem)
    not_received = gateway_payments.filter(created_at__gte=start, created_at__lt=end, status__in=UNSETTLED)
    for payment in not_received.select_related("order"):
        report.checked += 1
        was = payment.status
        try:
            outcome = settle_from_gateway(payment=payment)
        except GatewayError as exc:
            report.mismatches.append({"out_trade_no": payment.out_trade_no, "problem": f"query failed: {exc.message}"})
            continue
        if outcome in {"paid", "refund_scheduled", "mismatch"}:
            problem = f"the gateway holds money for this payment, which we recorded as {was} ({outcome})"
            report.mismatches.append({"out_trade_no": payment.out_trade_no, "problem": problem})
    return report
