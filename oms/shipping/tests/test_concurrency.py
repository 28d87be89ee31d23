"""Real threads on one real database: repeated webhooks, double confirms, and a carrier event racing a shipment.

Workers start together at a barrier, each on its own connection. Only promised errors may come out; a deadlock or
lock timeout fails the test.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from oms.common.testing import results_of
from oms.common.testing import run_together as run_all
from oms.orders.models import OrderEvent
from oms.orders.states import OrderStatus
from oms.shipping import services
from oms.shipping.models import Shipment, ShipmentStatus, TrackingEvent
from oms.shipping.tests.factories import confirmed_order, shipped_order, split_order
from oms.shipping.tests.helpers import event_body, post_webhook

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]


def run_together(workers: list[Callable[[], Any]]) -> list[Any]:
    return results_of(run_all(workers))


def test_the_same_event_posted_at_once_is_stored_once(customer, staff, address):
    _, parcel = shipped_order(customer=customer, staff=staff, address=address)
    body = event_body(tracking_no=parcel.tracking_no, status=ShipmentStatus.IN_TRANSIT, event_id="same")
    events_before = OrderEvent.objects.count()

    responses = run_together([lambda: post_webhook(body) for _ in range(6)])

    assert [r.status_code for r in responses] == [200] * 6
    assert sorted(r.json()["status"] for r in responses) == ["applied"] + ["duplicate"] * 5
    assert TrackingEvent.objects.count() == 1
    assert Shipment.objects.get(pk=parcel.pk).status == ShipmentStatus.IN_TRANSIT
    assert OrderEvent.objects.count() == events_before


def test_confirming_twice_at_once_creates_the_shipments_once(customer, staff, address):
    order, _ = split_order(customer=customer, staff=staff, address=address)

    run_together([lambda: services.confirm_order(order=order, actor=staff) for _ in range(4)])

    order.refresh_from_db()
    assert order.status == OrderStatus.AWAITING_SHIPMENT
    assert order.shipments.count() == 2
    assert list(order.events.values_list("to_status", flat=True)) == ["pending_payment", "paid", "awaiting_shipment"]


def test_a_carrier_exception_racing_the_last_parcel_never_deadlocks(customer, staff, address):
    order = confirmed_order(customer=customer, staff=staff, address=address, warehouses=2)
    first, second = order.shipments.all()
    services.ship_shipment(shipment=first, carrier="sim", tracking_no="SIM-1", actor=staff)
    lost = event_body(tracking_no="SIM-1", status=ShipmentStatus.EXCEPTION, event_id="x1", description="Lost")

    run_together(
        [
            lambda: post_webhook(lost),
            lambda: services.ship_shipment(shipment=second, carrier="sim", tracking_no="SIM-2", actor=staff),
        ]
    )

    # Whichever came first, the order ends failed: the failure is seen once the last parcel has left.
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPMENT_FAILED
    statuses = list(order.events.values_list("from_status", "to_status"))
    assert ("shipped", "shipment_failed") in statuses
