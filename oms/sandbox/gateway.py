"""The gateway's protocol side: check a request as Alipay does, dispatch API methods, sign what goes back.

Views (``oms.sandbox.views``) only move HTTP in and out of these functions.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.utils import timezone

from oms.common.json_input import MalformedJSON, loads_untrusted
from oms.payments.alipay.formats import compact_json, format_amount, format_time, parse_amount, parse_time
from oms.payments.alipay.signing import rsa2_sign, sign_notification, verify_request
from oms.sandbox import services
from oms.sandbox.errors import SandboxRefusal, invalid_argument
from oms.sandbox.keys import DEMO_APP_ID, DEMO_SELLER_ID, get_sandbox_keys
from oms.sandbox.models import SandboxTrade

PAY_METHODS = {"alipay.trade.page.pay": "FAST_INSTANT_TRADE_PAY", "alipay.trade.wap.pay": "QUICK_WAP_WAY"}
_RETURN_METHODS = {product: f"{method}.return" for method, product in PAY_METHODS.items()}
MAX_AMOUNT = Decimal("100000000.00")
BIZ_CONTENT_MAX_CHARS = 64 * 1024


def check_request(params: Mapping[str, str]) -> None:
    """App known, RSA2, signature valid for that app's public key; else a 40002 refusal."""
    if params.get("app_id") != DEMO_APP_ID:
        raise invalid_argument("isv.invalid-app-id", "无效的AppID参数")
    if params.get("sign_type") != "RSA2":
        raise invalid_argument("isv.invalid-signature-type", "无效的签名类型 (only RSA2)")
    if not verify_request(params, get_sandbox_keys().app_public_key_pem):
        raise invalid_argument("isv.invalid-signature", "验签出错")


def biz_content(params: Mapping[str, str]) -> dict[str, Any]:
    try:
        biz = loads_untrusted(params.get("biz_content", ""), max_bytes=BIZ_CONTENT_MAX_CHARS)
    except MalformedJSON:
        biz = None
    if not isinstance(biz, dict):
        raise invalid_argument("isv.invalid-parameter", "biz_content is not a JSON object")
    return biz


def _text(biz: Mapping[str, Any], key: str, *, max_length: int, required: bool = True) -> str:
    value = biz.get(key, "")
    if not isinstance(value, str) or len(value) > max_length or (required and not value):
        raise SandboxRefusal("ACQ.INVALID_PARAMETER", f"参数无效: {key}")
    return value


def _amount(biz: Mapping[str, Any], key: str) -> Decimal:
    try:
        amount = parse_amount(biz.get(key))
    except ValueError:
        amount = Decimal(0)
    if not Decimal("0.01") <= amount <= MAX_AMOUNT:
        raise SandboxRefusal("ACQ.INVALID_PARAMETER", f"参数无效: {key}")
    return amount


def _url(params: Mapping[str, str], key: str) -> str:
    url = params.get(key, "")
    if url and not url.startswith(("http://", "https://")):
        raise invalid_argument("isv.invalid-parameter", f"{key} must be an http(s) URL")
    if "?" in url or "#" in url:
        # Alipay forbids custom parameters there: mixed with its signed fields, they would fail verification.
        raise invalid_argument("isv.invalid-parameter", f"{key} must not carry its own query (Alipay's rule)")
    return url


def parse_pay_request(method: str, params: Mapping[str, str]) -> services.TradeRequest:
    """Check and read a page/WAP pay request (signature included)."""
    check_request(params)
    biz = biz_content(params)
    if biz.get("product_code") != PAY_METHODS[method]:
        raise SandboxRefusal("ACQ.INVALID_PARAMETER", f"product_code must be {PAY_METHODS[method]} for {method}")
    time_expire = _text(biz, "time_expire", max_length=19, required=False)
    try:
        expires = parse_time(time_expire) if time_expire else None
    except ValueError:
        raise SandboxRefusal("ACQ.INVALID_PARAMETER", "参数无效: time_expire") from None
    return services.TradeRequest(
        app_id=params["app_id"],
        out_trade_no=_text(biz, "out_trade_no", max_length=64),
        total_amount=_amount(biz, "total_amount"),
        subject=_text(biz, "subject", max_length=256),
        product_code=PAY_METHODS[method],
        time_expire=expires,
        notify_url=_url(params, "notify_url"),
        return_url=_url(params, "return_url"),
    )


def signed_return_url(trade: SandboxTrade) -> str:
    """Where the buyer's browser goes after paying: the merchant's return_url with Alipay's signed fields."""
    params = {
        "app_id": trade.app_id,
        "method": _RETURN_METHODS.get(trade.product_code, "alipay.trade.page.pay.return"),
        "out_trade_no": trade.out_trade_no,
        "trade_no": trade.trade_no,
        "total_amount": format_amount(trade.total_amount),
        "seller_id": DEMO_SELLER_ID,
        "timestamp": format_time(timezone.now()),
        "charset": "utf-8",
        "version": "1.0",
        "sign_type": "RSA2",
    }
    params["sign"] = sign_notification(params, get_sandbox_keys().alipay_private_key_pem)
    separator = "&" if "?" in trade.return_url else "?"
    return f"{trade.return_url}{separator}{urlencode(params)}"


