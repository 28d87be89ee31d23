"""The whole Alipay path against the local sandbox: our API, the real client, real signatures, real views."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlencode, urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from oms.inventory.models import Stock
from oms.inventory.tests.factories import stock_sku
from oms.payments.models import InboundNotification, Payment
from oms.payments.tests.alipay_helpers import FORM_TYPE

pytestmark = pytest.mark.sandbox


def _place(client, address, sku, quantity=2) -> dict:
    response = client.post(
        "/api/v1/orders/",
        {"items": [{"sku": sku.code, "quantity": quantity}], "shipping_address": address},
        format="json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def _django_post(url: str, form) -> tuple[int, str]:
    """Deliver a sandbox notification to our notify endpoint through Django's test client (no network)."""
    response = Client().post(urlsplit(url).path, urlencode(dict(form)), content_type=FORM_TYPE)
    return response.status_code, response.content.decode()


def _pay_in_cashier(pay_url: str):
    from oms.sandbox.tests.helpers import submit

    split = urlsplit(pay_url)
    cashier = Client().get(f"{split.path}?{split.query}")
    assert cashier.status_code == 200
    html = cashier.content.decode()
    assert '<form id="pay"' in html
    return submit(html, "pay")


@pytest.mark.django_db(transaction=True)
def test_order_paid_through_sandbox_notification(customer_client, address, settings):
    from oms.sandbox.notifications import deliver_due_notifications

    settings.OMS_PUBLIC_BASE_URL = "http://testserver"
    sku = stock_sku(on_hand=5, price=Decimal("30.00"))
    order = _place(customer_client, address, sku)

    answer = customer_client.post(f"/api/v1/orders/{order['order_no']}/pay/", {"method": "alipay"}, format="json")
    assert answer.status_code == 200, answer.content
    pay_url = answer.json()["pay_url"]
    assert "/sandbox/alipay/gateway.do?" in pay_url and "alipay.trade.page.pay" in pay_url

    redirect = _pay_in_cashier(pay_url)
    assert redirect.status_code == 302
    # The first delivery goes over HTTP to testserver, which does not exist; the retry pass reaches us.
    later = timezone.now() + timedelta(hours=1)
    assert deliver_due_notifications(now=later, post=_django_post) == 1
    assert deliver_due_notifications(now=later, post=_django_post) == 0  # delivered: no more retries
    detail = customer_client.get(f"/api/v1/orders/{order['order_no']}/").json()
    assert detail["status"] == "paid", detail
    assert detail["payments"][0]["method"] == "alipay"
    assert detail["payments"][0]["status"] == "succeeded"
    stock = Stock.objects.get(sku=sku)
    assert (stock.on_hand, stock.reserved) == (3, 0)
    assert InboundNotification.objects.filter(outcome="paid").count() == 1


@pytest.mark.django_db(transaction=True)
def test_return_page_settles_through_signed_query(customer_client, address, settings):
    settings.OMS_PUBLIC_BASE_URL = "http://testserver"
    sku = stock_sku(on_hand=5, price=Decimal("30.00"))
    order = _place(customer_client, address, sku)
    pay_url = customer_client.post(
        f"/api/v1/orders/{order['order_no']}/pay/", {"method": "alipay", "channel": "wap"}, format="json"
    ).json()["pay_url"]
    assert "alipay.trade.wap.pay" in pay_url

    redirect = _pay_in_cashier(pay_url)
    back = urlsplit(redirect["Location"])
    assert back.path == "/payments/alipay/return/"
    page = Client().get(f"{back.path}?{back.query}")
    assert page.status_code == 200
    html = page.content.decode()
    assert '<h1 id="payment-return-h">Payment received</h1>' in html
    assert "oms shop" in html and 'rel="stylesheet"' in html  # the shop's own layout
    assert f'href="/orders/{order["order_no"]}/"' in html  # the way back to the (real) order
    assert Payment.objects.get(out_trade_no=order["order_no"]).status == Payment.Status.SUCCEEDED

    tampered = Client().get(f"{back.path}?{back.query.replace('total_amount=', 'total_amount=1')}")
    assert tampered.status_code == 400
    assert "Payment link not recognised" in tampered.content.decode()
    assert f"/orders/{order['order_no']}/" not in tampered.content.decode()


@pytest.mark.django_db
def test_return_page_echoes_nothing_it_is_sent(sandbox_keys):  # noqa: ARG001
    attack = "'><script>alert(1)</script>"
    page = Client().get("/payments/alipay/return/", {"out_trade_no": attack, "sign": "x", "sign_type": "RSA2"})
    html = page.content.decode()
    assert page.status_code == 400
    assert "<script>alert" not in html and "alert(1)" not in html
    assert "Payment link not recognised" in html
    assert not re.search(r'href="/orders/[^"]+/"', html)  # no link to any order
