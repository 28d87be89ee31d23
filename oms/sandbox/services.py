"""What the sandbox's "Alipay" does to trades: open, pay, abandon, close, refund; the one transition table.

Every write runs in its own durable transaction and locks the trade row it changes (``select_for_update``).
Refusals are ``SandboxRefusal`` in Alipay's terms. A trade past its ``time_expire`` is closed lazily, when
next touched, the way a buyer sees Alipay close it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from uuid import uuid4

from django.db import transaction
from django.utils import timezone

from oms.payments.alipay.formats import BEIJING
from oms.sandbox.errors import SandboxRefusal, TradeAlreadyPaid, trade_not_exist, trade_status_error
from oms.sandbox.keys import DEMO_BUYER_ID, DEMO_BUYER_LOGON_ID
from oms.sandbox.models import SandboxRefund, SandboxTrade
from oms.sandbox.notifications import queue_notification

Status = SandboxTrade.Status
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.WAIT_BUYER_PAY: frozenset({Status.TRADE_SUCCESS, Status.TRADE_CLOSED}),
    Status.TRADE_SUCCESS: frozenset({Status.TRADE_CLOSED}),  # fully refunded
    Status.TRADE_CLOSED: frozenset(),
}


@dataclass(frozen=True)
class TradeRequest:
    """A validated page/WAP pay request (see ``oms.sandbox.gateway.parse_pay_request``)."""

    app_id: str
    out_trade_no: str
    total_amount: Decimal
    subject: str
    product_code: str
    time_expire: datetime | None
    notify_url: str
    return_url: str


def _move(trade: SandboxTrade, status: str, now: datetime) -> None:
    """The only place a sandbox trade's status changes. The caller holds the row lock and saves."""
    if status not in TRANSITIONS[trade.status]:
        raise trade_status_error(f"{trade.status} → {status}")
    trade.status = status
    if status == Status.TRADE_SUCCESS:
        trade.gmt_payment = now
        trade.buyer_id, trade.buyer_logon_id = DEMO_BUYER_ID, DEMO_BUYER_LOGON_ID
    elif status == Status.TRADE_CLOSED:
        trade.gmt_close = now


def _close_if_expired(trade: SandboxTrade, now: datetime) -> None:
    if trade.status == Status.WAIT_BUYER_PAY and trade.time_expire is not None and now >= trade.time_expire:
        _move(trade, Status.TRADE_CLOSED, trade.time_expire)
        trade.save(update_fields=["status", "gmt_close"])


def _locked_trade(*, app_id: str, out_trade_no: str = "", trade_no: str = "") -> SandboxTrade:
    """Find by out_trade_no or trade_no (Alipay accepts either), locked. Raises ACQ.TRADE_NOT_EXIST."""
    trades = SandboxTrade.objects.select_for_update().filter(app_id=app_id)
    trade = (
        trades.filter(out_trade_no=out_trade_no).first()
        if out_trade_no
        else trades.filter(trade_no=trade_no).first()
        if trade_no
        else None
    )
    if trade is None:
        raise trade_not_exist()
    return trade


def _new_trade_no(trade: SandboxTrade) -> str:
    # Alipay's shape: date, a channel part, a sequence; 28 digits. The row id makes it unique.
    return f"{trade.gmt_create.astimezone(BEIJING):%Y%m%d}2200140{trade.pk:013d}"


def open_trade(*, request: TradeRequest, now: datetime | None = None) -> SandboxTrade:
    """Create the trade a pay request describes, or reuse the open one with the same out_trade_no.

    Raises ``ACQ.CONTEXT_INCONSISTENT`` when the same out_trade_no comes back with another amount or subject,
    ``ACQ.TRADE_HAS_SUCCESS`` / ``ACQ.TRADE_HAS_CLOSE`` when it can no longer be paid.
    """
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        trade, created = SandboxTrade.objects.select_for_update().get_or_create(
            app_id=request.app_id,
            out_trade_no=request.out_trade_no,
            defaults={
                "trade_no": f"pending-{uuid4().hex}",
                "subject": request.subject,
                "product_code": request.product_code,
                "total_amount": request.total_amount,
                "time_expire": request.time_expire,
                "notify_url": request.notify_url,
                "return_url": request.return_url,
                "gmt_create": now,
            },
        )
        if created:
            trade.trade_no = _new_trade_no(trade)
            trade.save(update_fields=["trade_no"])
        _close_if_expired(trade, now)
    if not created and (trade.total_amount != request.total_amount or trade.subject != request.subject):
        raise SandboxRefusal("ACQ.CONTEXT_INCONSISTENT", "交易信息被篡改 (same out_trade_no, other amount/subject)")
    refusal = _payable_refusal(trade)
    if refusal is not None:
        raise refusal
    return trade


