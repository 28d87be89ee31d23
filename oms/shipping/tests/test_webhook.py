"""The carrier webhook over real HTTP requests: signature, replay window, dedupe, ordering, bad input."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client

from oms.orders.models import OrderEvent
from oms.orders.states import OrderStatus
from oms.shipping.carriers.base import sign_webhook
from oms.shipping.models import Shipment, ShipmentStatus, TrackingEvent
from oms.shipping.tests.factories import shipped_order
from oms.shipping.tests.helpers import WEBHOOK, event_body, now_ts, post_webhook, send_event

pytestmark = pytest.mark.django_db
S = ShipmentStatus


@pytest.fixture
def parcel(customer, staff, address) -> Shipment:
    return shipped_order(customer=customer, staff=staff, address=address)[1]


def written(parcel: Shipment) -> tuple:
    """Everything a webhook could change, to prove a refused one changed nothing."""
    parcel = Shipment.objects.get(pk=parcel.pk)
    return (
        list(TrackingEvent.objects.values_list("pk", flat=True)),
        parcel.status,
        parcel.updated_at,
        parcel.delivered_at,
        OrderEvent.objects.count(),
    )


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "details"} and body["code"] == code, body
    return body


def test_a_signed_event_is_applied(parcel):
    response = send_event(
        tracking_no=parcel.tracking_no, status=S.IN_TRANSIT, event_id="ev-1", description="Left the hub"
    )

    assert response.status_code == 200, response.content
    assert response.json() == {"status": "applied"}
    parcel.refresh_from_db()
    assert parcel.status == S.IN_TRANSIT
    event = TrackingEvent.objects.get()
    assert (event.carrier, event.carrier_event_id, event.status, event.applied) == ("sim", "ev-1", "in_transit", True)
    assert (event.location, event.description) == ("Shanghai hub", "Left the hub")


def test_a_replayed_request_changes_nothing(parcel):
    body = event_body(tracking_no=parcel.tracking_no, status=S.IN_TRANSIT, event_id="ev-1")
    signature = sign_webhook(secret="sim-secret", body=body)
    assert post_webhook(body, signature=signature).json() == {"status": "applied"}
    before = written(parcel)

    replay = post_webhook(body, signature=signature)

    assert replay.status_code == 200 and replay.json() == {"status": "duplicate"}
    assert written(parcel) == before


@pytest.mark.parametrize(
    "how",
    ["wrong secret", "tampered body", "missing header", "malformed header", "stale", "from the future", "no v1"],
)
def test_unsigned_forged_or_stale_requests_are_refused(parcel, how):
    body = event_body(tracking_no=parcel.tracking_no, status=S.DELIVERED, event_id="ev-forged")
    signature = {
        "wrong secret": sign_webhook(secret="guessed", body=body),
        "tampered body": sign_webhook(secret="sim-secret", body=body.replace(b"delivered", b"in_transit")),
        "missing header": "",
        "malformed header": "v1=abc;t=now",
        "stale": sign_webhook(secret="sim-secret", body=body, timestamp=now_ts() - 301),
        "from the future": sign_webhook(secret="sim-secret", body=body, timestamp=now_ts() + 301),
        "no v1": f"t={now_ts()}",
    }[how]
    before = written(parcel)

    response = post_webhook(body, signature=signature)

    assert_error(response, 401, "authentication_failed")
    assert written(parcel) == before


def test_a_signature_inside_the_window_is_accepted(parcel):
    body = event_body(tracking_no=parcel.tracking_no, status=S.IN_TRANSIT, event_id="ev-1")
    response = post_webhook(body, timestamp=now_ts() - 290)
    assert response.status_code == 200, response.content


def test_the_signature_is_checked_before_the_body_is_read(parcel):
    # Not JSON and not signed: refused as unsigned (401), never as bad JSON (400).
    assert_error(post_webhook(b"{not json", secret="guessed"), 401, "authentication_failed")
    # Signed garbage is a bad request, and stores nothing.
    before = written(parcel)
    assert_error(post_webhook(b"{not json"), 400, "parse_error")
    body = assert_error(post_webhook(json.dumps({"tracking_no": parcel.tracking_no}).encode()), 400, "validation_error")
    assert set(body["details"]) == {"event_id", "status", "occurred_at"}
    bad = event_body(tracking_no=parcel.tracking_no, status="pending", event_id="ev-x")
    assert_error(post_webhook(bad), 400, "validation_error")
    naive = json.loads(event_body(tracking_no=parcel.tracking_no, status="in_transit", event_id="ev-y"))
    naive["occurred_at"] = "2025-01-01T10:00:00"
    assert_error(post_webhook(json.dumps(naive).encode()), 400, "validation_error")
    nul = event_body(tracking_no=parcel.tracking_no + "\x00", status="in_transit", event_id="ev-z")
    assert_error(post_webhook(nul), 400, "validation_error")
    assert written(parcel) == before


def test_unknown_carrier_and_unknown_parcel_are_404(parcel):
    body = event_body(tracking_no=parcel.tracking_no, status=S.IN_TRANSIT, event_id="ev-1")
    assert_error(post_webhook(body, url="/api/v1/carriers/pigeon/webhook/"), 404, "not_found")
    # An event for a parcel we do not know (yet): 404, so the carrier retries once staff record the number.
    assert_error(send_event(tracking_no="SIM-UNKNOWN", status=S.IN_TRANSIT, event_id="ev-2"), 404, "not_found")
    assert not TrackingEvent.objects.exists()


def test_only_post_is_allowed():
    response = Client().get(WEBHOOK)
    assert_error(response, 405, "method_not_allowed")


def test_events_out_of_order_never_move_a_parcel_back(parcel):
    at = parcel.shipped_at
    out = send_event(
        tracking_no=parcel.tracking_no,
        status=S.OUT_FOR_DELIVERY,
        event_id="ev-3",
        occurred_at=at + timedelta(hours=2),
    )
    late = send_event(
        tracking_no=parcel.tracking_no, status=S.IN_TRANSIT, event_id="ev-2", occurred_at=at + timedelta(hours=1)
    )

    assert (out.json(), late.json()) == ({"status": "applied"}, {"status": "recorded"})
    parcel.refresh_from_db()
    assert parcel.status == S.OUT_FOR_DELIVERY
    # The timeline is in the order things happened, whatever order they arrived in.
    assert list(parcel.tracking_events.values_list("status", flat=True)) == ["in_transit", "out_for_delivery"]


def test_delivered_and_exception_through_the_webhook(customer, staff, address):
    order, parcel = shipped_order(customer=customer, staff=staff, address=address)
    delivered = send_event(tracking_no=parcel.tracking_no, status=S.DELIVERED, event_id="d-1")
    assert delivered.json() == {"status": "applied"}
    parcel.refresh_from_db()
    assert parcel.status == S.DELIVERED and parcel.delivered_at is not None

    other_order, lost = shipped_order(customer=customer, staff=staff, address=address, tracking_prefix="LOST")
    failed = send_event(tracking_no=lost.tracking_no, status=S.EXCEPTION, event_id="x-1", description="Lost")
    assert failed.json() == {"status": "applied"}
    other_order.refresh_from_db()
    order.refresh_from_db()
    assert (order.status, other_order.status) == (OrderStatus.SHIPPED, OrderStatus.SHIPMENT_FAILED)
