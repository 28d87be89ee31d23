"""Real threads on one real database: the last returnable unit, double receipts and double refunds.

Workers start together at a barrier, each on its own connection. Only the errors a caller is promised may come
out; a deadlock, a lock timeout or any other database error fails the test (it is re-raised here).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from oms.aftersales import services
from oms.aftersales.errors import InvalidReturnTransition, ReturnQuantityExceeded, ReturnRefundInProgress
from oms.aftersales.models import ReturnRequest
from oms.aftersales.tests.factories import delivered_order, requested_return, shipped_return
from oms.common.testing import assert_only, run_together
from oms.inventory.models import StockMovement
from oms.inventory.tests.factories import WarehouseFactory, stock_of
from oms.payments.models import Payment, Refund
from oms.shipping.tests.factories import stocked_sku

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def warehouse():
    return WarehouseFactory()


@pytest.fixture
def tea(warehouse):
    return stocked_sku(warehouse, on_hand=10, price="30.00")


@pytest.fixture
def order(customer, staff, address, tea):
    return delivered_order(customer=customer, staff=staff, address=address, lines=[(tea, 2)])


def test_two_requests_for_the_last_returnable_unit_one_wins(order, tea):
    requested_return(order, (tea.code, 1))  # one of the two units is already spoken for

    outcomes = run_together([lambda: requested_return(order, (tea.code, 1)) for _ in range(2)])

    assert_only(outcomes, ReturnQuantityExceeded)
    assert sorted(type(o.error).__name__ for o in outcomes) == ["NoneType", "ReturnQuantityExceeded"]
    assert ReturnRequest.objects.filter(order=order).count() == 2


def test_many_customers_clicking_at_once_through_the_api_never_oversell_returns(order, customer, tea):
    def post():
        client = APIClient()
        client.force_authenticate(customer)
        body = {"items": [{"sku": tea.code, "quantity": 1}], "reason": "Changed my mind"}
        return client.post(f"/api/v1/orders/{order.order_no}/returns/", body, format="json")

    outcomes = run_together([post for _ in range(6)])

    assert_only(outcomes)
    codes = sorted((o.value.status_code, o.value.json().get("code")) for o in outcomes)
    assert codes == [(201, None)] * 2 + [(409, "return_quantity_exceeded")] * 4
    assert sum(line.quantity for r in ReturnRequest.objects.all() for line in r.lines.all()) == 2


def test_two_staff_receiving_the_same_parcel_restock_and_refund_once(order, staff, tea, warehouse):
    request = shipped_return(order, (tea.code, 1), staff=staff)

    outcomes = run_together(
        [lambda: services.receive_return(return_request=request, actor=staff, restock=True) for _ in range(2)]
    )

    assert_only(outcomes, InvalidReturnTransition)
    [winner] = [o.value for o in outcomes if o.error is None]
    assert (winner.return_request.status, winner.refund_error) == ("refunded", None)
    assert stock_of(tea, warehouse).on_hand == 9
    assert StockMovement.objects.filter(kind=StockMovement.Kind.RETURN).count() == 1
    assert Refund.objects.count() == 1
    assert Payment.objects.get(order=order).refunded_amount == Decimal("30.00")


def test_concurrent_refund_retries_pay_out_once(order, staff, tea):
    request = shipped_return(order, (tea.code, 1), staff=staff)
    ReturnRequest.objects.filter(pk=request.pk).update(status="received")  # received; its refund failed before

    outcomes = run_together([lambda: services.refund_return(return_request=request, actor=staff) for _ in range(4)])

    assert_only(outcomes, ReturnRefundInProgress, InvalidReturnTransition)
    # One pays; a retry that finds that refund already made may finish the return too, but never pays again.
    assert {o.value.status for o in outcomes if o.error is None} == {"refunded"}
    assert Refund.objects.count() == 1
    assert request.events.filter(to_status="refunded").count() == 1
    assert Payment.objects.get(order=order).refunded_amount == Decimal("30.00")


def test_actions_on_returns_of_one_order_racing_each_other_never_deadlock(customer, staff, address, tea, warehouse):
    order = delivered_order(customer=customer, staff=staff, address=address, lines=[(tea, 4)])
    to_receive = shipped_return(order, (tea.code, 1), staff=staff, tracking_no="SF1")
    to_cancel = requested_return(order, (tea.code, 1))
    to_reject = requested_return(order, (tea.code, 1))

    outcomes = run_together(
        [
            lambda: services.receive_return(return_request=to_receive, actor=staff),
            lambda: services.cancel_return(return_request=to_cancel, actor=customer, by_staff=False),
            lambda: services.reject_return(return_request=to_reject, actor=staff, reason="Used"),
            lambda: requested_return(order, (tea.code, 1)),
            lambda: requested_return(order, (tea.code, 1)),
        ]
    )

    # Whatever order they ran in: the two freed units may or may not have been free yet for the new requests.
    assert_only(outcomes, ReturnQuantityExceeded)
    assert outcomes[0].value.return_request.status == "refunded"
    assert stock_of(tea, warehouse).on_hand == 7
    claimed = sum(
        line.quantity
        for r in ReturnRequest.objects.exclude(status__in=["rejected", "cancelled"])
        for line in r.lines.all()
    )
    assert claimed <= 4
