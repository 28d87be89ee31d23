"""Money the gateway takes for a payment we closed or failed (an old pay link used after a cancel) is recorded,
refunded automatically and flagged, whichever way we learn of it: the notification, the shopper's return, the
stale-payment job or the daily reconciliation. Played on the local sandbox: real cashier, real signatures.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from oms.orders.models import Order
from oms.orders.tests.factories import pending_order
from oms.payments.cancellation import cancel_or_refund_order
from oms.payments.models import InboundNotification, Payment, PaymentIssue, Refund
from oms.payments.reconciliation import daily_reconciliation, reconcile_stale_payments
from oms.payments.selectors import exception_queue
from oms.payments.tests.alipay_helpers import (
    deliver_notifications,
    movement_count,
    pay_in_cashier,
    sandbox_trade,
    start_alipay,
    stock_levels,
)

pytestmark = [
    pytest.mark.sandbox,
    pytest.mark.django_db,
    pytest.mark.usefixtures("sandbox_keys"),
]


@pytest.fixture
def cancelled_with_link(customer, customer_client, address, sku) -> tuple[Order, str]:
    """An Alipay order whose pay link was handed out but never opened, then cancelled by its customer: the close
    answers ACQ.TRADE_NOT_EXIST (no trade yet), so the payment is recorded ``closed``."""
    order = pending_order(customer, address, (sku, 2))  # 60.00 + 10.00 shipping
    pay_url = start_alipay(customer_client, order.order_no)
    cancel_or_refund_order(order=order, actor=customer, reason="changed my mind", by_staff=False)
    order.refresh_from_db()
    assert order.status == "cancelled"
    assert Payment.objects.get(order=order).status == Payment.Status.CLOSED
    return order, pay_url


def assert_refunded_and_flagged(order: Order, sku) -> None:
    """The end state of money that came for a written-off payment: order still cancelled, nothing deducted,
    the whole amount back at the gateway, an open issue in the exception queue."""
    order.refresh_from_db()
    assert order.status == "cancelled"
    assert stock_levels(sku) == (5, 0)
    assert movement_count(order, "deduct") == 0
    payment = Payment.objects.get(order=order)
    assert payment.gateway_trade_no == sandbox_trade(order.order_no).trade_no  # recorded
    assert (payment.status, payment.refunded_amount) == (Payment.Status.REFUNDED, Decimal("70.00"))
    refund = Refund.objects.get(order=order)
    assert (refund.status, refund.automatic, refund.amount) == (Refund.Status.SUCCEEDED, True, Decimal("70.00"))
    trade = sandbox_trade(order.order_no)
    assert (trade.status, trade.refunded_amount) == ("TRADE_CLOSED", Decimal("70.00"))
    issue = PaymentIssue.objects.get(order=order)
    assert issue.kind == "paid_after_close" and issue.resolved_at is None
    assert order.order_no in [entry.order_no for entry in exception_queue()]


def test_notification_for_a_closed_payment_is_refunded_and_flagged(
    cancelled_with_link, sku, django_capture_on_commit_callbacks
):
    order, pay_url = cancelled_with_link
    pay_in_cashier(pay_url)  # the old link still opens a trade at the gateway, and the buyer pays it

    with django_capture_on_commit_callbacks(execute=True):
        answers = deliver_notifications().answers

    assert [body for _, _, body in answers] == ["success"]
    assert InboundNotification.objects.get().outcome == "refund_scheduled"
    assert_refunded_and_flagged(order, sku)


def test_return_page_for_a_closed_payment_refunds_and_flags(
    cancelled_with_link, sku, django_capture_on_commit_callbacks
):
    order, pay_url = cancelled_with_link
    back = urlsplit(pay_in_cashier(pay_url)["Location"])

    with django_capture_on_commit_callbacks(execute=True):
        page = Client().get(f"{back.path}?{back.query}")

    assert page.status_code == 200
    assert b"refunded" in page.content
    assert_refunded_and_flagged(order, sku)


def test_stale_payment_job_finds_money_for_a_closed_payment(
    cancelled_with_link, sku, django_capture_on_commit_callbacks
):
    order, pay_url = cancelled_with_link
    pay_in_cashier(pay_url)  # the notification never reaches us

    with django_capture_on_commit_callbacks(execute=True):
        outcomes = reconcile_stale_payments(older_than=timedelta(0))

    assert outcomes == {"refund_scheduled": 1}
    assert_refunded_and_flagged(order, sku)
    assert reconcile_stale_payments(older_than=timedelta(0)) == {}  # refunded: nothing left to ask about


def test_stale_payment_job_asks_about_a_closed_payment_until_its_window_is_over(cancelled_with_link):
    order, _ = cancelled_with_link

    assert reconcile_stale_payments(older_than=timedelta(0)) == {"unpaid": 1}  # the link could still be paid
    assert reconcile_stale_payments(older_than=timedelta(0)) == {"unpaid": 1}

    Order.objects.filter(pk=order.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert reconcile_stale_payments(older_than=timedelta(0)) == {"unpaid": 1}  # asked after the window: settled
    assert Payment.objects.get(order=order).unpaid_confirmed_at is not None
    assert reconcile_stale_payments(older_than=timedelta(0)) == {}
    assert not PaymentIssue.objects.exists()


def test_daily_reconciliation_finds_money_we_do_not_hold(cancelled_with_link, sku, django_capture_on_commit_callbacks):
    order, pay_url = cancelled_with_link
    pay_in_cashier(pay_url)

    with django_capture_on_commit_callbacks(execute=True):
        report = daily_reconciliation(day=timezone.localdate())

    assert report.checked == 1
    [mismatch] = report.mismatches
    assert mismatch["out_trade_no"] == order.order_no and "closed" in mismatch["problem"]
    assert_refunded_and_flagged(order, sku)


def test_daily_reconciliation_of_unpaid_payments_finds_nothing(cancelled_with_link):
    report = daily_reconciliation(day=timezone.localdate())
    assert (report.checked, report.mismatches) == (1, [])
    assert not PaymentIssue.objects.exists()


def test_failed_payment_paid_after_all_is_refunded_and_flagged(
    customer, customer_client, address, sku, django_capture_on_commit_callbacks
):
    """The gateway's word was "closed unpaid" (payment failed, order parked for staff), then money came."""
    from oms.payments.exceptions import record_payment_failure

    order = pending_order(customer, address, (sku, 2))
    pay_url = start_alipay(customer_client, order.order_no)
    record_payment_failure(payment=Payment.objects.get(order=order), reason="risk control")
    order.refresh_from_db()
    assert order.status == "payment_failed"
    pay_in_cashier(pay_url)

    with django_capture_on_commit_callbacks(execute=True):
        deliver_notifications()

    order.refresh_from_db()
    assert order.status == "payment_failed"  # not paid by a payment we wrote off: staff decide
    assert stock_levels(sku) == (5, 2)
    payment = Payment.objects.get(order=order)
    assert (payment.status, payment.refunded_amount) == (Payment.Status.REFUNDED, Decimal("70.00"))
    assert PaymentIssue.objects.get(order=order).kind == "paid_after_close"
