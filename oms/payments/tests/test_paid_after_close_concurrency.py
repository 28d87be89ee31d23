"""A cancel racing the money, on real threads and committed transactions against the sandbox: whichever wins,
the order is either paid (the cancel refused) or cancelled with every yuan the gateway took refunded and flagged.
Money is never kept silently.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from oms.accounts.tests.factories import UserFactory
from oms.common.testing import assert_only, run_together
from oms.inventory.tests.factories import stock_sku
from oms.orders.errors import InvalidTransition
from oms.orders.tests.factories import pending_order
from oms.payments.cancellation import cancel_or_refund_order
from oms.payments.models import Payment, PaymentIssue, Refund
from oms.payments.tests.alipay_helpers import (
    deliver_notifications,
    movement_count,
    pay_in_cashier,
    post_notification,
    queued_notifications,
    start_alipay,
    stock_levels,
)

pytestmark = [
    pytest.mark.sandbox,
    pytest.mark.concurrency,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("sandbox_keys"),
]


@pytest.fixture
def linked(address):
    """An order of 2 × 30.00 (+ 10.00 shipping) whose Alipay pay link was handed out."""
    customer = UserFactory()
    client = APIClient()
    client.force_authenticate(customer)
    sku = stock_sku(on_hand=5, price=Decimal("30.00"))
    order = pending_order(customer, address, (sku, 2))
    return order, customer, sku, start_alipay(client, order.order_no)


def _money_at_gateway(order_no: str) -> Decimal:
    from oms.sandbox.models import SandboxTrade

    trade = SandboxTrade.objects.filter(out_trade_no=order_no).first()
    if trade is None or trade.gmt_payment is None:
        return Decimal("0.00")
    return trade.total_amount - trade.refunded_amount


def _assert_consistent(order, sku, *, cancel_refused: bool) -> str:
    """Check the end state and say which one it is."""
    deliver_notifications()  # whatever the sandbox still has to tell us (its first HTTP attempt went nowhere)
    order.refresh_from_db()
    payment = Payment.objects.get(order=order)
    if order.status == "paid":
        assert cancel_refused
        assert payment.status == Payment.Status.SUCCEEDED
        assert _money_at_gateway(order.order_no) == Decimal("70.00")
        assert stock_levels(sku) == (3, 0) and movement_count(order, "deduct") == 1
        assert not Refund.objects.filter(order=order).exists()
        assert not PaymentIssue.objects.filter(order=order).exists()
        return "paid"
    assert order.status == "cancelled" and not cancel_refused
    assert stock_levels(sku) == (5, 0) and movement_count(order, "deduct") == 0
    assert _money_at_gateway(order.order_no) == Decimal("0.00")
    if payment.status == Payment.Status.CLOSED:  # the buyer came too late: the gateway took nothing
        assert not Refund.objects.filter(order=order).exists()
        return "cancelled"
    assert (payment.status, payment.refunded_amount) == (Payment.Status.REFUNDED, Decimal("70.00"))
    assert Refund.objects.get(order=order).status == Refund.Status.SUCCEEDED
    assert PaymentIssue.objects.filter(order=order, resolved_at__isnull=True).exists()  # flagged for staff
    return "refunded"


@pytest.mark.parametrize("attempt", range(3))
def test_cancel_racing_the_payment_notification(linked, attempt):  # noqa: ARG001
    """The buyer paid; the notification arrives while the customer cancels."""
    order, customer, sku, pay_url = linked
    pay_in_cashier(pay_url)
    [notification] = queued_notifications(order.order_no)

    cancel, notify = run_together(
        [
            lambda: cancel_or_refund_order(order=order, actor=customer, reason="", by_staff=False),
            lambda: post_notification(notification).content,
        ]
    )

    assert_only([cancel], InvalidTransition)
    assert notify.error is None and notify.value == b"success"
    assert _assert_consistent(order, sku, cancel_refused=cancel.error is not None) == "paid"


@pytest.mark.parametrize("attempt", range(4))
def test_cancel_racing_the_buyer_paying_an_old_link(linked, attempt):  # noqa: ARG001
    """The customer cancels while the buyer opens the pay link, pays, and the notification comes in."""
    order, customer, sku, pay_url = linked

    def buyer_pays() -> bool:
        try:
            pay_in_cashier(pay_url)
        except AssertionError:
            return False  # the cancel closed the trade first: the cashier refused the payment
        for form in queued_notifications(order.order_no):
            assert post_notification(form).content == b"success"
        return True

    cancel, paid = run_together(
        [lambda: cancel_or_refund_order(order=order, actor=customer, reason="", by_staff=False), buyer_pays]
    )

    assert_only([cancel, paid], InvalidTransition)
    end = _assert_consistent(order, sku, cancel_refused=cancel.error is not None)
    assert end in {"paid", "cancelled", "refunded"}
    if paid.value is False:
        assert end == "cancelled"
