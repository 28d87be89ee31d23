"""Payment and refund statuses move through their tables (oms.payments.states), each move with an event row, and a
refund remembers where its order was instead of reading it back from the order's event log."""

from __future__ import annotations

import importlib
from datetime import timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.utils import timezone

from oms.orders.models import OrderEvent
from oms.orders.tests.factories import pending_order
from oms.payments.errors import GatewayError
from oms.payments.models import Payment, Refund
from oms.payments.reconciliation import expire_unpaid_orders
from oms.payments.refund_recovery import resume_stuck_refunds
from oms.payments.refunds import refund_order
from oms.payments.tests.alipay_helpers import (
    open_cashier,
    start_alipay,
)
from oms.payments.tests.factories import alipay_paid_order
from oms.payments.tests.network import ProcessDied, dies, use_network
from oms.shipping.services import confirm_order

pytestmark = [
    pytest.mark.sandbox,
    pytest.mark.django_db,
    pytest.mark.usefixtures("sandbox_keys"),
]
LATER = timedelta(minutes=11)  # past OMS_REFUND_STUCK_AFTER


@pytest.fixture
def paid_order(customer, customer_client, address, sku):
    """Two units paid with Alipay through the sandbox: 60.00 + 10.00 shipping."""
    order = alipay_paid_order(customer_client, customer, address, (sku, 2))
    assert order.status == "paid"
    return order


def _moves(rows) -> list[tuple[str, str]]:
    return list(rows.values_list("from_status", "to_status"))


def test_a_payment_and_its_refunds_leave_an_event_row_per_move(paid_order, staff):
    payment = Payment.objects.get(order=paid_order)
    assert _moves(payment.events) == [("created", "succeeded")]
    assert payment.events.get().reason == f"Paid at the gateway: {payment.gateway_trade_no}"

    first = refund_order(order=paid_order, amount=Decimal("20.00"), reason="dented", actor=staff)
    second = refund_order(order=paid_order, reason="the rest", actor=staff)

    assert _moves(payment.events) == [
        ("created", "succeeded"),
        ("succeeded", "partially_refunded"),
        ("partially_refunded", "refunded"),
    ]
    assert list(payment.events.values_list("reason", flat=True))[1:] == [
        f"Refund {first.out_request_no} of 20.00",
        f"Refund {second.out_request_no} of 50.00",
    ]
    for refund in (first, second):
        assert list(refund.events.values_list("from_status", "to_status", "actor", "reason")) == [
            ("pending", "succeeded", staff.pk, "Refund made")
        ]


def test_a_gateway_trade_closed_before_cancelling_leaves_a_payment_event(customer, customer_client, address, sku):
    order = pending_order(customer, address, (sku, 1))
    assert open_cashier(start_alipay(customer_client, order.order_no)).status_code == 200

    assert expire_unpaid_orders(now=timezone.now() + timedelta(days=1)) == 1

    payment = Payment.objects.get(order=order)
    assert _moves(payment.events) == [("created", "closed")]


def test_a_refund_remembers_where_its_order_was_and_returns_it_there(monkeypatch, paid_order, staff):
    confirm_order(order=paid_order, actor=staff)
    use_network(monkeypatch, dies("alipay.trade.refund", after_the_gateway_acted=True))
    with pytest.raises(ProcessDied):
        refund_order(order=paid_order, amount=Decimal("5.00"), reason="scratch", actor=staff)
    use_network(monkeypatch, None)
    refund = Refund.objects.get(order=paid_order)
    assert (refund.status, refund.order_status_before) == ("pending", "awaiting_shipment")
    # Where the order goes back to is the refund's own record, not a reading of the order's timeline.
    OrderEvent.objects.filter(order=paid_order, to_status="refunding").delete()

    assert resume_stuck_refunds(now=timezone.now() + LATER) == {"succeeded": 1}

    paid_order.refresh_from_db()
    assert paid_order.status == "awaiting_shipment"
    assert _moves(refund.events) == [("pending", "succeeded")]
    assert refund.events.get().reason == "Refund made (confirmed later)"


def test_a_refund_the_gateway_refuses_leaves_a_failed_event(paid_order, staff):
    from oms.sandbox.keys import DEMO_APP_ID
    from oms.sandbox.services import refund_trade

    refund_trade(
        app_id=DEMO_APP_ID, out_trade_no=paid_order.order_no, refund_amount=Decimal("70.00"), out_request_no="X"
    )
    with pytest.raises(GatewayError):
        refund_order(order=paid_order, amount=Decimal("10.00"), reason="late", actor=staff)

    refund = Refund.objects.get(order=paid_order)
    [(from_status, to_status, reason)] = refund.events.values_list("from_status", "to_status", "reason")
    assert (from_status, to_status) == ("pending", "failed") and reason.startswith("Refused: ")
    paid_order.refresh_from_db()
    assert paid_order.status == refund.order_status_before == "paid"


def test_the_migration_fills_where_each_refunded_order_was_from_its_event_log(paid_order, staff):
    first = refund_order(order=paid_order, amount=Decimal("20.00"), reason="dented", actor=staff)
    confirm_order(order=paid_order, actor=staff)
    second = refund_order(order=paid_order, amount=Decimal("5.00"), reason="late", actor=staff)
    Refund.objects.update(order_status_before="")  # as the rows were before the field existed

    migration = importlib.import_module("oms.payments.migrations.0004_state_events_and_refund_order_status_before")
    migration.fill_order_status_before(apps, None)

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.order_status_before, second.order_status_before) == ("paid", "awaiting_shipment")
