"""Refunds on real threads and committed transactions: one Idempotency-Key sent many times at once makes one
refund, and two recovery runs at once settle a pending refund once.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from oms.accounts.tests.factories import StaffFactory, UserFactory
from oms.common.testing import results_of, run_together
from oms.inventory.tests.factories import stock_sku
from oms.orders.models import OrderEvent
from oms.orders.tests.factories import pending_order
from oms.payments.models import Payment, Refund
from oms.payments.refund_recovery import resume_stuck_refunds
from oms.payments.refunds import refund_order
from oms.payments.tests.alipay_helpers import deliver_notifications, pay_with_alipay, sandbox_trade
from oms.payments.tests.network import ProcessDied, dies, use_network

pytestmark = [
    pytest.mark.sandbox,
    pytest.mark.concurrency,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("sandbox_keys"),
]
THREADS = 8


@pytest.fixture
def paid_order(address):
    """Two units paid with Alipay through the sandbox: 60.00 + 10.00 shipping."""
    customer = UserFactory()
    client = APIClient()
    client.force_authenticate(customer)
    order = pending_order(customer, address, (stock_sku(on_hand=5, price=Decimal("30.00")), 2))
    pay_with_alipay(client, order)
    deliver_notifications()
    order.refresh_from_db()
    assert order.status == "paid"
    return order


def test_one_idempotency_key_sent_many_times_at_once_makes_one_refund(paid_order):
    staff = StaffFactory()

    def post():
        client = APIClient()
        client.force_authenticate(staff)
        response = client.post(
            f"/api/v1/orders/{paid_order.order_no}/refunds/",
            {"amount": "25.00", "reason": "dented"},
            format="json",
            headers={"Idempotency-Key": "one-refund"},
        )
        return response.status_code, response.json()

    answers = results_of(run_together([post] * THREADS))

    assert sorted(status for status, _ in answers) == [200] * (THREADS - 1) + [201], answers
    [refund] = Refund.objects.filter(order=paid_order)
    assert {tuple(r["out_request_no"] for r in body["refunds"]) for _, body in answers} == {(refund.out_request_no,)}
    assert refund.status == "succeeded"
    assert sandbox_trade(paid_order.order_no).refunded_amount == Decimal("25.00")
    payment = Payment.objects.get(order=paid_order)
    assert (payment.status, payment.refunded_amount) == ("partially_refunded", Decimal("25.00"))
    paid_order.refresh_from_db()
    assert paid_order.status == "paid"


def test_two_recovery_runs_at_once_settle_a_stuck_refund_once(monkeypatch, paid_order):
    staff = StaffFactory()
    use_network(monkeypatch, dies("alipay.trade.refund", after_the_gateway_acted=False))
    with pytest.raises(ProcessDied):
        refund_order(order=paid_order, amount=Decimal("20.00"), reason="dented", actor=staff)
    use_network(monkeypatch, None)
    later = timezone.now() + timedelta(minutes=11)

    outcomes = results_of(run_together([lambda: resume_stuck_refunds(now=later)] * 2))

    assert sum(outcome.get("succeeded", 0) for outcome in outcomes) == 1, outcomes
    refund = Refund.objects.get(order=paid_order)
    assert refund.status == "succeeded"
    assert sandbox_trade(paid_order.order_no).refunded_amount == Decimal("20.00")
    assert (
        OrderEvent.objects.filter(order=paid_order, reason__startswith=f"Refund {refund.out_request_no}").count() == 1
    )
    assert Payment.objects.get(order=paid_order).refunded_amount == Decimal("20.00")
