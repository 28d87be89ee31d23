"""Cancel-and-refund on real threads and committed transactions: racing the parcel out of the warehouse, and
racing itself. Exactly one side wins; money and stock agree with whichever did.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from oms.accounts.tests.factories import StaffFactory, UserFactory
from oms.common.testing import assert_only, run_together
from oms.inventory.tests.factories import stock_sku
from oms.orders.errors import InvalidTransition
from oms.orders.tests.factories import pending_order
from oms.payments import balance
from oms.payments.cancellation import cancel_or_refund_order
from oms.payments.models import Refund
from oms.payments.services import pay_with_balance
from oms.payments.tests.alipay_helpers import stock_levels
from oms.shipping import services as shipping
from oms.shipping.errors import ShipmentNotPending

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]
PASSWORD = "135790"


@pytest.fixture
def confirmed(address):
    """A balance-paid order of 2 × 30.00 (+ 10.00 shipping) from a 100.00 balance, confirmed: one pending parcel."""
    customer, staff = UserFactory(), StaffFactory()
    sku = stock_sku(on_hand=5, price=Decimal("30.00"))
    balance.top_up_balance(customer=customer, amount=Decimal("100.00"), actor=staff, reason="funds")
    balance.set_payment_password(customer=customer, raw_password=PASSWORD)
    order = pay_with_balance(
        order=pending_order(customer, address, (sku, 2)), customer=customer, payment_password=PASSWORD
    )
    return shipping.confirm_order(order=order, actor=staff), customer, staff, sku


@pytest.mark.parametrize("attempt", range(3))
def test_cancel_racing_the_parcel_leaving_lets_exactly_one_through(confirmed, attempt):  # noqa: ARG001
    order, customer, staff, sku = confirmed
    parcel = order.shipments.get()

    outcomes = run_together(
        [
            lambda: cancel_or_refund_order(order=order, actor=customer, reason="", by_staff=False),
            lambda: shipping.ship_shipment(shipment=parcel, carrier="sim", tracking_no=f"SIM-R{order.pk}", actor=staff),
        ]
    )

    assert_only(outcomes, InvalidTransition, ShipmentNotPending)
    cancelled, shipped = (outcome.error is None for outcome in outcomes)
    assert cancelled != shipped, outcomes
    order.refresh_from_db()
    parcel.refresh_from_db()
    if cancelled:
        assert (order.status, parcel.status) == ("refunded", "pending")
        assert balance.account_for(customer).balance == Decimal("100.00")
        assert stock_levels(sku) == (5, 0)
    else:
        assert (order.status, parcel.status) == ("shipped", "picked_up")
        assert not Refund.objects.filter(order=order).exists()
        assert balance.account_for(customer).balance == Decimal("30.00")
        assert stock_levels(sku) == (3, 0)


def test_many_cancels_at_once_refund_once(confirmed):
    order, customer, _, sku = confirmed

    outcomes = run_together(
        [lambda: cancel_or_refund_order(order=order, actor=customer, reason="", by_staff=False)] * 6
    )

    assert_only(outcomes, InvalidTransition)
    assert sum(outcome.error is None for outcome in outcomes) == 1
    assert Refund.objects.filter(order=order).count() == 1
    assert balance.account_for(customer).balance == Decimal("100.00")
    assert stock_levels(sku) == (5, 0)
