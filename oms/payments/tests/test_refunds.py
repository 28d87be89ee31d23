"""Staff refunds through the API; Alipay refunds reach the sandbox and are idempotent on out_request_no."""

from __future__ import annotations

from decimal import Decimal

import pytest

from oms.inventory.models import StockMovement
from oms.orders.tests.factories import pending_order
from oms.payments.gateways import get_gateway
from oms.payments.models import GatewayMessage, Payment, Refund
from oms.payments.tests.alipay_helpers import (
    deliver_notifications,
    movement_count,
    pay_with_alipay,
    sandbox_trade,
    stock_levels,
)
from oms.payments.tests.factories import alipay_paid_order

pytestmark = [
    pytest.mark.sandbox,
    pytest.mark.django_db,
    pytest.mark.usefixtures("sandbox_keys"),
]


@pytest.fixture
def paid_order(customer, customer_client, address, sku):
    """Two units paid with Alipay through the sandbox: 60.00 + 10.00 shipping."""
    order = alipay_paid_order(customer_client, customer, address, (sku, 2))
    assert order.status == "paid"
    return order


def _refund(client, order, **body):
    return client.post(f"/api/v1/orders/{order.order_no}/refunds/", body, format="json")


def test_partial_refund_by_amount(staff_client, paid_order):
    response = _refund(staff_client, paid_order, amount="25.50", reason="late delivery")

    assert response.status_code == 201, response.content
    detail = response.json()
    assert detail["status"] == "paid"  # back where it was: a partial refund does not end the order
    [payment] = detail["payments"]
    assert (payment["status"], payment["refunded_amount"]) == ("partially_refunded", "25.50")
    [refund] = detail["refunds"]
    assert (refund["amount"], refund["status"], refund["restock"]) == ("25.50", "succeeded", False)
    assert [e["to_status"] for e in detail["events"]][-2:] == ["refunding", "paid"]

    trade = sandbox_trade(paid_order.order_no)
    assert trade.status == "TRADE_SUCCESS" and trade.refunded_amount == Decimal("25.50")
    [sandbox_refund] = trade.refunds.all()
    assert sandbox_refund.out_request_no == refund["out_request_no"]
    assert sandbox_refund.refund_amount == Decimal("25.50")


def test_refund_of_items_with_restock_returns_them_to_stock(staff_client, paid_order, sku):
    assert stock_levels(sku) == (3, 0)

    response = _refund(
        staff_client,
        paid_order,
        items=[{"sku": sku.code, "quantity": 1}],
        reason="one returned unopened",
        restock=True,
    )

    assert response.status_code == 201, response.content
    detail = response.json()
    assert detail["status"] == "paid"
    [refund] = detail["refunds"]
    assert (refund["amount"], refund["restock"]) == ("30.00", True)
    assert detail["payments"][0]["status"] == "partially_refunded"
    assert stock_levels(sku) == (4, 0)
    [movement] = StockMovement.objects.filter(order=paid_order, kind="return")
    assert (movement.on_hand_delta, movement.reserved_delta) == (1, 0)
    assert movement.note == refund["out_request_no"]
    assert sandbox_trade(paid_order.order_no).refunds.get().out_request_no == refund["out_request_no"]


def test_refund_of_items_without_restock_leaves_stock_alone(staff_client, paid_order, sku):
    response = _refund(staff_client, paid_order, items=[{"sku": sku.code, "quantity": 2}], reason="lost")
    assert response.status_code == 201, response.content
    assert response.json()["refunds"][0]["amount"] == "60.00"
    assert stock_levels(sku) == (3, 0)
    assert movement_count(paid_order, "return") == 0


def test_full_refund_ends_the_order(staff_client, paid_order):
    assert _refund(staff_client, paid_order, amount="10.00", reason="first part").status_code == 201

    response = _refund(staff_client, paid_order, reason="the rest")

    assert response.status_code == 201, response.content
    detail = response.json()
    assert detail["status"] == "refunded"
    assert detail["payments"][0]["status"] == "refunded"
    assert detail["payments"][0]["refunded_amount"] == "70.00"
    assert [r["amount"] for r in detail["refunds"]] == ["10.00", "60.00"]
    trade = sandbox_trade(paid_order.order_no)
    assert trade.status == "TRADE_CLOSED" and trade.refunded_amount == Decimal("70.00")
    assert sorted(trade.refunds.values_list("out_request_no", flat=True)) == sorted(
        r["out_request_no"] for r in detail["refunds"]
    )