# --- API methods: biz_content -> answer fields (code/msg are added by ``api_answer``) -----------------------
def _trade_ids(trade: SandboxTrade) -> dict[str, str]:
    return {"trade_no": trade.trade_no, "out_trade_no": trade.out_trade_no}


def _query(app_id: str, biz: Mapping[str, Any]) -> dict[str, str]:
    trade = services.query_trade(
        app_id=app_id,
        out_trade_no=_text(biz, "out_trade_no", max_length=64, required=False),
        trade_no=_text(biz, "trade_no", max_length=64, required=False),
    )
    paid = format_amount(trade.total_amount) if trade.is_paid else "0.00"
    answer = {
        **_trade_ids(trade),
        "trade_status": trade.status,
        "total_amount": format_amount(trade.total_amount),
        "buyer_pay_amount": paid,
        "receipt_amount": paid,
        "invoice_amount": paid,
        "point_amount": "0.00",
    }
    if trade.is_paid and trade.gmt_payment is not None:
        answer |= {
            "buyer_logon_id": trade.buyer_logon_id,
            "buyer_user_id": trade.buyer_id,
            "send_pay_date": format_time(trade.gmt_payment),
        }
    return answer


def _close(app_id: str, biz: Mapping[str, Any]) -> dict[str, str]:
    trade = services.close_trade(
        app_id=app_id,
        out_trade_no=_text(biz, "out_trade_no", max_length=64, required=False),
        trade_no=_text(biz, "trade_no", max_length=64, required=False),
    )
    return _trade_ids(trade)


def _refund(app_id: str, biz: Mapping[str, Any]) -> dict[str, str]:
    out_trade_no = _text(biz, "out_trade_no", max_length=64)
    trade, refund, fund_changed = services.refund_trade(
        app_id=app_id,
        out_trade_no=out_trade_no,
        refund_amount=_amount(biz, "refund_amount"),
        # Alipay's default: without one, the request number is the trade number (one full refund).
        out_request_no=_text(biz, "out_request_no", max_length=64, required=False) or out_trade_no,
        refund_reason=_text(biz, "refund_reason", max_length=256, required=False),
    )
    return {
        **_trade_ids(trade),
        "buyer_logon_id": trade.buyer_logon_id,
        "buyer_user_id": trade.buyer_id,
        "fund_change": "Y" if fund_changed else "N",
        "refund_fee": format_amount(trade.refunded_amount),
        "gmt_refund_pay": format_time(refund.gmt_refund),
    }


def _refund_query(app_id: str, biz: Mapping[str, Any]) -> dict[str, str]:
    out_trade_no = _text(biz, "out_trade_no", max_length=64)
    trade, refund = services.find_refund(
        app_id=app_id,
        out_trade_no=out_trade_no,
        out_request_no=_text(biz, "out_request_no", max_length=64, required=False) or out_trade_no,
    )
    if refund is None:
        return {}  # Alipay answers Success with no refund fields when it knows no such refund
    answer = {
        **_trade_ids(trade),
        "out_request_no": refund.out_request_no,
        "total_amount": format_amount(trade.total_amount),
        "refund_amount": format_amount(refund.refund_amount),
        "refund_status": "REFUND_SUCCESS",
        "gmt_refund_pay": format_time(refund.gmt_refund),
    }
    if refund.refund_reason:
        answer["refund_reason"] = refund.refund_reason
    return answer


API_METHODS: dict[str, Callable[[str, Mapping[str, Any]], dict[str, str]]] = {
    "alipay.trade.query": _query,
    "alipay.trade.close": _close,
    "alipay.trade.refund": _refund,
    "alipay.trade.fastpay.refund.query": _refund_query,
}


def api_answer(params: Mapping[str, str]) -> str:
    """The full JSON body for an API call, signed with the sandbox's Alipay key (refusals included)."""
    method = params.get("method", "")
    handler = API_METHODS.get(method)
    response_key = f"{method.replace('.', '_')}_response" if handler else "error_response"
    try:
        if handler is None:
            raise invalid_argument("isv.invalid-method", f"不存在的方法名: {method[:64]}")
        check_request(params)
        payload: dict[str, str] = {
            "code": "10000",
            "msg": "Success",
            **handler(params["app_id"], biz_content(params)),
        }
    except SandboxRefusal as refusal:
        payload = refusal.payload()
    return signed_body(response_key, payload)


def signed_body(response_key: str, payload: Mapping[str, Any]) -> str:
    """``{"<key>":<payload>,"sign":"..."}`` where the signature covers exactly the payload text written."""
    text = compact_json(payload)
    signature = rsa2_sign(text, get_sandbox_keys().alipay_private_key_pem)
    return f'{{{json.dumps(response_key)}:{text},"sign":{json.dumps(signature)}}}'
