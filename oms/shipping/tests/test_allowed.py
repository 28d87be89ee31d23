"""What a user may do with an order's fulfilment now (oms.shipping.allowed), over states × users, and the services
refusing exactly what the predicates refuse."""

from __future__ import annotations

import pytest
from django.utils import timezone

from oms.common.errors import OmsError
from oms.conftest import WHO
from oms.orders.states import OrderStatus
from oms.shipping import allowed, services
from oms.shipping.models import ShipmentStatus
from oms.shipping.tests.factories import confirmed_order, shipped_order

S = OrderStatus
pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("status", list(S))
def test_confirm_ship_and_receipt_follow_state_and_user(people, address, status, who) -> None:
    # A real confirmed order with one parcel in the warehouse, looked at in each state.
    order = confirmed_order(customer=people["owner"], staff=people["staff"], address=address)
    order.status = status
    user = people[who]
    assert allowed.can_confirm(order=order, user=user) is (status == S.PAID and who == "staff")
    assert allowed.can_ship_order(order=order, user=user) is (status == S.AWAITING_SHIPMENT and who == "staff")
    assert allowed.can_confirm_receipt(order=order, user=user) is (status == S.SHIPPED and who == "owner")
    assert allowed.can_reship(order=order, user=user) is False  # no parcel failed


def _failed_order(people, address):
    order, shipment = shipped_order(customer=people["owner"], staff=people["staff"], address=address)
    services.record_tracking_event(
        carrier="sim",
        event_id=f"lost-{shipment.pk}",
        tracking_no=shipment.tracking_no,
        status=ShipmentStatus.EXCEPTION,
        occurred_at=timezone.now(),
    )
    order.refresh_from_db()
    return order


@pytest.mark.parametrize("who", WHO)
def test_reship_needs_a_failed_parcel_and_the_right(people, address, who) -> None:
    order = _failed_order(people, address)
    assert order.status == S.SHIPMENT_FAILED
    assert allowed.can_reship(order=order, user=people[who]) is (who == "staff")


def test_the_reship_service_refuses_what_the_predicate_refuses(people, address) -> None:
    order = _failed_order(people, address)
    assert allowed.why_not_reship(order) is None
    services.reship_order(order=order, actor=people["staff"])
    order.refresh_from_db()
    refused = allowed.why_not_reship(order)
    assert refused is not None and not allowed.can_reship(order=order, user=people["staff"])
    with pytest.raises(OmsError) as raised:
        services.reship_order(order=order, actor=people["staff"])
    assert refused is not None
    assert (raised.value.code, raised.value.message) == (refused.code, refused.message)


def test_the_ship_and_confirm_services_refuse_what_the_predicates_refuse(people, address) -> None:
    order, shipment = shipped_order(customer=people["owner"], staff=people["staff"], address=address)
    refused = allowed.why_not_ship(shipment=shipment, order=order)
    assert refused is not None and not allowed.can_ship(shipment=shipment, user=people["staff"])
    with pytest.raises(OmsError) as raised:
        services.ship_shipment(shipment=shipment, carrier="sim", tracking_no="OTHER1", actor=people["staff"])
    assert refused is not None
    assert (raised.value.code, raised.value.message) == (refused.code, refused.message)
    refused = allowed.why_not_confirm(order)
    with pytest.raises(OmsError) as raised:
        services.confirm_order(order=order, actor=people["staff"])
    assert refused is not None
    assert (raised.value.code, raised.value.message) == (refused.code, refused.message)


def test_only_pending_parcels_of_an_order_awaiting_shipment_are_shippable(people, address) -> None:
    order = confirmed_order(customer=people["owner"], staff=people["staff"], address=address, warehouses=2)
    first, second = order.shipments.order_by("pk")
    services.ship_shipment(shipment=first, carrier="sim", tracking_no="SIMP1", actor=people["staff"])
    order.refresh_from_db()
    assert allowed.shippable_shipments(order=order, user=people["staff"]) == [second]
    assert allowed.shippable_shipments(order=order, user=people["staff without rights"]) == []
    assert allowed.pending_shipments(order) == [second]