@pytest.mark.parametrize("amount", ["70.01", "1000.00"])
def test_refund_beyond_what_was_paid_is_refused(staff_client, paid_order, amount):
    response = _refund(staff_client, paid_order, amount=amount, reason="too much")

    assert response.status_code == 409, response.content
    assert response.json()["code"] == "refund_exceeds_paid"
    paid_order.refresh_from_db()
    assert paid_order.status == "paid"
    assert not Refund.objects.exists()
    assert Payment.objects.get(order=paid_order).refunded_amount == 0
    assert not sandbox_trade(paid_order.order_no).refunds.exists()


def test_refund_beyond_what_is_left_is_refused(staff_client, paid_order):
    assert _refund(staff_client, paid_order, amount="50.00", reason="most").status_code == 201
    response = _refund(staff_client, paid_order, amount="20.01", reason="a cent too much")
    assert response.status_code == 409
    assert response.json()["code"] == "refund_exceeds_paid"
    assert response.json()["details"]["refundable"] == "20.00"


def test_refund_of_an_unpaid_order_is_refused(staff_client, customer, address, sku):
    order = pending_order(customer, address, (sku, 1))
    response = _refund(staff_client, order, reason="nothing paid")
    assert response.status_code == 409
    assert response.json()["code"] == "refund_exceeds_paid"


@pytest.mark.parametrize(
    "body",
    [
        {"amount": "0", "reason": "zero"},
        {"amount": "-5.00", "reason": "negative"},
        {"amount": "1.001", "reason": "a tenth of a cent"},
        {"amount": "5.00"},
        {"items": [{"sku": "NO-SUCH-SKU", "quantity": 1}], "reason": "unknown sku"},
        {"items": [], "reason": "empty"},
    ],
)
def test_invalid_refund_requests_are_400(staff_client, paid_order, body):
    response = _refund(staff_client, paid_order, **body)
    assert response.status_code == 400, response.content
    assert not Refund.objects.exists()


def test_customers_cannot_refund(customer_client, paid_order):
    response = _refund(customer_client, paid_order, amount="10.00", reason="please")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert not Refund.objects.exists()
    assert not sandbox_trade(paid_order.order_no).refunds.exists()


def test_gateway_refund_is_idempotent_on_out_request_no(paid_order):
    payment = Payment.objects.get(order=paid_order)
    gateway = get_gateway("alipay")

    for _ in range(2):
        gateway.refund(payment=payment, amount=Decimal("15.00"), out_request_no="RETRY-1", reason="retried")

    trade = sandbox_trade(paid_order.order_no)
    assert trade.refunded_amount == Decimal("15.00")  # the money moved once
    assert list(trade.refunds.values_list("out_request_no", "refund_amount")) == [("RETRY-1", Decimal("15.00"))]
    answers = GatewayMessage.objects.filter(direction="in", kind="trade_refund").order_by("pk")
    assert ["'fund_change': 'Y'" in m.raw for m in answers] == [True, False]
    assert ["'fund_change': 'N'" in m.raw for m in answers] == [False, True]

    second_try = gateway.client().trade_refund(
        out_trade_no=payment.out_trade_no, refund_amount=Decimal("15.00"), out_request_no="RETRY-1"
    )
    assert (second_try["code"], second_try["fund_change"]) == ("10000", "N")


# --- Idempotency-Key ----------------------------------------------------------------------------------------------
def _refund_with_key(client, order, key, **body):
    return client.post(
        f"/api/v1/orders/{order.order_no}/refunds/", body, format="json", headers={"Idempotency-Key": key}
    )


def test_the_same_key_and_body_give_the_same_refund_once(staff_client, paid_order):
    first = _refund_with_key(staff_client, paid_order, "k-1", amount="25.50", reason="late delivery")
    again = _refund_with_key(staff_client, paid_order, "k-1", amount="25.5", reason="late delivery")

    assert (first.status_code, again.status_code) == (201, 200), again.content
    assert again.json()["refunds"] == first.json()["refunds"]
    [refund] = Refund.objects.filter(order=paid_order)
    assert (refund.idempotency_key, refund.amount) == ("k-1", Decimal("25.50"))
    assert sandbox_trade(paid_order.order_no).refunded_amount == Decimal("25.50")
    assert Payment.objects.get(order=paid_order).refunded_amount == Decimal("25.50")


