"""Payment timeouts: overdue unpaid orders are cancelled, their Alipay trades closed first, late money settled."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from oms.orders.tests.factories import pending_order
from oms.payments import balance
from oms.payments.models import BalanceAccount, InboundNotification, Payment
from oms.payments.reconciliation import expire_unpaid_orders
from oms.payments.tests.alipay_helpers import (
    deliver_notifications,
    movement_count,
    open_cashier,
    pay_with_alipay,
    press_pay,
    sandbox_trade,
    start_alipay,
    stock_levels,
)

pytestmark = [
    pytest.mark.sandbox,
    pytest.mark.django_db,
    pytest.mark.usefixtures("sandbox_keys"),
]


def _past_window():
    return timezone.now() + timedelta(hours=1)


def test_overdue_unpaid_orders_are_cancelled_and_release_stock(customer, address, sku):
    overdue = pending_order(customer, address, (sku, 2))
    assert stock_levels(sku) == (5, 2)

    assert expire_unpaid_orders(now=_past_window()) == 1

    overdue.refresh_from_db()
    assert overdue.status == "cancelled"
    assert stock_levels(sku) == (5, 0)
    assert movement_count(overdue, "release") == 1
    assert overdue.events.last().reason == "Payment window expired"
    assert expire_unpaid_orders(now=_past_window()) == 0  # nothing left to do


def test_orders_inside_their_window_are_left_alone(customer, address, sku):
    order = pending_order(customer, address, (sku, 1))
    assert expire_unpaid_orders(now=timezone.now()) == 0
    order.refresh_from_db()
    assert order.status == "pending_payment"
    assert stock_levels(sku) == (5, 1)


def test_an_open_alipay_trade_is_closed_before_the_order_is_cancelled(customer, customer_client, address, sku):
    order = pending_order(customer, address, (sku, 2))
    cashier = open_cashier(start_alipay(customer_client, order.order_no))
    assert cashier.status_code == 200
    assert sandbox_trade(order.order_no).status == "WAIT_BUYER_PAY"

    assert expire_unpaid_orders(now=_past_window()) == 1

    trade = sandbox_trade(order.order_no)
    assert trade.status == "TRADE_CLOSED" and not trade.is_paid
    assert Payment.objects.get(order=order).status == Payment.Status.CLOSED
    order.refresh_from_db()
    assert order.status == "cancelled"
    assert stock_levels(sku) == (5, 0)

    # The buyer, still on the cashier page, presses pay: the gateway refuses; no money, nothing queued.
    refused = press_pay(cashier.content.decode())
    assert refused.status_code == 409
    assert "ACQ.TRADE_HAS_CLOSE" in refused.content.decode()
    assert not sandbox_trade(order.order_no).is_paid
    assert deliver_notifications().answers == []
    # And asking to pay the cancelled order again is refused by us.
    again = customer_client.post(f"/api/v1/orders/{order.order_no}/pay/", {"method": "alipay"}, format="json")
    assert again.status_code == 409


def test_an_order_paid_at_alipay_whose_notification_was_lost_is_settled_not_cancelled(
    customer, customer_client, address, sku
):
    order = pending_order(customer, address, (sku, 2))
    pay_with_alipay(customer_client, order)  # the notification stays queued: "lost" for now

    assert expire_unpaid_orders(now=_past_window()) == 0

    order.refresh_from_db()
    assert order.status == "paid"
    payment = Payment.objects.get(order=order)
    assert payment.status == Payment.Status.SUCCEEDED
    assert payment.gateway_trade_no == sandbox_trade(order.order_no).trade_no
    assert stock_levels(sku) == (3, 0)
    assert movement_count(order, "deduct") == 1
    assert movement_count(order, "release") == 0

    # When the notification does arrive, it is acknowledged and changes nothing.
    [(_, _, body)] = deliver_notifications().answers
    assert body == "success"
    assert InboundNotification.objects.get().outcome == "already_settled"
    assert movement_count(order, "deduct") == 1


def test_paying_an_expired_order_with_alipay_is_refused(customer, customer_client, address, sku):
    order = pending_order(customer, address, (sku, 1), now=timezone.now() - timedelta(hours=2))

    response = customer_client.post(f"/api/v1/orders/{order.order_no}/pay/", {"method": "alipay"}, format="json")

    assert response.status_code == 409, response.content
    assert response.json()["code"] == "order_expired"
    assert not Payment.objects.filter(order=order).exists()


def test_paying_an_expired_order_with_balance_is_refused(customer, customer_client, address, sku, staff):
    balance.top_up_balance(customer=customer, amount=Decimal("100.00"), actor=staff, reason="funds")
    balance.set_payment_password(customer=customer, raw_password="123456")
    order = pending_order(customer, address, (sku, 1), now=timezone.now() - timedelta(hours=2))

    response = customer_client.post(
        f"/api/v1/orders/{order.order_no}/pay/",
        {"method": "balance", "payment_password": "123456"},
        format="json",
    )

    assert response.status_code == 409, response.content
    assert response.json()["code"] == "order_expired"
    assert BalanceAccount.objects.get(customer=customer).balance == Decimal("100.00")
    order.refresh_from_db()
    assert order.status == "pending_payment"


def test_expire_orders_command(customer, customer_client, address, sku, capsys):
    overdue = pending_order(customer, address, (sku, 1), now=timezone.now() - timedelta(hours=2))
    fresh = pending_order(customer, address, (sku, 1))

    call_command("expire_orders")

    assert "expired 1 order(s)" in capsys.readouterr().out
    overdue.refresh_from_db()
    fresh.refresh_from_db()
    assert (overdue.status, fresh.status) == ("cancelled", "pending_payment")
    assert stock_levels(sku) == (5, 1)
