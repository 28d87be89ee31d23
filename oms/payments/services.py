"""Collecting money for orders. Orders become paid only through oms.orders.services.mark_order_paid."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.common.money import format_money
from oms.common.statemachine import apply_transition
from oms.orders.models import Order
from oms.orders.services import cancel_order, mark_order_paid
from oms.payments import balance
from oms.payments.allowed import why_not_pay
from oms.payments.errors import GatewayError, PaymentMethodUnavailable
from oms.payments.gateways import get_gateway
from oms.payments.gateways.base import Channel
from oms.payments.locks import lock_payment
from oms.payments.models import BalanceEntry, Payment, PaymentIssue, payment_state_in_message
from oms.payments.settlement import UNSETTLED, settle_paid
from oms.payments.transitions import PAYMENT

logger = logging.getLogger(__name__)


def ensure_payable(order: Order, *, at: datetime | None = None) -> None:
    """Refuse to take money for an order that cannot be paid any more (checked again when money moves)."""
    if (refused := why_not_pay(order, at=at)) is not None:
        raise refused


def record_offline_payment(*, order: Order, actor: User, reference: str, paid_at: datetime | None = None) -> Order:
    """Staff record money taken outside the system (bank transfer, cash): a payment row, then the order is paid."""
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        ensure_payable(order, at=paid_at)
        paid_at = paid_at or timezone.now()
        Payment.objects.create(
            order=order,
            method=Payment.Method.OFFLINE,
            amount=order.total_amount,
            status=Payment.Status.SUCCEEDED,
            out_trade_no=f"O{order.order_no}",
            gateway_trade_no=reference[:64],
            succeeded_at=paid_at,
        )
        note = (
            _("Offline payment recorded by staff; reference: %(reference)s") % {"reference": reference}
            if reference
            else _("Offline payment")
        )
        return mark_order_paid(order=order, actor=actor, reason=note, paid_at=paid_at, method=Payment.Method.OFFLINE)


def pay_with_balance(*, order: Order, customer: User, payment_password: str) -> Order:
    """Debit the customer's balance and mark the order paid, in one transaction.

    The password check commits its failure count first. Then, locked in this order: the order row, the balance
    account row (a guarded decrement, so concurrent payments can never take the balance below zero).
    Raises PaymentPasswordInvalid/Locked, InsufficientBalance, InvalidTransition, OrderExpired.
    """
    ensure_payable(order)
    balance.verify_payment_password(customer=customer, raw_password=payment_password)
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        ensure_payable(order)
        balance.post_balance_entry(
            customer=customer,
            kind=BalanceEntry.Kind.PAYMENT,
            amount=-order.total_amount,
            actor=customer,
            reason=f"Payment for order {order.order_no}",
            order=order,
        )
        now = timezone.now()
        Payment.objects.create(
            order=order,
            method=Payment.Method.BALANCE,
            amount=order.total_amount,
            status=Payment.Status.SUCCEEDED,
            out_trade_no=f"B{order.order_no}",
            succeeded_at=now,
        )
        return mark_order_paid(
            order=order, actor=customer, reason=_("Paid with store balance"), paid_at=now, method=Payment.Method.BALANCE
        )


def payment_base_url(request: HttpRequest) -> str:
    return settings.OMS_PUBLIC_BASE_URL or request.build_absolute_uri("/").rstrip("/")


def start_gateway_payment(*, order: Order, method: str, channel: Channel, request: HttpRequest) -> str:
    """Create (or reuse) the order's gateway payment and return the URL where the shopper pays.

    One payment per order and method: its out_trade_no is the order number, so paying twice at the gateway is
    impossible — the gateway itself refuses a second payment of one out_trade_no.
    """
    ensure_payable(order)
    payment, _created = Payment.objects.get_or_create(
        out_trade_no=order.order_no,
        defaults={"order": order, "method": method, "amount": order.total_amount},
    )
    if payment.method != method or payment.status != Payment.Status.CREATED:
        raise PaymentMethodUnavailable(
            _("Order %(order_no)s already has a %(method)s payment (%(status)s).")
            % {
                "order_no": order.order_no,
                "method": payment_state_in_message(payment.method),
                "status": payment_state_in_message(payment.status),
            },
            details={"method": payment.method, "status": payment.status},
        )
    base_url = payment_base_url(request)
    return get_gateway(method).payment_url(
        payment=payment,
        order=order,
        channel=channel,
        notify_url=f"{base_url}{reverse('alipay-notify')}",
        return_url=f"{base_url}{reverse('alipay-return')}",
        base_url=base_url,
    )


@dataclass(frozen=True)
class ReturnStatus:
    """What the shopper's return page says. ``outcome`` is ``received``, ``processing``, ``refunded`` (money the
    order could no longer take, refunded automatically) or ``not_recognised``; ``order_no`` is set only for a
    payment of ours (never the visitor's own text)."""

    outcome: str
    order_no: str = ""

    @property
    def valid(self) -> bool:
        return self.outcome != "not_recognised"


def settle_from_return(*, provider: str, params: dict[str, str]) -> ReturnStatus:
    """Handle the shopper's return: verify the signed fields, then settle from a signed gateway query."""
    gateway = get_gateway(provider)
    if not gateway.verify_return(params):
        return ReturnStatus("not_recognised")
    payment = Payment.objects.filter(method=provider, out_trade_no=params.get("out_trade_no", "")).first()
    if payment is None:
        return ReturnStatus("not_recognised")
    if payment.status in UNSETTLED:
        # Also a payment we closed or failed: money the gateway took for it is recorded and refunded.
        settle_from_gateway(payment=payment)
        payment.refresh_from_db()
    order_no = payment.order.order_no
    if payment.refunds.filter(automatic=True).exists():
        return ReturnStatus("refunded", order_no)  # the order could no longer take the money
    if payment.status == Payment.Status.SUCCEEDED:
        return ReturnStatus("received", order_no)
    return ReturnStatus("processing", order_no)


def settle_from_gateway(*, payment: Payment) -> str:
    """Ask the gateway about a payment whose money we do not hold (still ``created``: a lost notification; or
    ``closed`` / ``failed``: paid after all, e.g. through an old pay link) and settle it (settle_paid). No lock is
    held during the call; the result is applied under the payment row lock.
    """
    trade = get_gateway(payment.method).query(payment=payment)
    if not trade.paid:
        return "closed_unpaid" if trade.closed else "unpaid"
    if trade.total_amount != payment.amount:
        PaymentIssue.objects.create(
            order=payment.order,
            payment=payment,
            kind="amount_mismatch",
            detail=_("Gateway reports %(gateway)s, we expected %(ours)s.")
            % {"gateway": format_money(trade.total_amount), "ours": format_money(payment.amount)},
        )
        return "mismatch"
    with transaction.atomic():
        payment = lock_payment(payment.pk)
        if payment.status not in UNSETTLED:
            return "already_settled"
        return settle_paid(payment=payment, trade_no=trade.trade_no, paid_at=trade.paid_at or timezone.now())


MONEY_ARRIVED = {"paid", "already_settled", "refund_scheduled"}


def close_gateway_payment(*, payment: Payment) -> bool:
    """Make an open gateway trade unpayable. Returns True if it was paid after all (then it is settled as paid).

    Asks first (money may have arrived without a notification), closes, and asks again when the gateway refuses
    to close — a trade paid between our two calls must never be left unrecorded.
    """
    if settle_from_gateway(payment=payment) in MONEY_ARRIVED:
        return True
    closed = get_gateway(payment.method).close(payment=payment)
    if not closed and settle_from_gateway(payment=payment) in MONEY_ARRIVED:
        return True
    with transaction.atomic():
        payment = lock_payment(payment.pk)
        if payment.status == Payment.Status.CREATED:
            apply_transition(PAYMENT, payment, to=Payment.Status.CLOSED, actor=None, reason=_("Closed at the gateway"))
    return False


def cancel_unpaid_order(*, order: Order, actor: User, reason: str, by_staff: bool) -> Order:
    """Cancel an unpaid order after closing its open gateway trades, so it can no longer be paid.

    A gateway that cannot be reached does not block the cancellation: money arriving later for a cancelled order
    is refunded automatically and flagged for staff. Raises InvalidTransition (also when a trade turned out paid).
    """
    for payment in order.payments.filter(status=Payment.Status.CREATED).exclude(method=Payment.Method.BALANCE):
        try:
            close_gateway_payment(payment=payment)
        except GatewayError as exc:
            logger.warning("could not close %s before cancelling: %s", payment.out_trade_no, exc.message)
    return cancel_order(order=order, actor=actor, reason=reason, by_staff=by_staff)
