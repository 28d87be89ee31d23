"""Asynchronous payment notifications: verify first, record once, then settle. Repeats change nothing."""

from __future__ import annotations

import logging
import uuid

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.common.statemachine import apply_transition
from oms.payments.gateways import get_gateway
from oms.payments.gateways.base import GatewayNotification, NotificationKind, NotificationRejected
from oms.payments.locks import lock_payment
from oms.payments.models import GatewayMessage, InboundNotification, Payment
from oms.payments.settlement import UNSETTLED, settle_paid
from oms.payments.transitions import PAYMENT

logger = logging.getLogger(__name__)
# Alipay's notifications are about 1-2 KB; the endpoint refuses bodies past this without reading them.
NOTIFICATION_MAX_BYTES = 64 * 1024
SUMMARY_FIELDS = ("notify_id", "notify_type", "app_id", "seller_id", "out_trade_no", "trade_no", "trade_status")
SUMMARY_VALUE_CHARS = 64


def handle_notification(*, provider: str, params: dict[str, str]) -> bool:
    """Process one notification; True means "acknowledge it" (answer success), False "reject" (failure).

    Order of checks: signature and merchant identity (the gateway), then that the trade is ours and the amount
    equals the payment exactly. Only then does a payment notice settle the order. Each notification is stored once
    under (provider, notify_id); a repeat is acknowledged and changes nothing.
    """
    try:
        notice = get_gateway(provider).verify_notification(params)
        # Only a message the gateway signed is kept whole; anyone can post to this endpoint.
        GatewayMessage.objects.create(provider=provider, direction="in", kind="notification", raw=_raw(params))
        return _settle(provider=provider, notice=notice)
    except NotificationRejected as exc:
        reason = exc.reason[:255]
        logger.warning("%s notification rejected: %s", provider, reason)
        InboundNotification.objects.create(
            provider=provider,
            notify_id=f"rejected:{uuid.uuid4().hex}",
            payload=rejected_summary(params),
            signature_valid=reason != "bad signature",
            outcome="rejected",
            detail=reason,
        )
        return False


def rejected_summary(params: dict[str, str]) -> dict[str, object]:
    """What is kept of a notification we did not accept: a few identifying fields, each cut short, and counts.
    Bounded whatever was posted (about 1 KB)."""
    summary: dict[str, object] = {key: params[key][:SUMMARY_VALUE_CHARS] for key in SUMMARY_FIELDS if key in params}
    summary["field_count"] = len(params)
    summary["size"] = sum(len(key) + len(value) for key, value in params.items())
    return summary


def _settle(*, provider: str, notice: GatewayNotification) -> bool:
    payment = Payment.objects.filter(method=provider, out_trade_no=notice.out_trade_no).first()
    if payment is None:
        raise NotificationRejected(f"unknown out_trade_no {notice.out_trade_no}")
    if notice.total_amount != payment.amount:
        raise NotificationRejected(f"total_amount {notice.total_amount} != payment amount {payment.amount}")
    with transaction.atomic():
        payment = lock_payment(payment.pk)
        try:
            with transaction.atomic():
                record = InboundNotification.objects.create(
                    provider=provider,
                    notify_id=notice.notify_id,
                    payload=notice.raw,
                    signature_valid=True,
                    outcome="received",
                )
        except IntegrityError:
            return True  # the same notification again: already handled
        record.outcome = _apply(payment=payment, notice=notice)
        record.save(update_fields=["outcome"])
    return True


def _apply(*, payment: Payment, notice: GatewayNotification) -> str:
    if notice.kind == NotificationKind.REFUND:
        return "refund_notice"  # refunds are settled by the refund call itself; this never re-pays an order
    if notice.kind == NotificationKind.CLOSED:
        if payment.status == Payment.Status.CREATED:
            apply_transition(PAYMENT, payment, to=Payment.Status.CLOSED, actor=None, reason=_("Closed at the gateway"))
        return "closed"
    if notice.kind != NotificationKind.PAID:
        return "ignored"
    if payment.status not in UNSETTLED:
        return "already_settled"
    return settle_paid(payment=payment, trade_no=notice.trade_no, paid_at=notice.paid_at or timezone.now())


def _raw(params: dict[str, str]) -> str:
    return "&".join(f"{key}={value}" for key, value in sorted(params.items()))
