"""The fulfilment API: who may confirm, ship, reship and confirm receipt, and what orders show of their parcels."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from oms.accounts.tests.factories import UserFactory
from oms.orders.states import OrderStatus
from oms.shipping.models import Shipment, ShipmentStatus
from oms.shipping.tests.factories import confirmed_order, shipped_order, split_order
from oms.shipping.tests.helpers import send_event

pytestmark = pytest.mark.django_db
S = ShipmentStatus


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code, body
    return body


def other_client() -> APIClient:
    client = APIClient()
    client.force_authenticate(UserFactory.create(username="mallory"))
    return client


def test_staff_confirm_an_order_into_shipments(staff_client, customer_client, customer, staff, address):
    order, (east, west) = split_order(customer=customer, staff=staff, address=address)
    url = f"/api/v1/orders/{order.order_no}/confirm/"

    assert_error(customer_client.post(url), 403, "permission_denied")
    response = staff_client.post(url)
    again = staff_client.post(url)

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "awaiting_shipment"
    assert [(s["warehouse"], s["status"], s["carrier"], s["tracking_no"]) for s in body["shipments"]] == [
        (east.code, "pending", "", None),
        (west.code, "pending", "", None),
    ]
    assert again.status_code == 200 and len(again.json()["shipments"]) == 2
    assert Shipment.objects.count() == 2
    assert_error(staff_client.post("/api/v1/orders/NOPE/confirm/"), 404, "not_found")


def test_staff_ship_a_parcel(staff_client, customer_client, customer, staff, address):
    order = confirmed_order(customer=customer, staff=staff, address=address, warehouses=2)
    first, second = order.shipments.all()
    url = f"/api/v1/shipments/{first.pk}/ship/"

    assert_error(
        customer_client.post(url, {"carrier": "sim", "tracking_no": "SIM1"}, format="json"), 403, "permission_denied"
    )
    assert_error(staff_client.post(url, {"carrier": "sim"}, format="json"), 400, "validation_error")
    assert_error(
        staff_client.post(url, {"carrier": "sim", "tracking_no": "S", "x": 1}, format="json"), 400, "validation_error"
    )
    assert_error(
        staff_client.post(url, {"carrier": "pigeon", "tracking_no": "P1"}, format="json"), 400, "validation_error"
    )
    response = staff_client.post(url, {"carrier": "sim", "tracking_no": "SIM1"}, format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["carrier"], body["tracking_no"]) == ("picked_up", "sim", "SIM1")
    assert (body["order_no"], body["order_status"]) == (order.order_no, "awaiting_shipment")
    taken = staff_client.post(
        f"/api/v1/shipments/{second.pk}/ship/", {"carrier": "sim", "tracking_no": "SIM1"}, format="json"
    )
    assert_error(taken, 409, "conflict")
    done = staff_client.post(
        f"/api/v1/shipments/{second.pk}/ship/", {"carrier": "sim", "tracking_no": "SIM2"}, format="json"
    )
    assert done.json()["order_status"] == "shipped"
    assert_error(
        staff_client.post("/api/v1/shipments/999999/ship/", {"carrier": "sim", "tracking_no": "Z"}, format="json"),
        404,
        "not_found",
    )


def test_shipping_an_order_not_awaiting_shipment_is_409(staff_client, customer, staff, address):
    from oms.payments.refunds import refund_order

    order = confirmed_order(customer=customer, staff=staff, address=address)
    refund_order(order=order, reason="cancelled before shipping", actor=staff)
    shipment = order.shipments.get()

    response = staff_client.post(
        f"/api/v1/shipments/{shipment.pk}/ship/", {"carrier": "sim", "tracking_no": "Z1"}, format="json"
    )

    body = assert_error(response, 409, "invalid_transition")
    assert body["details"] == {"current_status": "refunded", "requested_status": "shipped"}


def test_customers_see_their_parcels_and_tracking(customer_client, staff_client, customer, staff, address):
    order, parcel = shipped_order(customer=customer, staff=staff, address=address)
    send_event(tracking_no=parcel.tracking_no, status=S.IN_TRANSIT, event_id="e1", description="On its way")

    detail = customer_client.get(f"/api/v1/orders/{order.order_no}/").json()
    shipment = customer_client.get(f"/api/v1/shipments/{parcel.pk}/")

    [shown] = detail["shipments"]
    assert set(shown) >= {"id", "warehouse", "status", "carrier", "tracking_no", "lines", "events"}
    assert (shown["id"], shown["status"], shown["tracking_no"]) == (parcel.pk, "in_transit", parcel.tracking_no)
    assert shown["lines"] == [{"sku": order.items.get().sku_code, "quantity": 1}]
    assert [(e["status"], e["description"]) for e in shown["events"]] == [("in_transit", "On its way")]
    assert shipment.status_code == 200 and shipment.json()["events"] == shown["events"]
    assert staff_client.get(f"/api/v1/shipments/{parcel.pk}/").status_code == 200
    assert_error(other_client().get(f"/api/v1/shipments/{parcel.pk}/"), 404, "not_found")
    assert_error(customer_client.get(f"/api/v1/shipments/{10**30}/"), 404, "not_found")
    assert APIClient().get(f"/api/v1/shipments/{parcel.pk}/").status_code == 401


def test_only_the_customer_confirms_receipt(customer_client, staff_client, customer, staff, address):
    order, _ = shipped_order(customer=customer, staff=staff, address=address)
    url = f"/api/v1/orders/{order.order_no}/confirm-receipt/"

    assert_error(other_client().post(url), 404, "not_found")
    assert_error(staff_client.post(url), 403, "permission_denied")
    response = customer_client.post(url)

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "completed"
    assert response.json()["events"][-1]["reason"] == "Receipt confirmed by the customer"
    assert_error(customer_client.post(url), 409, "invalid_transition")


def test_staff_reship_a_failed_order(staff_client, customer_client, customer, staff, address):
    order, parcel = shipped_order(customer=customer, staff=staff, address=address)
    url = f"/api/v1/orders/{order.order_no}/reship/"
    assert_error(staff_client.post(url), 409, "invalid_transition")  # nothing failed
    send_event(tracking_no=parcel.tracking_no, status=S.EXCEPTION, event_id="x1", description="Lost")
    queue = staff_client.get("/api/v1/exceptions/").json()
    assert [(o["order_no"], o["actions"]) for o in queue] == [(order.order_no, ["reship", "refund"])]

    assert_error(customer_client.post(url), 403, "permission_denied")
    response = staff_client.post(url)

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == OrderStatus.AWAITING_SHIPMENT
    assert [(s["status"], s["replaces"]) for s in body["shipments"]] == [("exception", None), ("pending", parcel.pk)]
