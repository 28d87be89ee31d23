"""Real threads, real connections, one real database: the races the stock and state code must survive.

Every worker waits at a barrier so all start together, does its work on its own connection and closes that
connection when done. Only the exceptions a caller is promised (InsufficientStock, InvalidTransition) may come
out; a deadlock, lock timeout or any other database error fails the test (it is re-raised in the test thread).
"""

from __future__ import annotations

import random

import pytest
from django.contrib.auth.models import User
from django.db.models import Sum
from rest_framework.test import APIClient

from oms.common.testing import assert_only, run_together
from oms.inventory.errors import InsufficientStock
from oms.inventory.models import Allocation, Stock, StockMovement
from oms.inventory.tests.factories import WarehouseFactory, stock_of, stock_sku
from oms.orders.errors import InvalidTransition
from oms.orders.models import Order
from oms.orders.services import OrderLineInput, cancel_order, mark_order_paid, place_order
from oms.orders.states import OrderStatus

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]


def make_buyers(count: int, prefix: str) -> list[User]:
    # No password: hashing 50 passwords would dominate the test's run time.
    User.objects.bulk_create([User(username=f"{prefix}{i:03d}") for i in range(count)])
    return list(User.objects.filter(username__startswith=prefix).order_by("username"))


def assert_stock_consistent(stock: Stock) -> None:
    """The counters agree with the movement history and with the reservations still held."""
    stock.refresh_from_db()
    history = StockMovement.objects.filter(stock=stock).aggregate(
        on_hand=Sum("on_hand_delta"), reserved=Sum("reserved_delta")
    )
    held = Allocation.objects.filter(stock=stock, status=Allocation.Status.RESERVED).aggregate(n=Sum("quantity"))["n"]
    assert (stock.on_hand, stock.reserved) == (history["on_hand"], history["reserved"] or 0)
    assert stock.reserved == (held or 0)
    assert 0 <= stock.reserved <= stock.on_hand


def test_fifty_buyers_race_for_ten_units(address):
    warehouse = WarehouseFactory()
    sku = stock_sku(warehouse=warehouse, on_hand=10)
    buyers = make_buyers(50, "buyer")

    def buy(buyer: User):
        return lambda: place_order(customer=buyer, items=[OrderLineInput(sku.code, 1)], address=address)

    outcomes = run_together([buy(buyer) for buyer in buyers])

    assert_only(outcomes, InsufficientStock)
    winners = [o.value.order for o in outcomes if o.error is None]
    assert len(winners) == 10
    assert sum(isinstance(o.error, InsufficientStock) for o in outcomes) == 40
    assert all(o.value.created for o in outcomes if o.error is None)
    assert Order.objects.count() == 10
    assert set(Order.objects.values_list("order_no", flat=True)) == {order.order_no for order in winners}
    assert len({order.customer_id for order in winners}) == 10
    stock = stock_of(sku, warehouse)
    assert (stock.on_hand, stock.reserved) == (10, 10)
    assert StockMovement.objects.filter(stock=stock, kind=StockMovement.Kind.RESERVE).count() == 10
    assert_stock_consistent(stock)


def test_fifty_buyers_race_through_the_api(address):
    warehouse = WarehouseFactory()
    sku = stock_sku(warehouse=warehouse, on_hand=10)
    buyers = make_buyers(50, "apibuyer")
    body = {"items": [{"sku": sku.code, "quantity": 1}], "shipping_address": address}

    def buy(buyer: User):
        def post():
            client = APIClient()
            client.force_authenticate(buyer)
            response = client.post("/api/v1/orders/", body, format="json")
            return response.status_code, response.json()

        return post

    outcomes = run_together([buy(buyer) for buyer in buyers])

    assert_only(outcomes)
    statuses = sorted(o.value[0] for o in outcomes)
    assert statuses == [201] * 10 + [409] * 40
    assert {o.value[1]["code"] for o in outcomes if o.value[0] == 409} == {"insufficient_stock"}
    assert Order.objects.count() == 10
    stock = stock_of(sku, warehouse)
    assert (stock.on_hand, stock.reserved) == (10, 10)
    assert_stock_consistent(stock)


def test_one_idempotency_key_sent_twenty_times_at_once_makes_one_order(customer, address):
    warehouse = WarehouseFactory()
    sku = stock_sku(warehouse=warehouse, on_hand=100)
    items = [OrderLineInput(sku.code, 3)]

    def place():
        return place_order(customer=customer, items=items, address=address, idempotency_key="same-key")

    outcomes = run_together([place] * 20)

    assert_only(outcomes)
    order = Order.objects.get()
    assert {o.value.order.order_no for o in outcomes} == {order.order_no}
    assert sorted(o.value.created for o in outcomes) == [False] * 19 + [True]
    stock = stock_of(sku, warehouse)
    assert (stock.on_hand, stock.reserved) == (100, 3)
    assert Allocation.objects.get().quantity == 3
    assert_stock_consistent(stock)


