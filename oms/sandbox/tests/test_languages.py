"""The cashier and its message pages follow the buyer's language; the gateway's own words (sub_msg) and codes stay
as Alipay sends them."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from oms.sandbox.tests.helpers import NOTIFY_URL, RETURN_URL, SUBJECT, form_fields

pytestmark = pytest.mark.django_db


def cashier(alipay, language: str, *, out_trade_no: str = "OMS1", amount: str = "88.80"):
    url = alipay.page_pay_url(
        out_trade_no=out_trade_no,
        total_amount=Decimal(amount),
        subject=SUBJECT,
        time_expire=timezone.now() + timedelta(minutes=30),
        notify_url=NOTIFY_URL,
        return_url=RETURN_URL,
        channel="page",
    )
    browser = Client(headers={"accept-language": language})
    return browser, browser.get(url)


def test_cashier_in_chinese(alipay):
    _, page = cashier(alipay, "zh-CN,zh;q=0.9")
    html = page.content.decode()
    assert page.status_code == 200 and '<html lang="zh-hans">' in html
    assert "<h1>支付宝收银台</h1>" in html and "商户订单号" in html and "确认付款 ¥88.80" in html
    assert "沙箱环境" in html and "Alipay" not in html and "Cashier" not in html
    assert "年" in html  # the payment deadline as a Chinese date


def test_cashier_in_english_says_alipay(alipay):
    _, page = cashier(alipay, "en")
    html = page.content.decode()
    assert page.status_code == 200 and '<html lang="en">' in html
    assert "<h1>Alipay cashier</h1>" in html and "Merchant order number" in html and "Pay ¥88.80" in html
    assert "支付宝" not in html and "收银台" not in html


def test_refusal_page_keeps_the_gateways_words_in_either_language(alipay):
    cashier(alipay, "en")
    for language, title in (("zh-CN", "支付失败"), ("en", "Payment refused")):
        _, refused = cashier(alipay, language, amount="1.00")  # same out_trade_no, another amount
        html = refused.content.decode()
        assert refused.status_code == 409 and f"<h1>{title}</h1>" in html
        assert "ACQ.CONTEXT_INCONSISTENT" in html and "交易信息被篡改" in html  # Alipay's sub_code and sub_msg


def test_paid_page_in_chinese(alipay):
    browser, page = cashier(alipay, "zh-CN")
    action, fields = form_fields(page.content.decode(), "pay")
    assert browser.post(action, fields).status_code == 302
    again = browser.post(action, fields)  # a second click: the trade is paid
    html = again.content.decode()
    assert "<h1>交易已支付</h1>" in html and "该订单已支付，无需再付款。" in html and "返回商城" in html
    assert "已付款" in html and "TRADE_SUCCESS" in html  # the status's label, with the gateway's code beside it
