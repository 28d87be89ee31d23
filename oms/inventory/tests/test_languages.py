"""Stock refusals in Chinese and English (the same code and details, the message in the request's language), and
the stock movement kinds and model names in Chinese."""

from __future__ import annotations

import pytest
from django.utils import translation

from oms.catalog.tests.factories import SkuFactory
from oms.inventory.models import Allocation, Stock, StockMovement
from oms.inventory.tests.factories import WarehouseFactory, stock_sku
from oms.orders.services import OrderLineInput, place_order

pytestmark = pytest.mark.django_db


def answers(send) -> dict[str, dict]:
    """``send(headers)`` in English and in Chinese: the same status and code in both."""
    responses = {name: send({"Accept-Language": accept}) for name, accept in (("en", "en"), ("zh", "zh-CN"))}
    assert responses["en"].status_code == responses["zh"].status_code
    bodies = {name: response.json() for name, response in responses.items()}
    assert bodies["en"]["code"] == bodies["zh"]["code"]
    assert bodies["en"]["details"] == bodies["zh"]["details"]
    return bodies


def test_stock_below_reserved_in_both_languages(staff_client, customer, address):
    sku = stock_sku(warehouse=WarehouseFactory(code="SH1"), on_hand=10, code="TEA")
    place_order(customer=customer, items=[OrderLineInput(sku=sku.code, quantity=7)], address=address)

    bodies = answers(
        lambda headers: staff_client.put(
            "/api/v1/skus/TEA/stock/", {"warehouse": "SH1", "on_hand": 6}, format="json", headers=headers
        )
    )

    assert bodies["en"]["code"] == "stock_below_reserved"
    assert bodies["en"]["message"] == (
        "7 units of TEA in SH1 are reserved by open orders; on_hand cannot go below that."
    )
    assert bodies["zh"]["message"] == "仓库 SH1 中 TEA 有 7 件已被未完成的订单预留；在库数量不能低于此数。"


def test_unknown_sku_and_warehouse_in_both_languages(staff_client):
    SkuFactory(code="TEA")
    no_sku = answers(lambda headers: staff_client.get("/api/v1/skus/NOPE/stock/", headers=headers))
    assert (no_sku["en"]["message"], no_sku["zh"]["message"]) == ("No SKU NOPE.", "没有 SKU NOPE。")

    body = {"warehouse": "XX", "on_hand": 1}
    no_warehouse = answers(
        lambda headers: staff_client.put("/api/v1/skus/TEA/stock/", body, format="json", headers=headers)
    )
    assert no_warehouse["en"]["code"] == "not_found"
    assert no_warehouse["zh"]["message"] == "没有仓库 XX；可用 GET /api/v1/warehouses/ 查看仓库列表。"


def test_customers_are_refused_in_both_languages(customer_client):
    bodies = answers(lambda headers: customer_client.get("/api/v1/warehouses/", headers=headers))

    assert bodies["en"]["code"] == "permission_denied"
    assert (bodies["en"]["message"], bodies["zh"]["message"]) == (
        "Only staff may list warehouses.",
        "只有员工才能查看仓库列表。",
    )


def test_movement_kinds_and_names_in_chinese():
    with translation.override("zh-hans"):
        assert StockMovement.Kind.RESERVE.label == "为订单预留"
        assert StockMovement.Kind.DEDUCT.label == "扣减（订单已付款）"
        assert Allocation.Status.RELEASED.label == "已释放"
        assert StockMovement._meta.verbose_name == "库存流水"
        assert Stock._meta.get_field("on_hand").verbose_name == "在库"
    with translation.override("en"):
        assert StockMovement.Kind.RESERVE.label == "Reserved for an order"
