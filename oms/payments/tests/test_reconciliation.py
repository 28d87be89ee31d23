"""Reconciliation with the gateway: lost notifications settled by a query; the daily comparison of books."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from oms.inventory.tests.factories import stock_sku
from oms.orders.tests.factories import pending_order
from oms.payments.models import Payment, PaymentIssue
from oms.payments.reconciliation import daily_reconciliation, reconcile_stale_payments
from oms.payments.refunds import refund_order
from oms.payments.services import record_offline_payment
from oms.payments.tests.alipay_helpers import (
    movement_count,
    open_cashier,
    pay_with_alipay,
    start_alipay,
    stock_levels,
)
from oms.payments.tests.factories import alipay_paid_order

pytestmark = [
    pytest.mark.sandbox,
    pytest.mark.django_db,
    pytest.mark.usefixtures("sandbox_keys"),
]


@pytest.fixture
def sku():
    return stock_sku(on_hand=10, price=Decimal("30.00"))


def _paid_through_sandbox(customer, customer_client, address, sku, quantity=2):
    order = alipay_paid_order(customer_client, customer, address, (sku, quantity))
    return Payment.objects.get(order=order)


def _day_of(payment: Payment):
    return timezone.localtime(payment.succeeded_at).date()


def test_stale_payment_paid_at_the_gateway_is_settled(customer, customer_client, address, sku):
    order = pending_order(customer, address, (sku, 2))
    pay_with_alipay(customer_client, order)  # paid on the cashier; the notification never reaches us
    unpaid = pending_order(customer, address, (sku, 1))
    assert open_cashier(start_alipay(customer_client, unpaid.order_no)).status_code == 200

    outcomes = reconcile_stale_payments(older_than=timedelta(0))

    assert outcomes.get("paid") == 1
    order.refresh_from_db()
    assert order.status == "paid"
    assert Payment.objects.get(order=order).status == Payment.Status.SUCCEEDED
    assert movement_count(order, "deduct") == 1
    unpaid.refresh_from_db()
    assert unpaid.status == "pending_payment"  # still open at the gateway: left alone
    assert Payment.objects.get(order=unpaid).status == Payment.Status.CREATED
    assert stock_levels(sku) == (8, 1)

    assert reconcile_stale_payments(older_than=timedelta(0)).get("paid") is None  # nothing more to settle


def test_recent_payments_are_not_reconciled_yet(customer, customer_client, address, sku):
    order = pending_order(customer, address, (sku, 1))
    pay_with_alipay(customer_client, order)

    assert reconcile_stale_payments() == {}  # younger than OMS_RECONCILE_AFTER_MINUTES

    order.refresh_from_db()
    assert order.status == "pending_payment"


def test_daily_reconciliation_of_consistent_books(customer, customer_client, address, sku, staff):
    paid = _paid_through_sandbox(customer, customer_client, address, sku)
    partly = _paid_through_sandbox(customer, customer_client, address, sku)
    refund_order(order=partly.order, amount=Decimal("5.00"), reason="scratch", actor=staff)

    report = daily_reconciliation(day=_day_of(paid))

    assert report.day == _day_of(paid)
    assert report.checked == 2
    assert report.mismatches == []
    assert not PaymentIssue.objects.exists()


def test_daily_reconciliation_of_a_fully_refunded_payment(customer, customer_client, address, sku, staff):
    payment = _paid_through_sandbox(customer, customer_client, address, sku)
    refund_order(order=payment.order, reason="returned", actor=staff)  # Alipay closes a fully refunded trade

    report = daily_reconciliation(day=_day_of(payment))

    assert report.checked == 1
    assert report.mismatches == []
    assert not PaymentIssue.objects.exists()


def test_daily_reconciliation_skips_payments_that_never_went_through_a_gateway(customer, address, sku, staff):
    order = pending_order(customer, address, (sku, 1))
    record_offline_payment(order=order, actor=staff, reference="bank transfer 42")

    report = daily_reconciliation(day=timezone.localdate())

    assert (report.checked, report.mismatches) == (0, [])


def test_daily_reconciliation_reports_an_amount_mismatch(customer, customer_client, address, sku):
    payment = _paid_through_sandbox(customer, customer_client, address, sku)
    Payment.objects.filter(pk=payment.pk).update(amount=Decimal("69.00"))  # our books say less than Alipay's

    report = daily_reconciliation(day=_day_of(payment))

    assert report.checked == 1
    [mismatch] = report.mismatches
    assert mismatch["out_trade_no"] == payment.out_trade_no
    assert "70.00" in mismatch["problem"] and "69.00" in mismatch["problem"]
    issue = PaymentIssue.objects.get()
    assert (issue.kind, issue.payment_id, issue.order_id) == ("reconciliation", payment.pk, payment.order_id)


def test_daily_reconciliation_looks_at_one_day_only(customer, customer_client, address, sku):
    payment = _paid_through_sandbox(customer, customer_client, address, sku)
    report = daily_reconciliation(day=_day_of(payment) - timedelta(days=1))
    assert (report.checked, report.mismatches) == (0, [])
