"""SQL round trips do not grow with the size of an order or of a page of orders (no per-line or N+1 queries)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext

from oms.catalog.tests.factories import SkuFactory
from oms.inventory.models import Stock, StockMovement, Warehouse
from oms.inventory.tests.factories import WarehouseFactory
from oms.orders.models import Order
from oms.orders.services import OrderLineInput, cancel_order, mark_order_paid, place_order
from oms.orders.states import OrderStatus
from oms.orders.transitions import transition_order

pytestmark = pytest.mark.django_db

MAX_PLACE_ORDER_QUERIES = 12
# The order, then one prefetch each for items, events, their actors, payments and refunds.
MAX_DETAIL_QUERIES = 8
MAX_LIST_QUERIES = 6


def stocked_skus(count: int, warehouse: Warehouse, on_hand: int = 1000) -> list[str]:
    """``count`` SKUs with stock, set up in bulk (the set-up's own queries are not what is measured)."""
    skus = [SkuFactory.create() for _ in range(count)]
    Stock.objects.bulk_create([Stock(sku=sku, warehouse=warehouse, on_hand=on_hand) for sku in skus])
    stocks = Stock.objects.filter(sku__in=skus)
    StockMovement.objects.bulk_create(
        [StockMovement(stock=s, kind=StockMovement.Kind.RECEIPT, on_hand_delta=on_hand) for s in stocks]
    )
    return [sku.code for sku in skus]


def count_queries(work) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        work()
    return len(captured), [q["sql"] for q in captured.captured_queries]


def test_place_order_takes_the_same_number_of_queries_for_1_10_and_50_lines(customer, address):
    warehouse = WarehouseFactory()
    codes = stocked_skus(50, warehouse)
    counts = {}
    for n_lines in (1, 10, 50):
        items = [OrderLineInput(code, 1 + i % 3) for i, code in enumerate(codes[:n_lines])]
        counts[n_lines], sql = count_queries(
            lambda items=items, n_lines=n_lines: place_order(
                customer=customer, items=items, address=address, idempotency_key=f"lines-{n_lines}"
            )
        )
        assert counts[n_lines] <= MAX_PLACE_ORDER_QUERIES, "\n".join(sql)
    assert counts[1] == counts[10] == counts[50], counts
    assert Order.objects.count() == 3
    assert sorted(order.items.count() for order in Order.objects.all()) == [1, 10, 50]


def test_place_order_split_over_warehouses_takes_no_extra_queries(customer, address):
    # Each line has to be split over two warehouses: more allocations and stock rows, the same round trips.
    first, second = WarehouseFactory(), WarehouseFactory()
    codes = stocked_skus(10, first, on_hand=2)
    for stock in Stock.objects.filter(sku__code__in=codes):
        Stock.objects.create(sku_id=stock.sku_id, warehouse=second, on_hand=0)
    Stock.objects.filter(warehouse=second).update(on_hand=3)  # movement history is not what is measured here
    placed = []
    whole, _ = count_queries(
        lambda: placed.append(place_order(customer=customer, items=[OrderLineInput(codes[0], 1)], address=address))
    )
    split, _ = count_queries(
        lambda: placed.append(
            place_order(customer=customer, items=[OrderLineInput(code, 4) for code in codes[1:]], address=address)
        )
    )
    assert whole == split <= MAX_PLACE_ORDER_QUERIES
    assert [p.order.allocations.count() for p in placed] == [1, 18]


def test_replaying_an_idempotency_key_is_bounded_and_reserves_nothing(customer, address):
    warehouse = WarehouseFactory()
    codes = stocked_skus(10, warehouse)
    items = [OrderLineInput(code, 1) for code in codes]
    place_order(customer=customer, items=items, address=address, idempotency_key="replay")
    queries, sql = count_queries(
        lambda: place_order(customer=customer, items=items, address=address, idempotency_key="replay")
    )
    # New orders skip the key look-up; a replay is found when the unique index refuses its insert.
    assert queries <= MAX_PLACE_ORDER_QUERIES, "\n".join(sql)
    assert Stock.objects.aggregate(total=Sum("reserved"))["total"] == 10


def test_paying_and_cancelling_do_not_query_per_line(customer, staff, address):
    warehouse = WarehouseFactory()
    codes = stocked_skus(30, warehouse)
    small = place_order(customer=customer, items=[OrderLineInput(codes[0], 1)], address=address).order
    large = place_order(customer=customer, items=[OrderLineInput(c, 2) for c in codes[1:]], address=address).order
    pay_small, _ = count_queries(lambda: mark_order_paid(order=small, actor=staff, reason="paid"))
    pay_large, _ = count_queries(lambda: mark_order_paid(order=large, actor=staff, reason="paid"))
    assert pay_small == pay_large

    small = place_order(customer=customer, items=[OrderLineInput(codes[0], 1)], address=address).order
    large = place_order(customer=customer, items=[OrderLineInput(c, 2) for c in codes[1:]], address=address).order
    cancel_small, _ = count_queries(lambda: cancel_order(order=small, actor=staff, reason="", by_staff=True))
    cancel_large, _ = count_queries(lambda: cancel_order(order=large, actor=staff, reason="", by_staff=True))
    assert cancel_small == cancel_large
    assert Stock.objects.filter(sku__code__in=codes[1:], reserved__gt=0).count() == 0


def make_orders(count: int, codes: list[str], address: dict[str, str], staff: User) -> None:
    """``count`` orders of 3 to 5 lines from several customers, a few of them moved along a bit."""
    customers = [User.objects.create(username=f"shopper{Order.objects.count()}-{i}") for i in range(4)]
    for i in range(count):
        lines = [OrderLineInput(code, 1) for code in codes[i % 5 : i % 5 + 3 + i % 3]]
        order = place_order(customer=customers[i % 4], items=lines, address=address).order
        if i % 3 == 0:
            mark_order_paid(order=order, actor=staff, reason="paid")
        if i % 6 == 0:
            transition_order(order_id=order.pk, to=OrderStatus.AWAITING_SHIPMENT, actor=staff)


def test_order_list_queries_do_not_grow_with_the_number_of_orders(staff_client, staff, address):
    codes = stocked_skus(8, WarehouseFactory())
    make_orders(3, codes, address, staff)
    staff_client.get("/api/v1/orders/")  # warm up: permission caches on the user object

    few, few_sql = count_queries(lambda: staff_client.get("/api/v1/orders/"))
    make_orders(17, codes, address, staff)
    with CaptureQueriesContext(connection) as captured:
        response = staff_client.get("/api/v1/orders/")

    assert response.status_code == 200, response.content
    assert len(response.json()["results"]) == 20
    assert all(len(order["items"]) >= 3 for order in response.json()["results"])
    assert len(captured) == few, "\n".join(["--- 3 orders:", *few_sql, "--- 20 orders:", *(q["sql"] for q in captured)])
    assert few <= MAX_LIST_QUERIES


def test_order_detail_queries_are_bounded(staff_client, staff, customer, address):
    codes = stocked_skus(12, WarehouseFactory())
    small = place_order(customer=customer, items=[OrderLineInput(codes[0], 1)], address=address).order
    large = place_order(customer=customer, items=[OrderLineInput(c, 1) for c in codes[1:]], address=address).order
    mark_order_paid(order=large, actor=customer, reason="paid by customer")
    transition_order(order_id=large.pk, to=OrderStatus.AWAITING_SHIPMENT, actor=staff)
    transition_order(order_id=large.pk, to=OrderStatus.SHIPPED, actor=None, reason="carrier pick-up")
    staff_client.get(f"/api/v1/orders/{small.order_no}/")  # warm up: permission caches on the user object

    small_count, _ = count_queries(lambda: staff_client.get(f"/api/v1/orders/{small.order_no}/"))
    with CaptureQueriesContext(connection) as captured:
        response = staff_client.get(f"/api/v1/orders/{large.order_no}/")

    body = response.json()
    assert response.status_code == 200, body
    assert (len(body["items"]), len(body["events"])) == (11, 4)
    assert len(captured) == small_count <= MAX_DETAIL_QUERIES, "\n".join(q["sql"] for q in captured)
