"""Alipay as a payment gateway backend: our client, plus what our books need from its messages."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from oms.payments.alipay.client import SUCCESS_CODE, AlipayClient, AlipayConfig, Transport
from oms.payments.alipay.errors import AlipayError
from oms.payments.alipay.formats import parse_amount, parse_time
from oms.payments.alipay.signing import verify_notification as verify_notification_signature
from oms.payments.errors import GatewayError, GatewayOutcomeUnknown
from oms.payments.gateways.base import (
    Channel,
    GatewayNotification,
    GatewayTrade,
    NotificationKind,
    NotificationRejected,
    PaymentGateway,
)
from oms.payments.models import GatewayMessage, Payment

if TYPE_CHECKING:
    from oms.orders.models import Order

PAID_STATUSES = {"TRADE_SUCCESS", "TRADE_FINISHED"}
# Alipay stops taking money at time_expire; a minute's margin keeps it inside the order's own window.
EXPIRY_MARGIN = timedelta(minutes=1)


class AlipayGateway(PaymentGateway):
    name = "alipay"
    transport: Transport | None = None  # None: HTTP

    def client(self, base_url: str = "") -> AlipayClient:
        """The client for the real Alipay (``base_url``, this system's address, matters to the sandbox backend)."""
        config = AlipayConfig(
            gateway_url=settings.ALIPAY_GATEWAY_URL,
            app_id=settings.ALIPAY_APP_ID,
            seller_id=settings.ALIPAY_SELLER_ID,
            app_private_key_pem=settings.ALIPAY_APP_PRIVATE_KEY,
            alipay_public_key_pem=settings.ALIPAY_PUBLIC_KEY,
        )
        return AlipayClient(config, transport=self.transport)

    def payment_url(
        self, *, payment: Payment, order: Order, channel: Channel, notify_url: str, return_url: str, base_url: str
    ) -> str:
        # What the payer reads at Alipay, in the shop's language: the same for every pay link of the trade (Alipay
        # refuses a second one whose subject differs), whatever language the shopper reads the shop in.
        with translation.override(settings.LANGUAGE_CODE):
            subject = _("Order %(order_no)s") % {"order_no": order.order_no}
        url = self.client(base_url).page_pay_url(
            out_trade_no=payment.out_trade_no,
            total_amount=payment.amount,
            subject=subject,
            time_expire=order.expires_at - EXPIRY_MARGIN,
            notify_url=notify_url,
            return_url=return_url,
            channel=channel,
        )
        _log(payment, "out", f"{channel}_pay", url)
        return url

    def verify_return(self, params: dict[str, str]) -> bool:
        return self.client().verify_notification(params)

    def verify_notification(self, params: dict[str, str]) -> GatewayNotification:
        client = self.client()
        # Signature, then app_id, so the record says which failed (the client's check does both at once).
        if not verify_notification_signature(params, client.config.alipay_public_key_pem):
            raise NotificationRejected("bad signature", notify_id=params.get("notify_id", ""))
        if not client.verify_notification(params):
            raise NotificationRejected(f"app_id {params.get('app_id')!r} is not ours")
        seller_id = client.config.seller_id
        if seller_id and params.get("seller_id") != seller_id:
            raise NotificationRejected(f"seller_id {params.get('seller_id')!r} is not ours")
        try:
            total = parse_amount(params.get("total_amount", ""))
            paid_at = parse_time(params["gmt_payment"]) if params.get("gmt_payment") else None
        except (ValueError, KeyError) as exc:
            raise NotificationRejected(f"malformed field: {exc}") from exc
        if not params.get("notify_id") or not params.get("out_trade_no"):
            raise NotificationRejected("notify_id or out_trade_no missing")
        return GatewayNotification(
            notify_id=params["notify_id"],
            out_trade_no=params["out_trade_no"],
            trade_no=params.get("trade_no", ""),
            kind=_kind(params),
            total_amount=total,
            paid_at=paid_at,
            raw=dict(params),
        )

    def query(self, *, payment: Payment) -> GatewayTrade:
        answer = self._call(payment, "trade_query", out_trade_no=payment.out_trade_no)
        if answer.get("code") != SUCCESS_CODE:
            if answer.get("sub_code") == "ACQ.TRADE_NOT_EXIST":
                return GatewayTrade(exists=False)
            raise GatewayError(_("Alipay refused the query: %(why)s") % {"why": _answer_reason(answer)})
        status = answer.get("trade_status", "")
        paid_at = answer.get("send_pay_date") or answer.get("gmt_payment")
        return GatewayTrade(
            exists=True,
            paid=status in PAID_STATUSES,
            closed=status == "TRADE_CLOSED",
            trade_no=answer.get("trade_no", ""),
            total_amount=Decimal(answer["total_amount"]) if answer.get("total_amount") else None,
            paid_at=parse_time(paid_at) if paid_at else None,
        )

    def close(self, *, payment: Payment) -> bool:
        answer = self._call(payment, "trade_close", out_trade_no=payment.out_trade_no)
        if answer.get("code") == SUCCESS_CODE or answer.get("sub_code") == "ACQ.TRADE_NOT_EXIST":
            return True  # closed now, or never opened at Alipay: either way it cannot be paid
        if answer.get("sub_code") == "ACQ.TRADE_STATUS_ERROR":
            return False
        raise GatewayError(_("Alipay refused to close the trade: %(why)s") % {"why": _answer_reason(answer)})

    def refund(self, *, payment: Payment, amount: Decimal, out_request_no: str, reason: str) -> None:
        answer = self._call(
            payment,
            "trade_refund",
            out_trade_no=payment.out_trade_no,
            refund_amount=amount,
            out_request_no=out_request_no,
            refund_reason=reason[:256],
        )
        if answer.get("code") != SUCCESS_CODE:
            raise GatewayError(
                _("Alipay refused the refund: %(why)s") % {"why": _answer_reason(answer)},
                details={"sub_code": answer.get("sub_code", "")},
            )

    def refund_made(self, *, payment: Payment, out_request_no: str) -> bool:
        answer = self._call(payment, "refund_query", out_trade_no=payment.out_trade_no, out_request_no=out_request_no)
        if answer.get("code") != SUCCESS_CODE:
            if answer.get("sub_code") == "ACQ.TRADE_NOT_EXIST":
                return False
            raise GatewayError(_("Alipay refused the refund query: %(why)s") % {"why": _answer_reason(answer)})
        # Alipay's rule: an answer carrying the refund means it was made; without refund_status, the amount says so.
        status = answer.get("refund_status")
        return status == "REFUND_SUCCESS" if status else bool(answer.get("refund_amount"))

    def _call(self, payment: Payment, method: str, **kwargs: Any) -> dict[str, Any]:
        _log(payment, "out", method, repr(kwargs))
        try:
            answer: dict[str, Any] = getattr(self.client(), method)(**kwargs)
        except AlipayError as exc:
            _log(payment, "in", f"{method}_error", exc.message)
            raise GatewayOutcomeUnknown(
                _("Alipay %(method)s failed: %(why)s") % {"method": method, "why": exc.message}
            ) from exc
        _log(payment, "in", method, repr(answer))
        return answer


def _answer_reason(answer: Mapping[str, Any]) -> str:
    """Alipay's own words for a refusal (protocol text, never translated)."""
    return str(answer.get("sub_msg") or answer.get("msg"))


def _kind(params: Mapping[str, str]) -> NotificationKind:
    status = params.get("trade_status", "")
    is_refund = bool(params.get("refund_fee") or params.get("out_biz_no") or params.get("gmt_refund"))
    if status in PAID_STATUSES:
        return NotificationKind.REFUND if is_refund else NotificationKind.PAID
    if status == "TRADE_CLOSED":
        return NotificationKind.REFUND if is_refund else NotificationKind.CLOSED
    return NotificationKind.OTHER


def _log(payment: Payment, direction: str, kind: str, raw: str) -> None:
    GatewayMessage.objects.create(provider="alipay", payment=payment, direction=direction, kind=kind, raw=raw)
