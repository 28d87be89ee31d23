"""Whole order lives, through the public API, the simulator and the real webhook, with real commits.

``transaction=True``: every service commits for real (no test-wide transaction around them), so on PostgreSQL and
MariaDB these run the same locking and isolation production does.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from oms.inventory.models import Stock, StockMovement
from oms.inventory.tests.factories import WarehouseFactory
from oms.payments import balance
from oms.shipping import services, simulator
from oms.shipping.tests.factories import stocked_sku
from oms.shipping.tests.helpers import django_post

pytestmark = pytest.mark.django_db(transaction=True)
STEP = timedelta(seconds=60)
JOURNEY = ["picked_up", "in_transit", "out_for_delivery", "delivered"]


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.content
    return response.json()


def run_simulator_until_delivered(order_no: str, client, *, start) -> dict:
    for step in range(8):
        simulator.advance_sim_parcels(now=start + step * STEP, post=django_post)
    return ok(client.get(f"/api/v1/orders/{order_no}/"))


def assert_stock_history_adds_up() -> None:
    for stock in Stock.objects.all():
        moved = StockMovement.objects.filter(stock=stock).aggregate(o=Sum("on_hand_delta"), r=Sum("reserved_delta"))
        assert (stock.on_hand, stock.reserved) == (moved["o"], moved["r"])


def test_an_order_from_placement_to_completion(customer_client, staff_client, customer, staff, address):
    east, west = WarehouseFactory(), WarehouseFactory()
    tea, cup = stocked_sku(east, on_hand=5, price="30.00"), stocked_sku(west, on_hand=5, price="45.00")
    balance.top_up_balance(customer=customer, amount=Decimal("500.00"), actor=staff, reason="gift card")
    balance.set_payment_password(customer=customer, raw_password="135790")

    placed = ok(
        customer_client.post(
            "/api/v1/orders/",
            {
                "items": [{"sku": tea.code, "quantity": 2}, {"sku": cup.code, "quantity": 1}],
                "shipping_address": address,
                "payment_method": "balance",
            },
            format="json",
        ),
        201,
    )
    order_no = placed["order_no"]
    paid = ok(
        customer_client.post(
            f"/api/v1/orders/{order_no}/pay/", {"method": "balance", "payment_password": "135790"}, format="json"
        )
    )
    assert paid["status"] == "paid"
    confirmed = ok(staff_client.post(f"/api/v1/orders/{order_no}/confirm/"))
    assert [s["warehouse"] for s in confirmed["shipments"]] == [east.code, west.code]

    first, second = (s["id"] for s in confirmed["shipments"])
    one = ok(
        staff_client.post(
            f"/api/v1/shipments/{first}/ship/", {"carrier": "sim", "tracking_no": "SIM-E1"}, format="json"
        )
    )
    assert one["order_status"] == "awaiting_shipment"
    two = ok(
        staff_client.post(
            f"/api/v1/shipments/{second}/ship/", {"carrier": "sim", "tracking_no": "SIM-W1"}, format="json"
        )
    )
    assert two["order_status"] == "shipped"

    shipped_at = parse_datetime(two["shipped_at"])
    detail = run_simulator_until_delivered(order_no, customer_client, start=shipped_at)
    assert [s["status"] for s in detail["shipments"]] == ["delivered", "delivered"]
    assert [[e["status"] for e in s["events"]] for s in detail["shipments"]] == [JOURNEY, JOURNEY]

    done = ok(customer_client.post(f"/api/v1/orders/{order_no}/confirm-receipt/"))

    assert done["status"] == "completed"
    assert [(e["from_status"], e["to_status"]) for e in done["events"]] == [
        ("", "pending_payment"),
        ("pending_payment", "paid"),
        ("paid", "awaiting_shipment"),
        ("awaiting_shipment", "awaiting_shipment"),  # the first parcel left
        ("awaiting_shipment", "shipped"),
        ("shipped", "completed"),
    ]
    assert [e["actor"] for e in done["events"]] == ["alice", "alice", "staffer", "staffer", "staffer", "alice"]
    assert [(p["method"], p["status"], p["amount"]) for p in done["payments"]] == [
        ("balance", "succeeded", placed["total_amount"])
    ]
    assert {(s.sku.code, s.on_hand, s.reserved) for s in Stock.objects.select_related("sku")} == {
        (tea.code, 3, 0),
        (cup.code, 4, 0),
    }
    assert_stock_history_adds_up()


def test_a_lost_parcel_is_reshipped_and_the_order_completes_itself(staff_client, customer, staff, address, settings):
    from oms.shipping.tests.factories import paid_order

    warehouse = WarehouseFactory()
    order = paid_order(customer=customer, staff=staff, address=address, lines=[(stocked_sku(warehouse, on_hand=3), 1)])
    confirmed = ok(staff_client.post(f"/api/v1/orders/{order.order_no}/confirm/"))
    [lost] = confirmed["shipments"]
    shipped = ok(
        staff_client.post(
            f"/api/v1/shipments/{lost['id']}/ship/", {"carrier": "sim", "tracking_no": "SIM-LOST-1"}, format="json"
        )
    )

    detail = run_simulator_until_delivered(order.order_no, staff_client, start=parse_datetime(shipped["shipped_at"]))
    assert (detail["status"], detail["shipments"][0]["status"]) == ("shipment_failed", "exception")

    reshipped = ok(staff_client.post(f"/api/v1/orders/{order.order_no}/reship/"))
    replacement = reshipped["shipments"][1]
    assert (reshipped["status"], replacement["replaces"]) == ("awaiting_shipment", lost["id"])
    again = ok(
        staff_client.post(
            f"/api/v1/shipments/{replacement['id']}/ship/", {"carrier": "sim", "tracking_no": "SIM-2"}, format="json"
        )
    )
    detail = run_simulator_until_delivered(order.order_no, staff_client, start=parse_datetime(again["shipped_at"]))
    assert [s["status"] for s in detail["shipments"]] == ["exception", "delivered"]

    assert (
        services.auto_complete_orders(now=timezone.now() + timedelta(days=settings.OMS_AUTO_COMPLETE_DAYS, minutes=1))
        == 1
    )
    final = ok(staff_client.get(f"/api/v1/orders/{order.order_no}/"))
    assert [e["to_status"] for e in final["events"]] == [
        "pending_payment",
        "paid",
        "awaiting_shipment",
        "shipped",
        "shipment_failed",
        "awaiting_shipment",
        "shipped",
        "completed",
    ]
    assert Stock.objects.get().on_hand == 1  # one unit sold, one lost in transit
    assert_stock_history_adds_up()
