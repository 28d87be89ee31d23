"""Every parser of outside input answers a malformed body with a 400, never a 500, and changes nothing: API JSON
bodies, signed carrier webhooks, Alipay notifications and the Alipay sandbox's gateway."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.test import Client

from oms.common.json_input import MalformedJSON, loads_untrusted
from oms.orders.models import Order
from oms.payments.models import GatewayMessage, InboundNotification
from oms.shipping.carriers.base import SIGNATURE_HEADER, sign_webhook
from oms.shipping.models import TrackingEvent

DEEP = b"[" * 100_000 + b"]" * 100_000
DEEP_OBJECT = b'{"a":' * 100_000 + b"1" + b"}" * 100_000
HUGE_FLOAT = b'{"n": 1e999999}'
HUGE_INT = b'{"n": ' + b"9" * 100_000 + b"}"
NAN = b'{"n": NaN}'
INFINITY = b'{"n": -Infinity}'
BAD_UTF8 = b'{"n": "\xff\xfe\xc3"}'
TRUNCATED = b'{"items": [{"sku": '
EMPTY = b""
MALFORMED = {
    "deep arrays": DEEP,
    "deep objects": DEEP_OBJECT,
    "1e999999": HUGE_FLOAT,
    "100000 digits": HUGE_INT,
    "NaN": NAN,
    "-Infinity": INFINITY,
    "invalid UTF-8": BAD_UTF8,
    "truncated": TRUNCATED,
}
WITH_EMPTY = {**MALFORMED, "empty": EMPTY}
# A form field is text: invalid UTF-8 in one is the form's problem (tested at the notify endpoint).
TEXT_CASES = {name: body for name, body in WITH_EMPTY.items() if body is not BAD_UTF8}
pytestmark = pytest.mark.django_db


def _assert_json_400(response, code: str = "parse_error") -> None:
    assert response.status_code == 400, response.content[:300]
    body = response.json()
    assert set(body) == {"code", "message", "details"}
    assert body["code"] == code and body["message"]


@pytest.mark.parametrize("body", WITH_EMPTY.values(), ids=WITH_EMPTY.keys())
def test_the_helper_refuses_it(body):
    with pytest.raises(MalformedJSON):
        loads_untrusted(body)


def test_the_helper_reads_ordinary_json():
    text = b'{"a": [1, -2.5, "x[{\\"", {"b": null}], "c": true, "n": 12345678901234567890}'
    assert loads_untrusted(text) == {"a": [1, -2.5, 'x[{"', {"b": None}], "c": True, "n": 12345678901234567890}
    assert loads_untrusted(b"[" * 64 + b"]" * 64) is not None  # deep, but within the limit


@pytest.mark.parametrize("body", MALFORMED.values(), ids=MALFORMED.keys())
@pytest.mark.parametrize("path", ["/api/v1/orders/", "/api/v1/auth/token/"])
def test_api_body(customer_client, path, body):
    _assert_json_400(customer_client.post(path, body, content_type="application/json"))
    assert not Order.objects.exists()


def test_api_empty_body_is_a_400(customer_client):
    # No body at all is not malformed JSON but a request without fields: the fields it needs are reported.
    _assert_json_400(
        customer_client.post("/api/v1/orders/", EMPTY, content_type="application/json"), "validation_error"
    )


@pytest.mark.parametrize("body", WITH_EMPTY.values(), ids=WITH_EMPTY.keys())
def test_signed_carrier_webhook(settings, body):
    settings.OMS_CARRIERS = {"sim": "oms.shipping.carriers.sim.SimCarrier"}
    settings.OMS_CARRIER_SECRETS = {"sim": "sim-secret"}
    headers = {SIGNATURE_HEADER: sign_webhook(secret="sim-secret", body=body)}
    response = Client().post("/api/v1/carriers/sim/webhook/", body, content_type="application/json", headers=headers)
    _assert_json_400(response)
    assert not TrackingEvent.objects.exists()


NOTIFY = "/api/v1/payments/alipay/notify/"
FORM = "application/x-www-form-urlencoded"
BAD_FORMS = {
    "invalid UTF-8": b"notify_id=1&subject=\xff\xfe",
    "invalid percent-escaped UTF-8": b"notify_id=1&subject=%FF%FE",
    "empty": b"",
    "a field twice": b"out_trade_no=1&out_trade_no=2",
}


@pytest.mark.parametrize("body", BAD_FORMS.values(), ids=BAD_FORMS.keys())
def test_alipay_notification_form(body):
    response = Client().post(NOTIFY, body, content_type=FORM)
    assert (response.status_code, response.content) == (400, b"failure")
    assert not InboundNotification.objects.exists() and not GatewayMessage.objects.exists()


@pytest.mark.parametrize("body", MALFORMED.values(), ids=MALFORMED.keys())
def test_alipay_notification_that_is_not_a_form(body):
    response = Client().post(NOTIFY, body, content_type="application/json")
    too_large = len(body) > 64 * 1024  # refused before it is read
    assert (response.status_code, response.content) == (413 if too_large else 400, b"failure")
    assert not InboundNotification.objects.exists() and not GatewayMessage.objects.exists()


@pytest.mark.sandbox
@pytest.mark.parametrize("biz_content", TEXT_CASES.values(), ids=TEXT_CASES.keys())
def test_sandbox_gateway_biz_content(biz_content):
    """The sandbox speaks Alipay's protocol: a signed request with a malformed biz_content gets Alipay's signed
    refusal (HTTP 200, code 40002, isv.invalid-parameter), as the real gateway answers it."""
    from oms.payments.alipay import AlipayClient
    from oms.payments.alipay.signing import sign_request, top_level_members
    from oms.sandbox.keys import get_sandbox_keys, sandbox_config

    client = AlipayClient(sandbox_config("http://testserver"))
    params = client._signed_params("alipay.trade.query", {})
    params["biz_content"] = biz_content.decode()
    params.pop("sign")
    params["sign"] = sign_request(params, get_sandbox_keys().app_private_key_pem)

    response = Client().post("/sandbox/alipay/gateway.do", urlencode(params), content_type=FORM)

    assert response.status_code == 200
    answer = loads_untrusted(top_level_members(response.content.decode())["alipay_trade_query_response"])
    assert (answer["code"], answer["sub_code"]) == ("40002", "isv.invalid-parameter")
