"""A small Alipay open-API client: page/WAP pay URLs, trade query/close/refund, refund query, notifications.

Business refusals come back as the verified ``*_response`` dict (``code != "10000"``, with ``sub_code``);
only a transport failure or an answer we cannot trust raises (``AlipayError`` and subclasses). The client
holds no lock and touches no database, so callers can (and must) call it outside their transactions.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from http.client import HTTPException
from typing import Any, Literal
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode
from urllib.request import Request, urlopen

from django.core.exceptions import ImproperlyConfigured

from oms.common.json_input import MalformedJSON, loads_untrusted
from oms.payments.alipay.errors import AlipayResponseError, AlipaySignatureError, AlipayTransportError
from oms.payments.alipay.formats import compact_json, format_amount, format_time
from oms.payments.alipay.signing import (
    load_private_key,
    load_public_key,
    rsa2_verify,
    sign_request,
    top_level_members,
)
from oms.payments.alipay.signing import verify_notification as verify_notification_signature

# (url, form fields) -> (HTTP status, body text). Tests pass one that routes through Django's test client.
Transport = Callable[[str, Mapping[str, str]], tuple[int, str]]
DEFAULT_TIMEOUT_SECONDS = 10.0
SUCCESS_CODE = "10000"

_PAY_CHANNELS = {
    "page": ("alipay.trade.page.pay", "FAST_INSTANT_TRADE_PAY"),
    "wap": ("alipay.trade.wap.pay", "QUICK_WAP_WAY"),
}


@dataclass(frozen=True)
class AlipayConfig:
    gateway_url: str
    app_id: str
    seller_id: str
    app_private_key_pem: str = field(repr=False)
    alipay_public_key_pem: str = field(repr=False)


def urllib_transport(url: str, form: Mapping[str, str], *, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> tuple[int, str]:
    """POST ``form`` URL-encoded (UTF-8). HTTP error statuses are returned; network failures raise OSError."""
    if not url.startswith(("https://", "http://")):
        raise URLError(f"refusing a non-HTTP URL: {url[:40]!r}")  # urlopen would also open file:// URLs
    request = Request(
        url,
        data=urlencode(dict(form)).encode("utf-8"),
        method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded;charset=utf-8"},
    )
    try:
        with urlopen(request, timeout=timeout) as response:  # noqa: S310 (scheme checked above)
            charset = response.headers.get_content_charset() or "utf-8"
            return response.status, response.read().decode(charset, errors="replace")
    except HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", errors="replace")


class AlipayClient:
    def __init__(self, config: AlipayConfig, transport: Transport | None = None) -> None:
        try:  # fail at start-up on a mangled key, not on the first payment
            load_private_key(config.app_private_key_pem)
            load_public_key(config.alipay_public_key_pem)
        except (ValueError, TypeError) as exc:
            raise ImproperlyConfigured(f"Alipay keys for app {config.app_id} cannot be loaded: {exc}") from exc
        self.config = config
        self._transport: Transport = transport or urllib_transport

    # --- Browser redirects ---------------------------------------------------------------------------------
    def page_pay_url(
        self,
        *,
        out_trade_no: str,
        total_amount: Decimal,
        subject: str,
        time_expire: datetime,
        notify_url: str,
        return_url: str,
        channel: Literal["page", "wap"] = "page",
    ) -> str:
        """The gateway URL to send the buyer's browser to (GET). Nothing is sent to Alipay from here."""
        if channel not in _PAY_CHANNELS:
            raise ValueError(f"unknown Alipay pay channel {channel!r}")
        method, product_code = _PAY_CHANNELS[channel]
        biz = {
            "out_trade_no": out_trade_no,
            "total_amount": format_amount(total_amount),
            "subject": subject,
            "product_code": product_code,
            "time_expire": format_time(time_expire),
        }
        params = self._signed_params(method, biz, notify_url=notify_url, return_url=return_url)
        return self._gateway_url_with(params)

    def verify_notification(self, params: Mapping[str, str]) -> bool:
        """True when an async notification or return redirect is signed by Alipay *for our app*. Never raises.

        The caller still checks out_trade_no, total_amount and seller_id against its own order.
        """
        try:
            if params.get("app_id") != self.config.app_id:
                return False
        except (AttributeError, TypeError):
            return False
        return verify_notification_signature(params, self.config.alipay_public_key_pem)

    # --- API calls -----------------------------------------------------------------------------------------
    def trade_query(self, *, out_trade_no: str) -> dict[str, Any]:
        return self._call("alipay.trade.query", {"out_trade_no": out_trade_no})

    def trade_close(self, *, out_trade_no: str) -> dict[str, Any]:
        return self._call("alipay.trade.close", {"out_trade_no": out_trade_no})

    def trade_refund(
        self, *, out_trade_no: str, refund_amount: Decimal, out_request_no: str, refund_reason: str = ""
    ) -> dict[str, Any]:
        """Idempotent on ``out_request_no``: a repeat answers ``fund_change: "N"`` and moves no money."""
        biz = {
            "out_trade_no": out_trade_no,
            "refund_amount": format_amount(refund_amount),
            "out_request_no": out_request_no,
        }
        if refund_reason:
            biz["refund_reason"] = refund_reason
        return self._call("alipay.trade.refund", biz)

    def refund_query(self, *, out_trade_no: str, out_request_no: str) -> dict[str, Any]:
        """``refund_status == "REFUND_SUCCESS"`` when done; no ``refund_amount`` for an unknown refund."""
        return self._call(
            "alipay.trade.fastpay.refund.query",
            {"out_trade_no": out_trade_no, "out_request_no": out_request_no},
        )

    # --- Plumbing ------------------------------------------------------------------------------------------
    def _signed_params(
        self, method: str, biz: Mapping[str, Any], *, notify_url: str = "", return_url: str = ""
    ) -> dict[str, str]:
        params = {
            "app_id": self.config.app_id,
            "method": method,
            "format": "JSON",
            "charset": "utf-8",
            "sign_type": "RSA2",
            "timestamp": format_time(datetime.now(UTC)),
            "version": "1.0",
            "notify_url": notify_url,
            "return_url": return_url,
            "biz_content": compact_json(biz),
        }
        params = {key: value for key, value in params.items() if value}
        params["sign"] = sign_request(params, self.config.app_private_key_pem)
        return params

    def _gateway_url_with(self, query: Mapping[str, str]) -> str:
        separator = "&" if "?" in self.config.gateway_url else "?"
        return f"{self.config.gateway_url}{separator}{urlencode(query)}"

    def _call(self, method: str, biz: Mapping[str, Any]) -> dict[str, Any]:
        params = self._signed_params(method, biz)
        # As Alipay's own SDKs do: common params (with charset) in the query string, so the gateway knows how
        # to decode the body before checking the signature; the business content in the form body.
        form = {"biz_content": params.pop("biz_content")}
        url = self._gateway_url_with(params)
        try:
            status, body = self._transport(url, form)
        except (OSError, HTTPException) as exc:
            raise AlipayTransportError(f"{method}: Alipay could not be reached: {exc}") from exc
        if status != 200:
            raise AlipayTransportError(f"{method}: Alipay answered HTTP {status}", details={"status": status})
        return self._verified_response(method, body)

    def _verified_response(self, method: str, body: str) -> dict[str, Any]:
        response_key = method.replace(".", "_") + "_response"
        try:
            members = top_level_members(body)
        except (ValueError, RecursionError) as exc:
            raise AlipayResponseError(f"{method}: the answer is not a JSON object") from exc
        raw = members.get(response_key, members.get("error_response"))
        if raw is None:
            raise AlipayResponseError(f"{method}: the answer has no {response_key}")
        signature = json.loads(members["sign"]) if "sign" in members else None
        if not isinstance(signature, str) or not rsa2_verify(raw, signature, self.config.alipay_public_key_pem):
            raise AlipaySignatureError(f"{method}: the answer's signature does not verify")
        try:
            payload = loads_untrusted(raw)
        except MalformedJSON as exc:
            raise AlipayResponseError(f"{method}: {response_key} is not acceptable JSON ({exc})") from exc
        if not isinstance(payload, dict):
            raise AlipayResponseError(f"{method}: {response_key} is not an object")
        return payload
