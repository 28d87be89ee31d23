"""The client's requests and its handling of answers, with the openssl-made vectors standing in for Alipay."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.core.exceptions import ImproperlyConfigured

from oms.payments.alipay import (
    AlipayClient,
    AlipayConfig,
    AlipayResponseError,
    AlipaySignatureError,
    AlipayTransportError,
)
from oms.payments.alipay.formats import format_amount, format_time, parse_amount, parse_time
from oms.payments.alipay.signing import verify_request

VECTORS = Path(__file__).parent / "vectors"
PRIVATE_PEM = (VECTORS / "app_private_key.pem").read_text()
PUBLIC_PEM = (VECTORS / "app_public_key.pem").read_text()
RESPONSE_BODY = (VECTORS / "response_body.json").read_text(encoding="utf-8")

# One test key pair plays both sides: we sign with it as the app, and it "is" Alipay when verifying answers.
CONFIG = AlipayConfig(
    gateway_url="https://alipay.example.com/gateway.do",
    app_id="2021000000000001",
    seller_id="2088000000000001",
    app_private_key_pem=PRIVATE_PEM,
    alipay_public_key_pem=PUBLIC_PEM,
)


class Recorder:
    """A transport that answers a fixed (status, body) and remembers what was sent."""

    def __init__(self, status: int = 200, body: str = RESPONSE_BODY) -> None:
        self.status, self.body = status, body
        self.calls: list[tuple[str, dict[str, str]]] = []

    def __call__(self, url: str, form: Mapping[str, str]) -> tuple[int, str]:
        self.calls.append((url, dict(form)))
        return self.status, self.body


def test_amounts_are_two_decimal_strings_and_never_floats():
    assert format_amount(Decimal("88.8")) == "88.80"
    assert format_amount(Decimal("0.01")) == "0.01"
    assert format_amount(Decimal("100")) == "100.00"
    with pytest.raises(TypeError):
        format_amount(88.8)
    with pytest.raises(ValueError):
        format_amount(Decimal("0.001"))
    with pytest.raises(ValueError):
        format_amount(Decimal("-1.00"))
    assert parse_amount("88.80") == Decimal("88.80")
    for bad in ["1e3", "-1.00", "1.234", " 1.00", "01.00", ""]:
        with pytest.raises(ValueError):
            parse_amount(bad)


def test_times_are_beijing_wall_clock():
    assert format_time(datetime(2026, 11, 25, 2, 30, tzinfo=UTC)) == "2026-11-25 10:30:00"
    assert parse_time("2026-11-25 10:30:00") == datetime(2026, 11, 25, 2, 30, tzinfo=UTC)
    with pytest.raises(ValueError):
        format_time(datetime(2026, 11, 25, 10, 30))


def test_config_repr_hides_keys():
    assert "PRIVATE" not in repr(CONFIG)


def test_bad_keys_are_refused_at_construction():
    with pytest.raises(ImproperlyConfigured):
        AlipayClient(AlipayConfig("https://x", "1", "2", "garbage", PUBLIC_PEM))


@pytest.mark.parametrize(
    ("channel", "method", "product_code"),
    [
        ("page", "alipay.trade.page.pay", "FAST_INSTANT_TRADE_PAY"),
        ("wap", "alipay.trade.wap.pay", "QUICK_WAP_WAY"),
    ],
)
def test_page_pay_url_is_signed_and_url_encoded(channel, method, product_code):
    url = AlipayClient(CONFIG).page_pay_url(
        out_trade_no="OMS1",
        total_amount=Decimal("88.80"),
        subject="绿茶 & 红茶",
        time_expire=datetime(2026, 11, 25, 3, 0, tzinfo=UTC),
        notify_url="https://shop.example.com/notify?a=1",
        return_url="https://shop.example.com/return",
        channel=channel,
    )
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == CONFIG.gateway_url
    assert "绿茶" not in parts.query  # URL-encoded
    params = dict(parse_qsl(parts.query, strict_parsing=True))
    assert params["method"] == method
    assert params["notify_url"] == "https://shop.example.com/notify?a=1"
    assert (params["format"], params["charset"], params["sign_type"], params["version"]) == (
        "JSON",
        "utf-8",
        "RSA2",
        "1.0",
    )
    datetime.strptime(params["timestamp"], "%Y-%m-%d %H:%M:%S")
    assert params["biz_content"] == (
        '{"out_trade_no":"OMS1","total_amount":"88.80","subject":"绿茶 & 红茶",'
        f'"product_code":"{product_code}","time_expire":"2026-11-25 11:00:00"}}'
    )
    assert verify_request(params, PUBLIC_PEM)


def test_api_call_sends_common_params_in_query_and_biz_content_in_body():
    transport = Recorder()
    answer = AlipayClient(CONFIG, transport).trade_query(out_trade_no="OMS20261125000001")
    assert answer["trade_status"] == "TRADE_SUCCESS"
    assert answer["subject"] == "绿茶/礼盒 × 2"
    ((url, form),) = transport.calls
    query = dict(parse_qsl(urlsplit(url).query))
    assert set(form) == {"biz_content"}
    assert json.loads(form["biz_content"]) == {"out_trade_no": "OMS20261125000001"}
    assert query["method"] == "alipay.trade.query"
    assert verify_request({**query, **form}, PUBLIC_PEM)


def test_refund_amount_is_formatted_and_reason_optional():
    transport = Recorder(body=RESPONSE_BODY.replace("alipay_trade_query_response", "alipay_trade_refund_response"))
    AlipayClient(CONFIG, transport).trade_refund(
        out_trade_no="OMS1", refund_amount=Decimal("10.5"), out_request_no="R1"
    )
    assert json.loads(transport.calls[0][1]["biz_content"]) == {
        "out_trade_no": "OMS1",
        "refund_amount": "10.50",
        "out_request_no": "R1",
    }


@pytest.mark.parametrize(
    "body",
    [
        RESPONSE_BODY.replace("88.80", "88.81"),
        RESPONSE_BODY.replace('"sign":"q', '"sign":"Q'),
        RESPONSE_BODY.replace("绿茶\\/礼盒", "绿茶/礼盒"),  # same parsed value, different signed text
        RESPONSE_BODY.split(',"sign"')[0] + "}",  # unsigned
        RESPONSE_BODY.replace('"sign":"', '"sign":["').replace('=="}', '=="]}'),
    ],
)
def test_answers_that_do_not_verify_raise(body):
    with pytest.raises(AlipaySignatureError):
        AlipayClient(CONFIG, Recorder(body=body)).trade_query(out_trade_no="OMS1")


@pytest.mark.parametrize("body", ["", "<html>502</html>", "[]", '{"other_response":{},"sign":"x"}'])
def test_malformed_answers_raise(body):
    with pytest.raises(AlipayResponseError):
        AlipayClient(CONFIG, Recorder(body=body)).trade_query(out_trade_no="OMS1")


def test_http_error_status_raises_transport_error():
    with pytest.raises(AlipayTransportError) as caught:
        AlipayClient(CONFIG, Recorder(status=502)).trade_close(out_trade_no="OMS1")
    assert caught.value.details == {"status": 502}


def test_network_failure_raises_transport_error():
    def unreachable(url: str, form: Mapping[str, str]) -> tuple[int, str]:
        raise TimeoutError("timed out")

    with pytest.raises(AlipayTransportError):
        AlipayClient(CONFIG, unreachable).refund_query(out_trade_no="OMS1", out_request_no="R1")


def test_default_transport_refuses_non_http_urls():
    config = AlipayConfig("file:///etc/passwd", "1", "2", PRIVATE_PEM, PUBLIC_PEM)
    with pytest.raises(AlipayTransportError):
        AlipayClient(config).trade_query(out_trade_no="OMS1")


def test_verify_notification_checks_app_id_and_never_raises():
    params = json.loads((VECTORS / "notification_params.json").read_text(encoding="utf-8"))
    client = AlipayClient(CONFIG)
    assert client.verify_notification(params)
    assert not client.verify_notification({**params, "app_id": "2021000000000002"})
    assert not client.verify_notification({})
    assert not client.verify_notification(None)