def _payable_refusal(trade: SandboxTrade) -> SandboxRefusal | None:
    if trade.is_paid:
        return TradeAlreadyPaid(trade)
    if trade.status == Status.TRADE_CLOSED:
        return SandboxRefusal("ACQ.TRADE_HAS_CLOSE", "交易已经关闭")
    return None


def pay_trade(*, trade_no: str, now: datetime | None = None) -> SandboxTrade:
    """The buyer pays on the cashier: WAIT_BUYER_PAY → TRADE_SUCCESS; the merchant is notified on commit.

    Refused (ACQ.TRADE_HAS_CLOSE) after ``time_expire`` or once closed; a second click gets TRADE_HAS_SUCCESS.
    """
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        trade = SandboxTrade.objects.select_for_update().filter(trade_no=trade_no).first()
        if trade is None:
            raise trade_not_exist()
        _close_if_expired(trade, now)
        # Raised after commit, so that an expiry found here is kept.
        refusal = _payable_refusal(trade)
        if refusal is None:
            _move(trade, Status.TRADE_SUCCESS, now)
            trade.save(update_fields=["status", "gmt_payment", "buyer_id", "buyer_logon_id"])
            queue_notification(trade=trade, now=now)
    if refusal is not None:
        raise refusal
    return trade


def abandon_trade(*, trade_no: str, now: datetime | None = None) -> SandboxTrade:
    """The buyer leaves the cashier. The trade stays payable until it expires, as on Alipay."""
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        trade = SandboxTrade.objects.select_for_update().filter(trade_no=trade_no).first()
        if trade is None:
            raise trade_not_exist()
        if trade.status == Status.WAIT_BUYER_PAY:
            trade.abandoned_at = now
            trade.save(update_fields=["abandoned_at"])
    return trade


def query_trade(
    *, app_id: str, out_trade_no: str = "", trade_no: str = "", now: datetime | None = None
) -> SandboxTrade:
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        trade = _locked_trade(app_id=app_id, out_trade_no=out_trade_no, trade_no=trade_no)
        _close_if_expired(trade, now)
    return trade


def close_trade(
    *, app_id: str, out_trade_no: str = "", trade_no: str = "", now: datetime | None = None
) -> SandboxTrade:
    """WAIT_BUYER_PAY → TRADE_CLOSED. As on Alipay, any other status (closed, paid) is TRADE_STATUS_ERROR."""
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        trade = _locked_trade(app_id=app_id, out_trade_no=out_trade_no, trade_no=trade_no)
        _close_if_expired(trade, now)
        refusal = None if trade.status == Status.WAIT_BUYER_PAY else trade_status_error(trade.status)
        if refusal is None:
            _move(trade, Status.TRADE_CLOSED, now)
            trade.save(update_fields=["status", "gmt_close"])
    if refusal is not None:  # after commit, so that an expiry found here is kept
        raise refusal
    return trade


def refund_trade(
    *,
    app_id: str,
    out_trade_no: str,
    refund_amount: Decimal,
    out_request_no: str,
    refund_reason: str = "",
    now: datetime | None = None,
) -> tuple[SandboxTrade, SandboxRefund, bool]:
    """Refund part or all of a paid trade; returns (trade, refund, fund_changed).

    Idempotent on ``out_request_no``: a repeat returns the original refund with ``fund_changed=False``. A full
    refund closes the trade. The merchant is notified (on commit) when the trade has a notify_url.
    """
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        trade = _locked_trade(app_id=app_id, out_trade_no=out_trade_no)
        existing = trade.refunds.filter(out_request_no=out_request_no).first()
        if existing is not None:
            return trade, existing, False
        if not trade.is_paid:
            raise trade_status_error(f"{trade.status}, not paid")
        if trade.refunded_amount + refund_amount > trade.total_amount:
            raise SandboxRefusal("ACQ.REASON_TRADE_REFUND_FEE_ERR", "退款金额超限")
        refund = SandboxRefund.objects.create(
            trade=trade,
            out_request_no=out_request_no,
            refund_amount=refund_amount,
            refund_reason=refund_reason,
            gmt_refund=now,
        )
        trade.refunded_amount += refund_amount
        fields = ["refunded_amount"]
        if trade.refunded_amount == trade.total_amount:
            _move(trade, Status.TRADE_CLOSED, now)
            fields += ["status", "gmt_close"]
        trade.save(update_fields=fields)
        queue_notification(trade=trade, now=now, refund=refund)
    return trade, refund, True


def find_refund(*, app_id: str, out_trade_no: str, out_request_no: str) -> tuple[SandboxTrade, SandboxRefund | None]:
    trade = SandboxTrade.objects.filter(app_id=app_id, out_trade_no=out_trade_no).first()
    if trade is None:
        raise trade_not_exist()
    return trade, trade.refunds.filter(out_request_no=out_request_no).first()
