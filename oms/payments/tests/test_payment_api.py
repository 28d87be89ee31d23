"""The payment API: paying an order (Alipay, balance), the customer's balance, staff top-ups."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from rest_framework.test import APIClient

from oms.accounts.tests.factories import UserFactory
from oms.orders.tests.factories import pending_order
from oms.payments import balance
from oms.payments.models import BalanceAccount, BalanceEntry, Payment
from oms.payments.tests.alipay_helpers import movement_count, start_alipay, stock_levels

pytestmark = pytest.mark.django_db

PASSWORD = "246810"


@pytest.fixture
def order(customer, address, sku):
    return pending_order(customer, address, (sku, 2))  # 60.00 + 10.00 shipping


def _fund(customer, staff, amount: str) -> None:
    balance.top_up_balance(customer=customer, amount=Decimal(amount), actor=staff, reason="test funds")
    balance.set_payment_password(customer=customer, raw_password=PASSWORD)


def _pay(client, order, **body):
    return client.post(f"/api/v1/orders/{order.order_no}/pay/", body, format="json")


def _balance_of(customer) -> Decimal:
    return BalanceAccount.objects.get(customer=customer).balance


# --- Alipay -------------------------------------------------------------------------------------------------
@pytest.mark.sandbox
@pytest.mark.usefixtures("sandbox_keys")
@pytest.mark.parametrize(("channel", "method"), [("page", "alipay.trade.page.pay"), ("wap", "alipay.trade.wap.pay")])
def test_pay_with_alipay_answers_a_signed_pay_url(customer_client, order, channel, method):
    pay_url = start_alipay(customer_client, order.order_no, channel=channel)

    split = urlsplit(pay_url)
    assert split.path == "/sandbox/alipay/gateway.do"
    query = {key: values[0] for key, values in parse_qs(split.query).items()}
    assert query["method"] == method and query["sign_type"] == "RSA2" and query["sign"]
    assert query["notify_url"] == "http://testserver/api/v1/payments/alipay/notify/"
    assert f'"out_trade_no":"{order.order_no}"' in query["biz_content"]
    assert '"total_amount":"70.00"' in query["biz_content"]
    payment = Payment.objects.get(order=order)
    assert (payment.method, payment.status, payment.amount) == ("alipay", "created", Decimal("70.00"))
    order.refresh_from_db()
    assert order.status == "pending_payment"


@pytest.mark.sandbox
@pytest.mark.usefixtures("sandbox_keys")
def test_asking_twice_reuses_the_one_alipay_payment(customer_client, order):
    start_alipay(customer_client, order.order_no)
    start_alipay(customer_client, order.order_no, channel="wap")
    assert Payment.objects.filter(order=order).count() == 1


@pytest.mark.parametrize("method", ["offline", "cash", ""])
def test_customers_cannot_pay_with_another_method(customer_client, order, method):
    response = _pay(customer_client, order, method=method)
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "validation_error"
    assert not Payment.objects.filter(order=order).exists()


def test_only_the_customer_who_placed_the_order_pays_it(order):
    stranger = APIClient()
    stranger.force_authenticate(UserFactory())
    assert _pay(stranger, order, method="alipay").status_code == 404
    assert APIClient().post(f"/api/v1/orders/{order.order_no}/pay/", {"method": "alipay"}).status_code in (
        401,
        403,
    )
    assert not Payment.objects.exists()


# --- Balance ------------------------------------------------------------------------------------------------
def test_pay_with_balance_answers_the_paid_order(customer, customer_client, order, sku, staff):
    _fund(customer, staff, "100.00")

    response = _pay(customer_client, order, method="balance", payment_password=PASSWORD)

    assert response.status_code == 200, response.content
    detail = response.json()
    assert detail["order_no"] == order.order_no and detail["status"] == "paid"
    [payment] = detail["payments"]
    assert (payment["method"], payment["status"], payment["amount"]) == ("balance", "succeeded", "70.00")
    assert detail["refunds"] == []
    assert _balance_of(customer) == Decimal("30.00")
    assert stock_levels(sku) == (3, 0)
    assert movement_count(order, "deduct") == 1

    again = _pay(customer_client, order, method="balance", payment_password=PASSWORD)
    assert again.status_code == 409
    assert _balance_of(customer) == Decimal("30.00")


def test_wrong_payment_password_is_403(customer, customer_client, order, staff):
    _fund(customer, staff, "100.00")

    response = _pay(customer_client, order, method="balance", payment_password="000000")

    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "payment_password_invalid"
    assert body["details"]["attempts_left"] == balance.MAX_PASSWORD_ATTEMPTS - 1
    assert _balance_of(customer) == Decimal("100.00")
    order.refresh_from_db()
    assert order.status == "pending_payment"


def test_paying_with_balance_without_a_password_set_is_403(customer, customer_client, order, staff):
    balance.top_up_balance(customer=customer, amount=Decimal("100.00"), actor=staff, reason="funds")
    response = _pay(customer_client, order, method="balance", payment_password=PASSWORD)
    assert response.status_code == 403
    assert response.json()["code"] == "payment_password_invalid"


def test_paying_with_balance_needs_the_password(customer, customer_client, order, staff):
    _fund(customer, staff, "100.00")
    response = _pay(customer_client, order, method="balance")
    assert response.status_code == 400
    assert "payment_password" in response.json()["details"]


def test_insufficient_balance_is_409(customer, customer_client, order, sku, staff):
    _fund(customer, staff, "69.99")

    response = _pay(customer_client, order, method="balance", payment_password=PASSWORD)

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "insufficient_balance"
    assert body["details"] == {"balance": "69.99", "required": "70.00"}
    assert _balance_of(customer) == Decimal("69.99")
    assert not Payment.objects.filter(order=order).exists()
    assert stock_levels(sku) == (5, 2)


def test_my_balance_lists_the_ledger(customer, customer_client, order, staff):
    assert customer_client.get("/api/v1/me/balance/").json() == {"balance": "0.00", "entries": []}
    _fund(customer, staff, "100.00")
    _pay(customer_client, order, method="balance", payment_password=PASSWORD)

    response = customer_client.get("/api/v1/me/balance/")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"balance", "entries"}
    assert body["balance"] == "30.00"
    newest, oldest = body["entries"]
    assert (newest["kind"], newest["amount"], newest["balance_after"]) == ("payment", "-70.00", "30.00")
    assert newest["order_no"] == order.order_no
    assert (oldest["kind"], oldest["amount"], oldest["order_no"]) == ("top_up", "100.00", None)
    assert APIClient().get("/api/v1/me/balance/").status_code in (401, 403)


def test_staff_top_up(customer, customer_client, staff, staff_client):
    response = staff_client.post(
        f"/api/v1/customers/{customer.username}/balance/top-ups/",
        {"amount": "88.80", "reason": "goodwill"},
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["amount"], body["balance_after"], body["reason"]) == (
        "top_up",
        "88.80",
        "88.80",
        "goodwill",
    )
    assert customer_client.get("/api/v1/me/balance/").json()["balance"] == "88.80"
    assert BalanceEntry.objects.get().actor == staff


def test_customers_cannot_top_up(customer, customer_client):
    response = customer_client.post(
        f"/api/v1/customers/{customer.username}/balance/top-ups/",
        {"amount": "1000.00", "reason": "free money"},
        format="json",
    )
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert not BalanceEntry.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"amount": "0", "reason": "zero"},
        {"amount": "0.00", "reason": "zero"},
        {"amount": "-10.00", "reason": "negative"},
        {"amount": "1.001", "reason": "a tenth of a cent"},
        {"amount": "abc", "reason": "not a number"},
        {"amount": "NaN", "reason": "not a number"},
        {"amount": "10000000000.00", "reason": "too many digits"},
        {"reason": "no amount"},
        {"amount": "10.00"},
        {"amount": "10.00", "reason": "x", "unexpected": True},
    ],
)
def test_bad_top_ups_are_400(customer, staff_client, body):
    response = staff_client.post(f"/api/v1/customers/{customer.username}/balance/top-ups/", body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "validation_error"
    assert not BalanceEntry.objects.exists()


def test_top_up_of_an_unknown_customer_is_404(staff_client):
    response = staff_client.post(
        "/api/v1/customers/nobody/balance/top-ups/", {"amount": "10.00", "reason": "x"}, format="json"
    )
    assert response.status_code == 404


def test_order_detail_carries_payments_and_refunds(customer, customer_client, order, staff, staff_client):
    _fund(customer, staff, "100.00")
    _pay(customer_client, order, method="balance", payment_password=PASSWORD)
    refunded = staff_client.post(
        f"/api/v1/orders/{order.order_no}/refunds/", {"amount": "20.00", "reason": "dent"}, format="json"
    )
    assert refunded.status_code == 201, refunded.content

    detail = customer_client.get(f"/api/v1/orders/{order.order_no}/").json()

    [payment] = detail["payments"]
    assert (payment["status"], payment["refunded_amount"]) == ("partially_refunded", "20.00")
    [refund] = detail["refunds"]
    assert (refund["amount"], refund["status"], refund["reason"]) == ("20.00", "succeeded", "dent")
    assert refund["out_request_no"].startswith(order.order_no)
    assert _balance_of(customer) == Decimal("50.00")
