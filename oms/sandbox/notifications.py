"""Asynchronous notifications to the merchant's notify_url, signed and retried like Alipay's.

A notification is a row, written in the transaction that changed the trade; the first attempt is made right
after commit, the later ones by ``deliver_due_notifications`` (run it from ``manage.py
sandbox_deliver_notifications`` or a scheduler). The merchant acknowledges by answering exactly ``success``.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from functools import partial
from uuid import uuid4

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from oms.payments.alipay.client import Transport, urllib_transport
from oms.payments.alipay.formats import format_amount, format_time
from oms.payments.alipay.signing import sign_notification
from oms.sandbox.keys import DEMO_SELLER_EMAIL, DEMO_SELLER_ID, get_sandbox_keys
from oms.sandbox.models import SandboxNotification, SandboxRefund, SandboxTrade

logger = logging.getLogger(__name__)

# Alipay's documented retry intervals after a failed attempt: 8 attempts in all over about 25 hours.
RETRY_SCHEDULE = (
    timedelta(minutes=4),
    timedelta(minutes=10),
    timedelta(minutes=10),
    timedelta(hours=1),
    timedelta(hours=2),
    timedelta(hours=6),
    timedelta(hours=15),
)
# While one deliverer posts, the row is pushed this far ahead, so a second deliverer does not post it too; if
# the first one dies mid-post, the notification becomes due again after this.
CLAIM_FOR = timedelta(seconds=60)
ACKNOWLEDGEMENT = "success"


def retry_factor() -> float:
    """``SANDBOX_ALIPAY_RETRY_FACTOR`` scales the schedule (tests and demos use a tiny one)."""
    return float(getattr(settings, "SANDBOX_ALIPAY_RETRY_FACTOR", 1.0))


def notification_params(*, trade: SandboxTrade, now: datetime, refund: SandboxRefund | None = None) -> dict[str, str]:
    """The signed form fields Alipay posts for a trade status change (or a refund, with ``refund``)."""
    amount = format_amount(trade.total_amount)
    params = {
        "notify_time": format_time(now),
        "notify_type": "trade_status_sync",
        "notify_id": uuid4().hex,
        "app_id": trade.app_id,
        "charset": "utf-8",
        "version": "1.0",
        "sign_type": "RSA2",
        "trade_no": trade.trade_no,
        "out_trade_no": trade.out_trade_no,
        "buyer_id": trade.buyer_id,
        "buyer_logon_id": trade.buyer_logon_id,
        "seller_id": DEMO_SELLER_ID,
        "seller_email": DEMO_SELLER_EMAIL,
        "trade_status": trade.status,
        "total_amount": amount,
        "receipt_amount": amount,
        "buyer_pay_amount": amount,
        "subject": trade.subject,
        "gmt_create": format_time(trade.gmt_create),
        "gmt_payment": format_time(trade.gmt_payment) if trade.gmt_payment else "",
        "gmt_close": format_time(trade.gmt_close) if trade.gmt_close else "",
    }
    if refund is not None:
        params["out_biz_no"] = refund.out_request_no
        params["refund_fee"] = format_amount(trade.refunded_amount)
        params["gmt_refund"] = format_time(refund.gmt_refund)
    params = {key: value for key, value in params.items() if value}
    params["sign"] = sign_notification(params, get_sandbox_keys().alipay_private_key_pem)
    return params


def queue_notification(
    *, trade: SandboxTrade, now: datetime, refund: SandboxRefund | None = None
) -> SandboxNotification | None:
    """Record a notification (nothing when the trade has no notify_url) and post it once the caller commits.

    Call inside the transaction that changed ``trade``.
    """
    if not trade.notify_url:
        return None
    notification = SandboxNotification.objects.create(
        trade=trade,
        url=trade.notify_url,
        params=notification_params(trade=trade, now=now, refund=refund),
        next_attempt_at=now,
        created_at=now,
    )
    transaction.on_commit(partial(first_attempt, notification.pk))
    return notification


def first_attempt(notification_id: int) -> None:
    """Runs in the buyer's request after commit: a merchant that is down must never make the pay click 500."""
    try:
        deliver_notification(notification_id)
    except Exception:
        logger.exception("sandbox: first delivery of notification %s failed", notification_id)


def deliver_due_notifications(now: datetime | None = None, post: Transport | None = None) -> int:
    """Attempt every notification that is due; returns how many were delivered (acknowledged) in this pass."""
    now = now or timezone.now()
    due = SandboxNotification.objects.filter(delivered_at__isnull=True, next_attempt_at__lte=now)
    ids = list(due.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:500])
    return sum(deliver_notification(pk, now=now, post=post) for pk in ids)


def deliver_notification(notification_id: int, *, now: datetime | None = None, post: Transport | None = None) -> bool:
    """One attempt, if still due and not claimed by another deliverer. True when acknowledged."""
    now = now or timezone.now()
    post = post or urllib_transport
    claimed = SandboxNotification.objects.filter(
        pk=notification_id, delivered_at__isnull=True, next_attempt_at__lte=now
    ).update(next_attempt_at=now + CLAIM_FOR)
    if not claimed:
        return False
    notification = SandboxNotification.objects.get(pk=notification_id)
    # The POST is made with no transaction and no lock held: the merchant may take seconds, or call us back.
    try:
        status, body = post(notification.url, notification.params)
        outcome = f"HTTP {status}: {body[:2000]}"
    except Exception as exc:  # any failure of the merchant's side is a failed attempt, retried later
        body, outcome = None, f"error: {type(exc).__name__}: {exc}"[:2000]
    attempts = notification.attempts + 1
    delivered = body == ACKNOWLEDGEMENT
    next_attempt_at = None if delivered else _next_attempt_at(attempts, now)
    SandboxNotification.objects.filter(pk=notification_id).update(
        attempts=attempts,
        delivered_at=now if delivered else None,
        next_attempt_at=next_attempt_at,
        last_response=outcome,
    )
    if not delivered:
        logger.info(
            "sandbox: notification %s attempt %s not acknowledged (%s); %s",
            notification_id,
            attempts,
            outcome[:200],
            f"next at {next_attempt_at:%H:%M:%S}" if next_attempt_at else "giving up",
        )
    return delivered


def _next_attempt_at(attempts: int, now: datetime) -> datetime | None:
    """After the n-th failed attempt, wait RETRY_SCHEDULE[n-1] (scaled); None once the schedule is used up."""
    if attempts > len(RETRY_SCHEDULE):
        return None
    return now + RETRY_SCHEDULE[attempts - 1] * retry_factor()
