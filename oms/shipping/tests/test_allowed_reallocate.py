"""Whether a user may re-allocate an order now (oms.shipping.allowed), over states × users, and the service
refusing exactly what the predicate refuses."""

from __future__ import annotations

import pytest

from oms.common.errors import OmsError
from oms.conftest import WHO
from oms.inventory.tests.factories import WarehouseFactory
from oms.orders.states import OrderStatus
from oms.orders.tests.factories import pending_order
from oms.payments.refunds import refund_order
from oms.payments.tests.factories import paid_order
from oms.shipping import allowed
from oms.shipping.reallocation import reallocate_order
from oms.shipping.tests.factories import shipped_order, stocked_sku

S = OrderStatus
MOVABLE = {S.PENDING_PAYMENT, S.PAYMENT_FAILED, S.PAID, S.AWAITING_SHIPMENT}
pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("status", list(S))
def test_reallocate_follows_state_and_user(people, address, status, who) -> None:
    sku = stocked_sku(WarehouseFactory())
    order = pending_order(people["owner"], address, (sku, 1))
    order.status = status
    assert allowed.can_reallocate(order=order, user=people[who]) is (status in MOVABLE and who == "staff")


def test_not_once_a_parcel_left_and_the_service_agrees(people, address) -> None:
    order, _ = shipped_order(customer=people["owner"], staff=people["staff"], address=address)
    order.status = S.AWAITING_SHIPMENT  # as if a second parcel were still waiting: the first one has left
    refused = allowed.why_not_reallocate(order)
    assert refused is not None and "already left the warehouse" in refused.message
    assert not allowed.can_reallocate(order=order, user=people["staff"])
    order.refresh_from_db()
    with pytest.raises(OmsError) as raised:
        reallocate_order(order=order, actor=people["staff"])
    refused = allowed.why_not_reallocate(order)
    assert refused is not None
    assert (raised.value.code, raised.value.message) == (refused.code, refused.message)


def test_not_once_a_refund_put_units_back_and_the_service_agrees(people, address) -> None:
    sku = stocked_sku(WarehouseFactory())
    order = paid_order(customer=people["owner"], staff=people["staff"], address=address, lines=[(sku, 2)])
    assert allowed.can_reallocate(order=order, user=people["staff"])
    refund_order(
        order=order, reason="one broke", actor=people["staff"], items=[{"sku": sku.code, "quantity": 1}], restock=True
    )
    order.refresh_from_db()
    assert order.status == S.PAID
    assert not allowed.can_reallocate(order=order, user=people["staff"])
    with pytest.raises(OmsError) as raised:
        reallocate_order(order=order, actor=people["staff"])
    refused = allowed.why_not_reallocate(order)
    assert refused is not None
    assert raised.value.message == refused.message
