"""Cancelling a paid order before it ships: the whole payment goes back, every unit goes back on hand, and a
parcel that has left makes it a return instead.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from oms.accounts.tests.factories import StaffFactory, UserFactory
from oms.inventory.models import StockMovement
from oms.inventory.tests.factories import WarehouseFactory, stock_sku
from oms.orders.models import Order
from oms.orders.tests.factories import pending_order
from oms.payments import balance
from oms.payments.models import BalanceEntry, Payment, Refund
from oms.payments.refund_recovery import resume_stuck_refunds
from oms.payments.refunds import refund_order
from oms.payments.services import pay_with_balance
from oms.payments.tests.alipay_helpers import (
    deliver_notifications,
    pay_with_alipay,
    sandbox_trade,
    stock_levels,
)
from oms.payments.tests.network import answer_lost, use_network
from oms.shipping import services as shipping

pytestmark = [pytest.mark.django_db]
needs_sandbox = pytest.mark.sandbox
PASSWORD = "246810"


def _pay_from_balance(customer, order: Order) -> Order:
    """Pay ``order`` from a balance topped up to 100.00."""
    balance.top_up_balance(customer=customer, amount=Decimal("100.00"), actor=StaffFactory.create(), reason="funds")
    balance.set_payment_password(customer=customer, raw_password=PASSWORD)
    return pay_with_balance(order=order, customer=customer, payment_password=PASSWORD)


@pytest.fixture
def balance_paid(customer, address, sku) -> Order:
    """Two units (60.00 + 10.00 shipping) paid from a balance of 100.00."""
    return _pay_from_balance(customer, pending_order(customer, address, (sku, 2)))


def _cancel(client, order, **body):
    return client.post(f"/api/v1/orders/{order.order_no}/cancel/", body, format="json")


def _statuses(order) -> list[str]:
    return list(order.events.order_by("id").values_list("to_status", flat=True))


@needs_sandbox
@pytest.mark.usefixtures("sandbox_keys")
def test_customer_cancels_an_alipay_order_before_it_is_confirmed(customer, customer_client, address, sku):
    order = pending_order(customer, address, (sku, 2))
    pay_with_alipay(customer_client, order)
    deliver_notifications()
    assert stock_levels(sku) == (3, 0)

    response = _cancel(customer_client, order, reason="ordered the wrong size")

    assert response.status_code == 200, response.content
    detail = response.json()
    assert detail["status"] == "refunded"
    [refund] = detail["refunds"]
    assert (refund["amount"], refund["status"], refund["restock"]) == ("70.00", "succeeded", True)
    assert sandbox_trade(order.order_no).refunded_amount == Decimal("70.00")  # shipping fee included
    assert stock_levels(sku) == (5, 0)
    assert _statuses(order)[-3:] == ["paid", "refunding", "refunded"]
    refunding = order.events.get(to_status="refunding")
    assert "Cancelled by the customer before shipping: ordered the wrong size" in refunding.reason
    assert refunding.actor == customer


@needs_sandbox
@pytest.mark.usefixtures("sandbox_keys")
def test_a_cancel_whose_refund_gets_no_answer_is_accepted_and_settled_later(
    monkeypatch, customer, customer_client, address, sku
):
    order = pending_order(customer, address, (sku, 2))
    pay_with_alipay(customer_client, order)
    deliver_notifications()
    use_network(monkeypatch, answer_lost("alipay.trade.refund"))

    response = _cancel(customer_client, order)

    assert response.status_code == 202, response.content
    assert response.json()["status"] == "refunding"
    [refund] = Refund.objects.filter(order=order)
    assert (refund.status, refund.restock) == ("pending", True)
    assert stock_levels(sku) == (3, 0)  # units go back when the refund is confirmed

    use_network(monkeypatch, None)
    assert resume_stuck_refunds(now=timezone.now() + timedelta(hours=1)) == {"succeeded": 1}

    order.refresh_from_db()
    assert order.status == "refunded"
    assert sandbox_trade(order.order_no).refunded_amount == Decimal("70.00")  # sent twice, paid once
    assert stock_levels(sku) == (5, 0)


def test_cancelling_an_order_awaiting_shipment_refunds_the_balance_and_restocks(
    customer, customer_client, balance_paid, sku
):
    order = shipping.confirm_order(order=balance_paid, actor=StaffFactory())
    assert order.status == "awaiting_shipment" and order.shipments.count() == 1
    assert balance.account_for(customer).balance == Decimal("30.00")

    response = _cancel(customer_client, order)

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "refunded"
    assert balance.account_for(customer).balance == Decimal("100.00")
    assert BalanceEntry.objects.filter(order=order, kind="refund").get().amount == Decimal("70.00")
    assert stock_levels(sku) == (5, 0)
    [returned] = StockMovement.objects.filter(order=order, kind="return")
    assert returned.on_hand_delta == 2
    assert Payment.objects.get(order=order).status == "refunded"


def test_staff_cancel_a_paid_order_the_same_way(staff_client, balance_paid, sku):
    response = _cancel(staff_client, balance_paid, reason="out of season")

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "refunded"
    assert "Cancelled by staff before shipping: out of season" in balance_paid.events.get(to_status="refunding").reason
    assert stock_levels(sku) == (5, 0)


def test_once_the_parcel_left_cancel_is_refused_and_changes_nothing(customer, customer_client, balance_paid, sku):
    staff = StaffFactory()
    order = shipping.confirm_order(order=balance_paid, actor=staff)
    shipping.ship_shipment(shipment=order.shipments.get(), carrier="sim", tracking_no="SIM-CANCEL-1", actor=staff)
    events = order.events.count()

    response = _cancel(customer_client, order)

    assert response.status_code == 409, response.content
    body = response.json()
    assert body["code"] == "invalid_transition"
    assert body["details"]["current_status"] == "shipped"
    assert order.events.count() == events
    assert not Refund.objects.filter(order=order).exists()
    assert balance.account_for(customer).balance == Decimal("30.00")
    assert stock_levels(sku) == (3, 0)


def test_one_parcel_gone_of_two_is_enough_to_refuse(customer, customer_client, address):
    staff = StaffFactory()
    east, west = WarehouseFactory(), WarehouseFactory()
    tea, cup = stock_sku(warehouse=east, on_hand=4), stock_sku(warehouse=west, on_hand=4)
    order = _pay_from_balance(customer, pending_order(customer, address, (tea, 1), (cup, 1)))
    order = shipping.confirm_order(order=order, actor=staff)
    first = order.shipments.order_by("id").first()
    shipping.ship_shipment(shipment=first, carrier="sim", tracking_no="SIM-CANCEL-2", actor=staff)
    order.refresh_from_db()
    assert order.status == "awaiting_shipment"

    response = _cancel(customer_client, order)

    assert response.status_code == 409, response.content
    assert "already left the warehouse" in response.json()["message"]
    assert not Refund.objects.filter(order=order).exists()


def test_units_an_earlier_refund_restocked_are_not_restocked_again(customer_client, balance_paid, sku):
    refund_order(
        order=balance_paid,
        reason="one dented",
        actor=StaffFactory(),
        items=[{"sku": sku.code, "quantity": 1}],
        restock=True,
    )
    assert stock_levels(sku) == (4, 0)

    response = _cancel(customer_client, balance_paid)

    assert response.status_code == 200, response.content
    refunds = Refund.objects.filter(order=balance_paid).order_by("id")
    assert [(r.amount, r.items[0]["quantity"]) for r in refunds] == [(Decimal("30.00"), 1), (Decimal("40.00"), 1)]
    assert stock_levels(sku) == (5, 0)
    assert Payment.objects.get(order=balance_paid).refunded_amount == Decimal("70.00")


def test_cancelling_twice_refunds_once(customer, customer_client, balance_paid):
    assert _cancel(customer_client, balance_paid).status_code == 200

    again = _cancel(customer_client, balance_paid)

    assert again.status_code == 409
    assert again.json()["details"]["current_status"] == "refunded"
    assert Refund.objects.filter(order=balance_paid).count() == 1
    assert balance.account_for(customer).balance == Decimal("100.00")


def test_someone_elses_paid_order_is_not_found(api_client, balance_paid):
    api_client.force_authenticate(UserFactory())

    assert _cancel(api_client, balance_paid).status_code == 404
    assert not Refund.objects.filter(order=balance_paid).exists()
