"""Sourcing at placement: place_order reserves in the warehouses the whole-order planner chooses, in one snapshot."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from oms.inventory.models import Allocation, StockMovement
from oms.inventory.tests.factories import WarehouseFactory, stock_of, stock_sku
from oms.orders.tests.factories import pending_order

pytestmark = pytest.mark.django_db

# oms.orders.tests.test_query_count's bound for placing an order.
MAX_PLACE_ORDER_QUERIES = 12


def reserved_by_warehouse(order) -> dict[str, dict[str, int]]:
    """{warehouse code: {sku code: units}} of the order's allocations."""
    result: dict[str, dict[str, int]] = {}
    for allocation in Allocation.objects.filter(order=order).select_related("stock__warehouse", "stock__sku"):
        assert allocation.status == Allocation.Status.RESERVED
        result.setdefault(allocation.stock.warehouse.code, {})[allocation.stock.sku.code] = allocation.quantity
    return result


def test_the_region_warehouse_gets_the_whole_order_when_it_can_serve_everything(customer, address):
    beijing = WarehouseFactory(code="BJ", priority=1, region="Beijing")
    shanghai = WarehouseFactory(code="SH", priority=5, region="Shanghai")
    tea, coffee = stock_sku(warehouse=beijing, on_hand=10), stock_sku(warehouse=beijing, on_hand=10)
    stock_sku(sku=tea, warehouse=shanghai, on_hand=3)
    stock_sku(sku=coffee, warehouse=shanghai, on_hand=3)

    order = pending_order(customer, address, (tea, 3), (coffee, 2))  # the address is in Shanghai

    assert reserved_by_warehouse(order) == {"SH": {tea.code: 3, coffee.code: 2}}
    assert [stock_of(tea, w).reserved for w in (beijing, shanghai)] == [0, 3]
    assert [stock_of(coffee, w).reserved for w in (beijing, shanghai)] == [0, 2]
    movements = StockMovement.objects.filter(order=order)
    assert sorted((m.stock.warehouse.code, m.kind, m.reserved_delta) for m in movements) == [
        ("SH", "reserve", 2),
        ("SH", "reserve", 3),
    ]


def test_a_customer_elsewhere_gets_the_best_priority_warehouse(customer, address):
    beijing = WarehouseFactory(code="BJ", priority=1, region="Beijing")
    shanghai = WarehouseFactory(code="SH", priority=5, region="Shanghai")
    tea = stock_sku(warehouse=beijing, on_hand=10)
    stock_sku(sku=tea, warehouse=shanghai, on_hand=10)

    assert reserved_by_warehouse(pending_order(customer, {**address, "province": "Hubei"}, (tea, 1))) == {
        "BJ": {tea.code: 1}
    }
    assert reserved_by_warehouse(pending_order(customer, {**address, "province": "Beijing"}, (tea, 1))) == {
        "BJ": {tea.code: 1}
    }
    assert reserved_by_warehouse(pending_order(customer, address, (tea, 1))) == {"SH": {tea.code: 1}}


def test_one_parcel_from_elsewhere_beats_two_with_one_from_the_region(customer, address):
    beijing = WarehouseFactory(code="BJ", priority=5, region="Beijing")
    shanghai = WarehouseFactory(code="SH", priority=1, region="Shanghai")
    tea, coffee = stock_sku(warehouse=beijing, on_hand=10), stock_sku(warehouse=beijing, on_hand=10)
    stock_sku(sku=tea, warehouse=shanghai, on_hand=10)  # Shanghai has no coffee

    order = pending_order(customer, address, (tea, 2), (coffee, 1))

    assert reserved_by_warehouse(order) == {"BJ": {tea.code: 2, coffee.code: 1}}


def test_two_warehouses_when_no_one_warehouse_can_serve_the_order(customer, address):
    east = WarehouseFactory(code="EAST", priority=1)
    west = WarehouseFactory(code="WEST", priority=2)
    north = WarehouseFactory(code="NORTH", priority=3)
    tea, coffee = stock_sku(warehouse=east, on_hand=10), stock_sku(warehouse=east, on_hand=10)
    stock_sku(sku=tea, warehouse=west, on_hand=10)
    stock_sku(sku=coffee, warehouse=west, on_hand=1)
    milk = stock_sku(warehouse=north, on_hand=10)
    stock_sku(sku=coffee, warehouse=north, on_hand=10)
    # Only north has milk, and no tea: east + north or west + north serve the order; east has the better priority.

    order = pending_order(customer, address, (tea, 4), (coffee, 4), (milk, 4))

    assert reserved_by_warehouse(order) == {"EAST": {tea.code: 4, coffee.code: 4}, "NORTH": {milk.code: 4}}


def test_a_line_is_split_only_when_no_chosen_warehouse_holds_it_whole(customer, address):
    first = WarehouseFactory(code="W1", priority=1)
    second = WarehouseFactory(code="W2", priority=2)
    tea = stock_sku(warehouse=first, on_hand=3)
    stock_sku(sku=tea, warehouse=second, on_hand=4)

    order = pending_order(customer, address, (tea, 6))

    assert reserved_by_warehouse(order) == {"W1": {tea.code: 3}, "W2": {tea.code: 3}}


def test_placement_over_eight_warehouses_takes_the_same_queries_as_over_one(customer, address):
    """The planner is pure Python over the one snapshot query: more candidate warehouses cost no round trip."""
    single = WarehouseFactory(code="ONE", priority=1, region="Hubei")
    one_warehouse = [stock_sku(warehouse=single, on_hand=10) for _ in range(5)]
    many = [
        WarehouseFactory(code=f"M{i}", priority=10 + i, region="Beijing" if i % 2 else "Shanghai") for i in range(8)
    ]
    spread = [stock_sku(warehouse=many[0], on_hand=1) for _ in range(5)]
    for sku in spread:
        for warehouse in many[1:]:
            stock_sku(sku=sku, warehouse=warehouse, on_hand=1)

    counts = []
    for skus, quantity in ((one_warehouse, 1), (spread, 6)):
        with CaptureQueriesContext(connection) as captured:
            order = pending_order(customer, address, *[(sku, quantity) for sku in skus])
        counts.append(len(captured))
        assert len(captured) <= MAX_PLACE_ORDER_QUERIES, "\n".join(q["sql"] for q in captured)

    assert counts[0] == counts[1]
    # Six of eight warehouses: the four in Shanghai (the region) and the two best of the others.
    assert sorted(reserved_by_warehouse(order)) == ["M0", "M1", "M2", "M3", "M4", "M6"]