def test_a_replay_returns_the_refund_even_when_nothing_is_left_to_refund(staff_client, paid_order):
    assert _refund_with_key(staff_client, paid_order, "all", reason="everything").status_code == 201

    again = _refund_with_key(staff_client, paid_order, "all", reason="everything")

    assert again.status_code == 200, again.content
    assert again.json()["status"] == "refunded"
    assert Refund.objects.filter(order=paid_order).count() == 1


def test_the_same_key_with_another_body_is_refused(staff_client, paid_order):
    assert _refund_with_key(staff_client, paid_order, "k-1", amount="10.00", reason="dented").status_code == 201

    for body in ({"amount": "11.00", "reason": "dented"}, {"amount": "10.00", "reason": "dented", "restock": True}):
        response = _refund_with_key(staff_client, paid_order, "k-1", **body)
        assert response.status_code == 422, response.content
        assert response.json()["code"] == "idempotency_key_reused"
        assert response.json()["details"] == {"refund": Refund.objects.get().out_request_no}
    assert Refund.objects.count() == 1
    assert sandbox_trade(paid_order.order_no).refunded_amount == Decimal("10.00")


def test_a_key_belongs_to_one_order(staff_client, paid_order, customer, customer_client, address, sku):
    other = pending_order(customer, address, (sku, 1))
    pay_with_alipay(customer_client, other)
    deliver_notifications()

    assert _refund_with_key(staff_client, paid_order, "shared", amount="5.00", reason="x").status_code == 201
    assert _refund_with_key(staff_client, other, "shared", amount="5.00", reason="x").status_code == 201
    assert Refund.objects.filter(idempotency_key="shared").count() == 2


def test_without_a_key_every_request_is_a_new_refund(staff_client, paid_order):
    for _ in range(2):
        assert _refund(staff_client, paid_order, amount="5.00", reason="x").status_code == 201
    assert Refund.objects.filter(order=paid_order, idempotency_key=None).count() == 2


@pytest.mark.parametrize("key", ["", "   ", "k" * 129])
def test_a_malformed_key_is_400(staff_client, paid_order, key):
    response = _refund_with_key(staff_client, paid_order, key, amount="5.00", reason="x")
    assert response.status_code == 400, response.content
    assert "Idempotency-Key" in response.json()["details"]
    assert not Refund.objects.exists()


def test_a_replay_of_a_refused_refund_answers_the_same_error(staff_client, paid_order):
    from oms.sandbox.keys import DEMO_APP_ID
    from oms.sandbox.services import refund_trade

    # The whole trade was refunded at the gateway by other means: Alipay refuses ours.
    refund_trade(
        app_id=DEMO_APP_ID, out_trade_no=paid_order.order_no, refund_amount=Decimal("70.00"), out_request_no="X"
    )
    first = _refund_with_key(staff_client, paid_order, "k-1", amount="10.00", reason="x")
    again = _refund_with_key(staff_client, paid_order, "k-1", amount="10.00", reason="x")

    assert (first.status_code, again.status_code) == (502, 502)
    assert again.json()["code"] == "gateway_error"
    assert again.json()["details"] == {"refund": Refund.objects.get().out_request_no, "status": "failed"}
    assert Refund.objects.count() == 1


def test_a_replay_while_the_gateway_answer_is_lost_shows_the_pending_refund(monkeypatch, staff_client, paid_order):
    from oms.payments.tests.network import answer_lost, use_network

    use_network(monkeypatch, answer_lost("alipay.trade.refund"))
    first = _refund_with_key(staff_client, paid_order, "k-1", amount="10.00", reason="x")
    assert first.status_code == 502, first.content
    assert first.json()["details"]["status"] == "pending"

    again = _refund_with_key(staff_client, paid_order, "k-1", amount="10.00", reason="x")

    assert again.status_code == 200, again.content
    assert again.json()["status"] == "refunding"
    assert [r["status"] for r in again.json()["refunds"]] == ["pending"]
    assert sandbox_trade(paid_order.order_no).refunded_amount == Decimal("10.00")


def test_the_database_refuses_a_second_refund_with_one_key_on_one_order(paid_order):
    from django.db import IntegrityError, transaction

    payment = Payment.objects.get(order=paid_order)
    fields = {"order": paid_order, "payment": payment, "amount": Decimal("1.00"), "reason": "x", "idempotency_key": "k"}
    Refund.objects.create(out_request_no="A1", **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        Refund.objects.create(out_request_no="A2", **fields)
    Refund.objects.create(out_request_no="A3", **{**fields, "idempotency_key": None})
    Refund.objects.create(out_request_no="A4", **{**fields, "idempotency_key": None})  # no key: no limit
