"""Real threads on one real database: two staff booking the same delivery, closing short racing the last delivery,
receipts racing order placement.

Workers start together at a barrier, each on its own connection. Only the errors a caller is promised may come
out; a deadlock, a lock timeout or any other database error fails the test (it is re-raised here).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db.models import Sum
from rest_framework.test import APIClient

from oms.common.testing import assert_only, run_together
from oms.inventory.errors import InsufficientStock
from oms.inventory.models import StockMovement
from oms.inventory.tests.factories import WarehouseFactory, stock_of, stock_sku
from oms.orders.services import OrderLineInput, place_order
from oms.purchasing import services
from oms.purchasing.errors import InvalidPurchaseTransition, OverReceipt
from oms.purchasing.selectors import units_on_order
from oms.purchasing.tests.factories import SupplierFactory, ordered_po

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def warehouse():
    return WarehouseFactory(code="SH-01")


@pytest.fixture
def supplier():
    return SupplierFactory(code="ACME")


@pytest.fixture
def tea(warehouse):
    return stock_sku(warehouse=warehouse, on_hand=10, code="TEA", price=Decimal("30.00"))


@pytest.fixture
def cup(warehouse):
    return stock_sku(warehouse=warehouse, on_hand=3, code="CUP")


def assert_stock_is_its_movements(sku, warehouse) -> None:
    stock = stock_of(sku, warehouse)
    moved = stock.movements.aggregate(on_hand=Sum("on_hand_delta"), reserved=Sum("reserved_delta"))
    assert (stock.on_hand, stock.reserved) == (moved["on_hand"], moved["reserved"] or 0)


def test_two_staff_receiving_the_same_remaining_units_book_them_once(staff, supplier, warehouse, tea, cup):
    po = ordered_po(supplier=supplier, warehouse=warehouse, lines=[(tea, 10), (cup, 5)])
    services.receive_purchase_order(po=po, quantities={"TEA": 4}, actor=staff)  # 6 TEA still expected

    outcomes = run_together(
        [lambda: services.receive_purchase_order(po=po, quantities={"TEA": 6}, actor=staff) for _ in range(2)]
    )

    assert_only(outcomes, OverReceipt)
    assert sorted(type(o.error).__name__ for o in outcomes) == ["NoneType", "OverReceipt"]
    assert stock_of(tea, warehouse).on_hand == 20  # 10 + 4 + 6, never 26
    assert po.lines.get(sku=tea).received_quantity == 10
    receipts = StockMovement.objects.filter(note=f"PO {po.po_no}")
    assert sorted(receipts.values_list("on_hand_delta", flat=True)) == [4, 6]
    assert po.events.filter(note__startswith="Received").count() == 2
    assert_stock_is_its_movements(tea, warehouse)


def test_many_clicks_on_the_last_delivery_through_the_api_receive_it_once(staff, supplier, warehouse, tea):
    po = ordered_po(supplier=supplier, warehouse=warehouse, lines=[(tea, 8)])

    def post():
        client = APIClient()
        client.force_authenticate(staff)
        body = {"lines": [{"sku": "TEA", "quantity": 8}]}
        return client.post(f"/api/v1/purchase-orders/{po.po_no}/receive/", body, format="json")

    outcomes = run_together([post for _ in range(4)])

    assert_only(outcomes)
    codes = sorted((o.value.status_code, o.value.json().get("code")) for o in outcomes)
    assert codes == [(200, None)] + [(409, "invalid_transition")] * 3  # the first makes the PO received
    po.refresh_from_db()
    assert po.status == "received" and stock_of(tea, warehouse).on_hand == 18
    assert_stock_is_its_movements(tea, warehouse)


def test_closing_short_while_the_last_units_arrive_ends_one_way_only(staff, supplier, warehouse, tea):
    po = ordered_po(supplier=supplier, warehouse=warehouse, lines=[(tea, 10)])
    services.receive_purchase_order(po=po, quantities={"TEA": 4}, actor=staff)

    outcomes = run_together(
        [
            lambda: services.receive_purchase_order(po=po, quantities={"TEA": 6}, actor=staff),
            lambda: services.close_purchase_order(po=po, actor=staff, reason="Supplier gone"),
        ]
    )

    assert_only(outcomes, InvalidPurchaseTransition)
    assert [o.error is None for o in outcomes].count(True) == 1  # whoever locked the PO first; the other is refused
    po.refresh_from_db()
    received = po.lines.get().received_quantity
    assert (po.status, received) in {("received", 10), ("closed", 4)}
    assert stock_of(tea, warehouse).on_hand == 10 + received
    assert units_on_order() == {}
    assert_stock_is_its_movements(tea, warehouse)


def test_receipts_racing_orders_for_the_same_stock_never_deadlock(
    customer, address, staff, supplier, warehouse, tea, cup
):
    first = ordered_po(supplier=supplier, warehouse=warehouse, lines=[(tea, 5), (cup, 5)])
    second = ordered_po(supplier=supplier, warehouse=warehouse, lines=[(cup, 7), (tea, 7)])

    def buy():
        items = [OrderLineInput("CUP", 2), OrderLineInput("TEA", 2)]
        return place_order(customer=customer, items=items, address=address).order

    outcomes = run_together(
        [
            lambda: services.receive_purchase_order(po=first, quantities={"TEA": 5, "CUP": 5}, actor=staff),
            lambda: services.receive_purchase_order(po=second, quantities={"CUP": 7, "TEA": 7}, actor=staff),
            buy,
            buy,
        ]
    )

    assert_only(outcomes, InsufficientStock)  # only if a buyer ran before any delivery: 3 CUP for two orders
    assert stock_of(tea, warehouse).on_hand == 10 + 5 + 7
    assert stock_of(cup, warehouse).on_hand == 3 + 5 + 7
    for sku in (tea, cup):
        assert_stock_is_its_movements(sku, warehouse)
