"""Stock and warehouse endpoints: staff only; a new level writes a movement and never goes below reserved."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from oms.accounts.tests.factories import UserFactory
from oms.catalog.tests.factories import SkuFactory
from oms.inventory.models import Stock, StockMovement
from oms.inventory.tests.factories import WarehouseFactory, stock_of, stock_sku
from oms.orders import services as order_services

pytestmark = pytest.mark.django_db

WAREHOUSES = "/api/v1/warehouses/"


def stock_url(code: str) -> str:
    return f"/api/v1/skus/{code}/stock/"


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "details"}
    assert body["code"] == code
    return body


@pytest.fixture
def warehouse(db):
    return WarehouseFactory(code="SH1", name="Shanghai 1", priority=1, region="Shanghai")


@pytest.fixture
def sku(db):
    return SkuFactory(code="TEA")


# --- warehouses ---------------------------------------------------------------------------------------------


def test_staff_lists_warehouses_by_priority(staff_client, warehouse):
    WarehouseFactory(code="BJ1", name="Beijing 1", priority=5, region="Beijing", is_active=False)

    response = staff_client.get(WAREHOUSES)

    assert response.status_code == 200
    assert response.json() == [
        {"code": "SH1", "name": "Shanghai 1", "priority": 1, "region": "Shanghai", "is_active": True},
        {"code": "BJ1", "name": "Beijing 1", "priority": 5, "region": "Beijing", "is_active": False},
    ]


def test_customer_cannot_list_warehouses(customer_client, warehouse):
    assert_error(customer_client.get(WAREHOUSES), 403, "permission_denied")


def test_anonymous_cannot_list_warehouses(api_client, warehouse):
    assert_error(api_client.get(WAREHOUSES), 401, "not_authenticated")


def test_staff_without_the_permission_cannot_list_warehouses(warehouse):
    client = APIClient()
    client.force_authenticate(UserFactory(username="clerk", is_staff=True))
    assert_error(client.get(WAREHOUSES), 403, "permission_denied")


# --- stock levels -------------------------------------------------------------------------------------------


def test_staff_sets_stock_and_a_movement_is_written(staff_client, staff, sku, warehouse):
    response = staff_client.put(
        stock_url("TEA"), {"warehouse": "SH1", "on_hand": 25, "note": "delivery"}, format="json"
    )

    assert response.status_code == 200, response.content
    assert response.json() == {
        "sku": "TEA",
        "warehouse": "SH1",
        "on_hand": 25,
        "reserved": 0,
        "available": 25,
    }
    movement = StockMovement.objects.get()
    assert (movement.kind, movement.on_hand_delta, movement.actor, movement.note) == (
        StockMovement.Kind.RECEIPT,
        25,
        staff,
        "delivery",
    )

    response = staff_client.put(stock_url("TEA"), {"warehouse": "SH1", "on_hand": 20}, format="json")

    assert response.json()["on_hand"] == 20
    assert list(StockMovement.objects.order_by("id").values_list("kind", "on_hand_delta")) == [
        ("receipt", 25),
        ("adjustment", -5),
    ]


def test_stock_shows_in_the_sku_list(staff_client, customer_client, sku, warehouse):
    other = WarehouseFactory(code="BJ1", priority=2)
    staff_client.put(stock_url("TEA"), {"warehouse": "SH1", "on_hand": 4}, format="json")
    staff_client.put(stock_url("TEA"), {"warehouse": "BJ1", "on_hand": 6}, format="json")
    assert stock_of(sku, other).on_hand == 6
    listed = customer_client.get("/api/v1/skus/", {"code": "TEA"}).json()["results"]
    assert listed[0]["available"] == 10


def test_setting_below_reserved_is_409(staff_client, customer, sku, warehouse, address):
    stock_sku(sku=sku, warehouse=warehouse, on_hand=10)
    line = order_services.OrderLineInput(sku="TEA", quantity=7)
    order_services.place_order(customer=customer, items=[line], address=address)
    movements = StockMovement.objects.count()

    response = staff_client.put(stock_url("TEA"), {"warehouse": "SH1", "on_hand": 6}, format="json")

    body = assert_error(response, 409, "stock_below_reserved")
    assert body["details"] == {"reserved": 7, "on_hand": 6}
    assert (stock_of(sku, warehouse).on_hand, StockMovement.objects.count()) == (10, movements)
    ok = staff_client.put(stock_url("TEA"), {"warehouse": "SH1", "on_hand": 7}, format="json")
    assert ok.json()["available"] == 0


def test_unknown_sku_is_404(staff_client, warehouse):
    assert_error(
        staff_client.put(stock_url("NOPE"), {"warehouse": "SH1", "on_hand": 1}, format="json"),
        404,
        "not_found",
    )
    assert Stock.objects.count() == 0


def test_unknown_warehouse_is_404(staff_client, sku):
    body = assert_error(
        staff_client.put(stock_url("TEA"), {"warehouse": "NOWHERE", "on_hand": 1}, format="json"),
        404,
        "not_found",
    )
    assert "NOWHERE" in body["message"]
    assert Stock.objects.count() == 0


def test_sku_code_with_a_nul_is_a_400_and_writes_nothing(staff_client, warehouse):
    response = staff_client.put(stock_url("%00"), {"warehouse": "SH1", "on_hand": 1}, format="json")
    assert_error(response, 400, "validation_error")
    assert_error(staff_client.get(stock_url("%00")), 400, "validation_error")
    assert Stock.objects.count() == 0


def test_customer_cannot_set_stock(customer_client, sku, warehouse):
    response = customer_client.put(stock_url("TEA"), {"warehouse": "SH1", "on_hand": 1}, format="json")
    assert_error(response, 403, "permission_denied")
    assert Stock.objects.count() == 0


def test_anonymous_cannot_set_stock(api_client, sku, warehouse):
    response = api_client.put(stock_url("TEA"), {"warehouse": "SH1", "on_hand": 1}, format="json")
    assert_error(response, 401, "not_authenticated")


@pytest.mark.parametrize(
    "body",
    [
        {"warehouse": "SH1", "on_hand": -1},
        {"warehouse": "SH1", "on_hand": 1_000_000_001},
        {"warehouse": "SH1", "on_hand": 10**40},
        {"warehouse": "SH1", "on_hand": "many"},
        {"warehouse": "SH1", "on_hand": 1.5},
        {"warehouse": "SH1", "on_hand": None},
        {"warehouse": "SH1"},
        {"on_hand": 1},
        {"warehouse": "W" * 33, "on_hand": 1},
        {"warehouse": "SH1", "on_hand": 1, "reserved": 0},
        {"warehouse": "SH1", "on_hand": 1, "note": "n" * 201},
        [],
    ],
)
def test_bad_stock_body_is_400(staff_client, sku, warehouse, body):
    assert_error(staff_client.put(stock_url("TEA"), body, format="json"), 400, "validation_error")
    assert Stock.objects.count() == 0


def test_malformed_stock_body_is_400(staff_client, sku, warehouse):
    response = staff_client.put(stock_url("TEA"), "{", content_type="application/json")
    assert_error(response, 400, "parse_error")


def test_staff_reads_stock_per_warehouse(staff_client, sku, warehouse):
    stock_sku(sku=sku, warehouse=warehouse, on_hand=3)
    response = staff_client.get(stock_url("TEA"))
    assert response.json() == [{"sku": "TEA", "warehouse": "SH1", "on_hand": 3, "reserved": 0, "available": 3}]


def test_customer_cannot_read_stock_per_warehouse(customer_client, sku, warehouse):
    assert_error(customer_client.get(stock_url("TEA")), 403, "permission_denied")
