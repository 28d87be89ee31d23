"""What a user may do with returns now (oms.aftersales.allowed), over states × users, and the services refusing
exactly what the predicates refuse."""

from __future__ import annotations

import pytest

from oms.aftersales import allowed, services
from oms.aftersales.states import ReturnStatus
from oms.aftersales.tests.factories import delivered_order, requested_return
from oms.common.errors import OmsError
from oms.conftest import WHO
from oms.inventory.tests.factories import WarehouseFactory
from oms.orders.states import OrderStatus
from oms.payments.refunds import refund_order
from oms.shipping.tests.factories import stocked_sku

R = ReturnStatus
pytestmark = pytest.mark.django_db


@pytest.fixture
def delivered(people, address):
    sku = stocked_sku(WarehouseFactory())
    order = delivered_order(customer=people["owner"], staff=people["staff"], address=address, lines=[(sku, 2)])
    return order, sku


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("status", list(R))
def test_return_actions_follow_state_and_user(people, delivered, status, who) -> None:
    order, sku = delivered
    ret = requested_return(order, (sku.code, 1))
    ret.status = status
    user = people[who]
    staff, customer_or_staff = who == "staff", who in ("owner", "staff")
    assert allowed.can_approve_return(ret=ret, user=user) is (status == R.REQUESTED and staff)
    assert allowed.can_reject_return(ret=ret, user=user) is (status == R.REQUESTED and staff)
    assert allowed.can_receive_return(ret=ret, user=user) is (status == R.SHIPPED and staff)
    assert allowed.can_refund_return(ret=ret, user=user) is (status == R.RECEIVED and staff)
    assert allowed.can_ship_return(ret=ret, user=user) is (status == R.APPROVED and customer_or_staff)
    assert allowed.can_cancel_return(ret=ret, user=user) is (status in {R.REQUESTED, R.APPROVED} and customer_or_staff)


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("status", list(OrderStatus))
def test_asking_for_a_return_follows_the_order_state_and_user(people, delivered, status, who) -> None:
    order, _ = delivered
    order.status = status
    closed = {OrderStatus.PENDING_PAYMENT, OrderStatus.PAYMENT_FAILED, OrderStatus.CANCELLED, OrderStatus.REFUNDED}
    expected = who == "owner" and status not in closed
    assert allowed.can_request_return(order=order, user=people[who]) is expected


def test_the_services_refuse_what_the_predicates_refuse(people, delivered) -> None:
    order, sku = delivered
    ret = requested_return(order, (sku.code, 1))
    services.reject_return(return_request=ret, actor=people["staff"], reason="worn")
    ret.refresh_from_db()
    for can, act in [
        (allowed.can_approve_return, lambda: services.approve_return(return_request=ret, actor=people["staff"])),
        (
            allowed.can_cancel_return,
            lambda: services.cancel_return(return_request=ret, actor=people["owner"], by_staff=False),
        ),
    ]:
        assert not can(ret=ret, user=people["staff"])
        with pytest.raises(OmsError):
            act()
    assert ret.rejection_reason == "worn"


def test_a_refunded_order_is_not_offered_for_return_and_the_service_agrees(people, delivered) -> None:
    order, sku = delivered
    assert allowed.can_request_return(order=order, user=people["owner"])
    refund_order(order=order, reason="goodwill", actor=people["staff"])
    order.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED
    refused = allowed.why_not_return(order)
    assert refused is not None and not allowed.can_request_return(order=order, user=people["owner"])
    with pytest.raises(OmsError) as raised:
        services.request_return(
            order=order, customer=people["owner"], items=[services.ReturnLineInput(sku.code, 1)], reason="x"
        )
    assert (raised.value.code, raised.value.message) == (refused.code, refused.message)
