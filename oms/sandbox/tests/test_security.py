"""What the sandbox refuses, and what our client refuses to believe."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest
from django.test import Client
from django.utils import timezone

from oms.payments.alipay import AlipayClient, AlipaySignatureError
from oms.payments.alipay.signing import generate_key_pair, rsa2_verify, top_level_members
from oms.sandbox.models import SandboxNotification, SandboxTrade
from oms.sandbox.notifications import deliver_due_notifications
from oms.sandbox.tests.helpers import django_transport, open_cashier, submit

pytestmark = pytest.mark.django_db


def tamper_biz(url: str, form: Mapping[str, str]) -> tuple[int, str]:
    """A man in the middle raising the refund after our client signed it."""
    return django_transport(url, {**form, "biz_content": form["biz_content"].replace("1.00", "99.00")})


def test_request_altered_after_signing_is_refused_with_a_signed_answer(alipay):
    client = AlipayClient(alipay.config, transport=tamper_biz)
    answer = client.trade_refund(out_trade_no="OMS1", refund_amount=Decimal("1.00"), out_request_no="R1")
    assert (answer["code"], answer["msg"], answer["sub_code"]) == (
        "40002",
        "Invalid Arguments",
        "isv.invalid-signature",
    )


def test_request_signed_with_another_key_is_refused(alipay):
    other_private, _ = generate_key_pair()
    config = replace(alipay.config, app_private_key_pem=other_private)
    answer = AlipayClient(config, transport=django_transport).trade_query(out_trade_no="OMS1")
    assert (answer["code"], answer["sub_code"]) == ("40002", "isv.invalid-signature")


def test_unknown_app_id_is_refused(alipay):
    config = replace(alipay.config, app_id="2021999999999999")
    answer = AlipayClient(config, transport=django_transport).trade_query(out_trade_no="OMS1")
    assert (answer["code"], answer["sub_code"]) == ("40002", "isv.invalid-app-id")


def test_unknown_method_answers_a_signed_error_response(alipay, sandbox_keys):
    response = Client().post("/sandbox/alipay/gateway.do", {"method": "alipay.trade.pay.nope", "app_id": "x"})
    members = top_level_members(response.content.decode())
    assert json.loads(members["error_response"])["sub_code"] == "isv.invalid-method"
    assert rsa2_verify(members["error_response"], json.loads(members["sign"]), sandbox_keys.alipay_public_key_pem)


def test_page_pay_with_altered_amount_shows_an_error_page(alipay):
    url = alipay.page_pay_url(
        out_trade_no="OMS1",
        total_amount=Decimal("100.00"),
        subject="x",
        time_expire=timezone.now() + timedelta(minutes=5),
        notify_url="",
        return_url="",
    )
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query["biz_content"] = query["biz_content"].replace("100.00", "0.01")
    response = Client().get(urlunsplit(parts._replace(query=urlencode(query))))
    assert response.status_code == 400
    assert "isv.invalid-signature" in response.content.decode()
    assert not SandboxTrade.objects.exists()


@pytest.mark.parametrize(
    "tamper",
    [
        lambda body: body.replace('"40004"', '"10000"'),  # forging a success
        lambda body: body.replace("ACQ.TRADE_NOT_EXIST", "ACQ.TRADE_NOT_EXISTS"),
        lambda body: body[: body.index('"sign":"') + 8] + "A" + body[body.index('"sign":"') + 9 :],
        lambda body: body.replace('{"code"', '{ "code"'),  # same JSON, different signed text
    ],
)
def test_altered_answer_makes_the_client_raise(alipay, tamper):
    def transport(url: str, form: Mapping[str, str]) -> tuple[int, str]:
        status, body = django_transport(url, form)
        altered = tamper(body)
        assert altered != body
        return status, altered

    with pytest.raises(AlipaySignatureError):
        AlipayClient(alipay.config, transport=transport).trade_query(out_trade_no="NOPE")


def test_forged_notification_is_not_acknowledged_by_the_merchant(alipay, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        submit(open_cashier(alipay).content.decode(), "pay")
    notification = SandboxNotification.objects.get()
    notification.params = {**notification.params, "total_amount": "0.01"}
    notification.save()
    assert deliver_due_notifications(post=django_transport) == 0
    notification.refresh_from_db()
    assert notification.last_response == "HTTP 200: failure" and notification.next_attempt_at is not None
