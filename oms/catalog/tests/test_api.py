"""SKU endpoints: anyone logged in lists with availability; catalog staff create."""

from __future__ import annotations

from decimal import Decimal

import pytest

from oms.catalog.models import Product, Sku
from oms.catalog.tests.factories import SkuFactory
from oms.inventory.models import Stock
from oms.inventory.tests.factories import WarehouseFactory, stock_sku

pytestmark = pytest.mark.django_db

SKUS = "/api/v1/skus/"


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "details"}
    assert body["code"] == code
    return body


def test_list_shows_available_summed_over_active_warehouses(customer_client):
    first, second = WarehouseFactory(priority=1), WarehouseFactory(priority=2)
    closed = WarehouseFactory(priority=3, is_active=False)
    tea = stock_sku(warehouse=first, on_hand=10, code="TEA", name="Green tea", price=Decimal("19.90"))
    stock_sku(sku=tea, warehouse=second, on_hand=5)
    stock_sku(sku=tea, warehouse=closed, on_hand=100)
    Stock.objects.filter(sku=tea, warehouse=first).update(reserved=3)
    SkuFactory(code="BARE", name="No stock", price=Decimal("1.00"))

    response = customer_client.get(SKUS)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert body["results"] == [
        {"code": "BARE", "name": "No stock", "price": "1.00", "available": 0},
        {"code": "TEA", "name": "Green tea", "price": "19.90", "available": 12},
    ]


def test_list_hides_inactive_skus(customer_client):
    SkuFactory(code="OLD", is_active=False)
    SkuFactory(code="NEW")
    assert [s["code"] for s in customer_client.get(SKUS).json()["results"]] == ["NEW"]


def test_code_filter(customer_client):
    SkuFactory(code="TEA")
    SkuFactory(code="TEA-2")
    assert [s["code"] for s in customer_client.get(SKUS, {"code": "TEA"}).json()["results"]] == ["TEA"]
    assert customer_client.get(SKUS, {"code": "NOPE"}).json()["results"] == []


def test_search_filter(customer_client):
    SkuFactory(code="TEA", name="Green tea")
    SkuFactory(code="COFFEE", name="Dark roast")
    assert [s["code"] for s in customer_client.get(SKUS, {"q": "roast"}).json()["results"]] == ["COFFEE"]


def test_list_is_paginated(customer_client):
    for n in range(5):
        SkuFactory(code=f"S{n}")
    body = customer_client.get(SKUS, {"page_size": 2}).json()
    assert body["count"] == 5
    assert [s["code"] for s in body["results"]] == ["S0", "S1"]
    assert body["next"] is not None and body["previous"] is None


@pytest.mark.parametrize("params", [{"code": "x" * 65}, {"code": "\x00"}, {"q": "q" * 101}])
def test_bad_list_filter_is_400(customer_client, params):
    assert_error(customer_client.get(SKUS, params), 400, "validation_error")


def test_anonymous_cannot_list(api_client):
    assert_error(api_client.get(SKUS), 401, "not_authenticated")


def test_staff_creates_a_sku(staff_client):
    response = staff_client.post(SKUS, {"code": "TEA-1", "name": "Green tea", "price": "19.90"}, format="json")

    assert response.status_code == 201, response.content
    assert response.json() == {"code": "TEA-1", "name": "Green tea", "price": "19.90", "available": 0}
    sku = Sku.objects.get(code="TEA-1")
    assert (sku.price, sku.is_active, sku.product.name) == (Decimal("19.90"), True, "Green tea")


def test_customer_cannot_create_a_sku(customer_client):
    response = customer_client.post(SKUS, {"code": "TEA-1", "name": "Green tea", "price": "19.90"}, format="json")
    assert_error(response, 403, "permission_denied")
    assert not Sku.objects.exists()


def test_anonymous_cannot_create_a_sku(api_client):
    response = api_client.post(SKUS, {"code": "TEA-1", "name": "Green tea", "price": "19.90"}, format="json")
    assert_error(response, 401, "not_authenticated")


def test_duplicate_code_is_409_and_writes_nothing(staff_client):
    SkuFactory(code="TEA-1")
    products = Product.objects.count()

    response = staff_client.post(SKUS, {"code": "TEA-1", "name": "Again", "price": "1.00"}, format="json")

    body = assert_error(response, 409, "conflict")
    assert body["details"] == {"code": "TEA-1"}
    assert (Sku.objects.count(), Product.objects.count()) == (1, products)


@pytest.mark.parametrize(
    "change",
    [
        {"price": "-0.01"},
        {"price": "abc"},
        {"price": "1.234"},
        {"price": "1e400"},
        {"price": "NaN"},
        {"price": "Infinity"},
        {"price": "12345678901.00"},
        {"price": None},
        {"price": True},
        {"code": ""},
        {"code": "has space"},
        {"code": "-starts-with-dash"},
        {"code": "X" * 65},
        {"code": "TEA/1"},
        {"name": ""},
        {"name": "N" * 201},
        {"name": "bad\x00name"},
        {"is_active": False},
    ],
)
def test_bad_sku_body_is_400(staff_client, change):
    body = {"code": "TEA-1", "name": "Green tea", "price": "19.90"} | change
    assert_error(staff_client.post(SKUS, body, format="json"), 400, "validation_error")
    assert not Sku.objects.exists()


@pytest.mark.parametrize("missing", ["code", "name", "price"])
def test_missing_sku_field_is_400(staff_client, missing):
    body = {"code": "TEA-1", "name": "Green tea", "price": "19.90"}
    del body[missing]
    response = assert_error(staff_client.post(SKUS, body, format="json"), 400, "validation_error")
    assert missing in response["details"]


def test_price_zero_and_numeric_prices_are_accepted(staff_client):
    assert (
        staff_client.post(SKUS, {"code": "FREE", "name": "Gift", "price": "0"}, format="json").json()["price"] == "0.00"
    )
    assert (
        staff_client.post(SKUS, {"code": "NUM", "name": "Num", "price": 5.5}, format="json").json()["price"] == "5.50"
    )


def test_malformed_sku_body_is_400(staff_client):
    assert_error(staff_client.post(SKUS, "{", content_type="application/json"), 400, "parse_error")