def test_cancel_and_pay_at_once_exactly_one_wins(customer, staff, address):
    warehouse = WarehouseFactory()
    sku = stock_sku(warehouse=warehouse, on_hand=100)
    stock = stock_of(sku, warehouse)
    rng = random.Random(20240601)
    winners: list[str] = []
    for _ in range(10):
        quantity = rng.randint(1, 3)
        order = place_order(customer=customer, items=[OrderLineInput(sku.code, quantity)], address=address).order
        stock.refresh_from_db()
        on_hand_before, reserved_before = stock.on_hand, stock.reserved

        def cancel(order=order):
            return cancel_order(order=order, actor=staff, reason="race", by_staff=True)

        def pay(order=order):
            return mark_order_paid(order=order, actor=staff, reason="race")

        workers = [cancel, pay] if rng.random() < 0.5 else [pay, cancel]
        outcomes = run_together(workers)

        assert_only(outcomes, InvalidTransition)
        assert sum(o.error is None for o in outcomes) == 1
        assert sum(isinstance(o.error, InvalidTransition) for o in outcomes) == 1
        order.refresh_from_db()
        stock.refresh_from_db()
        winner = next(o.value for o in outcomes if o.error is None)
        assert winner.status == order.status
        allocation_statuses = set(order.allocations.values_list("status", flat=True))
        if order.status == OrderStatus.PAID:
            assert (stock.on_hand, stock.reserved) == (on_hand_before - quantity, reserved_before - quantity)
            assert allocation_statuses == {Allocation.Status.DEDUCTED}
            assert order.paid_at is not None
        else:
            assert order.status == OrderStatus.CANCELLED
            assert (stock.on_hand, stock.reserved) == (on_hand_before, reserved_before - quantity)
            assert allocation_statuses == {Allocation.Status.RELEASED}
        assert stock.reserved == 0
        assert list(order.events.values_list("from_status", "to_status")) == [
            ("", OrderStatus.PENDING_PAYMENT),
            (OrderStatus.PENDING_PAYMENT, order.status),
        ]
        assert_stock_consistent(stock)
        winners.append(order.status)
    assert len(winners) == 10


def test_multi_sku_orders_in_any_line_order_neither_deadlock_nor_oversell(address):
    # Two warehouses per SKU so that plans split lines too; opposite line orders would deadlock with naive locking.
    warehouses = [WarehouseFactory(), WarehouseFactory()]
    skus = [stock_sku(warehouse=warehouses[0], on_hand=8) for _ in range(3)]
    for sku in skus:
        stock_sku(sku=sku, warehouse=warehouses[1], on_hand=7)
    stocks = list(Stock.objects.filter(sku__in=skus))
    buyers = make_buyers(20, "multi")

    def shop(buyer: User, seed: int):
        def run():
            rng = random.Random(seed)
            placed = insufficient = 0
            for _ in range(5):
                lines = [OrderLineInput(sku.code, rng.randint(1, 3)) for sku in rng.sample(skus, k=len(skus))]
                try:
                    order = place_order(customer=buyer, items=lines, address=address).order
                except InsufficientStock:
                    insufficient += 1
                    continue
                placed += 1
                # Settle some orders meanwhile, so releases and deductions race with reservations too.
                roll = rng.random()
                if roll < 0.3:
                    cancel_order(order=order, actor=buyer, reason="changed my mind", by_staff=False)
                elif roll < 0.6:
                    mark_order_paid(order=order, actor=None, reason="paid")
            return placed, insufficient

        return run

    outcomes = run_together([shop(buyer, seed) for seed, buyer in enumerate(buyers)])

    assert_only(outcomes)
    assert sum(o.value[0] for o in outcomes) == Order.objects.count() > 0
    for stock in stocks:
        assert_stock_consistent(stock)
    for sku in skus:
        demanded = (
            Allocation.objects.filter(stock__sku=sku)
            .exclude(status=Allocation.Status.RELEASED)
            .aggregate(n=Sum("quantity"))["n"]
        )
        assert demanded <= 15, f"{sku.code} oversold: {demanded} units of 15"
    for order in Order.objects.prefetch_related("items", "allocations__stock"):
        wanted = {item.sku_id: item.quantity for item in order.items.all()}
        got: dict[int, int] = {}
        for allocation in order.allocations.all():
            got[allocation.stock.sku_id] = got.get(allocation.stock.sku_id, 0) + allocation.quantity
        assert got == wanted
        expected_status = {
            OrderStatus.PENDING_PAYMENT: {Allocation.Status.RESERVED},
            OrderStatus.PAID: {Allocation.Status.DEDUCTED},
            OrderStatus.CANCELLED: {Allocation.Status.RELEASED},
        }[order.status]
        assert {a.status for a in order.allocations.all()} == expected_status
