"""Stock services: every change of on_hand or reserved writes a movement, and history sums to the counters."""

from __future__ import annotations

import pytest
from django.db.models import Sum

from oms.catalog.tests.factories import SkuFactory
from oms.inventory import services
from oms.inventory.errors import StockBelowReserved
from oms.inventory.models import Allocation, Stock, StockMovement
from oms.inventory.sourcing import PlannedAllocation
from oms.inventory.tests.factories import WarehouseFactory, stock_of, stock_sku
from oms.orders import services as order_services
from oms.orders.tests.factories import pending_order
from oms.payments import services as payment_services

pytestmark = pytest.mark.django_db

Kind = StockMovement.Kind


def assert_history_matches(stock: Stock) -> None:
    """The movements of a stock row add up to its current numbers."""
    totals = stock.movements.aggregate(on_hand=Sum("on_hand_delta"), reserved=Sum("reserved_delta"))
    stock.refresh_from_db()
    assert (totals["on_hand"] or 0, totals["reserved"] or 0) == (stock.on_hand, stock.reserved)


# --- set_stock_level ----------------------------------------------------------------------------------------


def test_first_level_is_a_receipt(staff):
    sku, warehouse = SkuFactory(), WarehouseFactory()

    stock = services.set_stock_level(sku=sku, warehouse=warehouse, on_hand=12, actor=staff, note="delivery 7")

    assert (stock.on_hand, stock.reserved, stock.available) == (12, 0, 12)
    movement = stock.movements.get()
    assert (
        movement.kind,
        movement.on_hand_delta,
        movement.reserved_delta,
        movement.actor,
        movement.note,
    ) == (
        Kind.RECEIPT,
        12,
        0,
        staff,
        "delivery 7",
    )


def test_later_levels_are_adjustments_by_the_difference(staff):
    warehouse = WarehouseFactory()
    sku = stock_sku(warehouse=warehouse, on_hand=12)

    services.set_stock_level(sku=sku, warehouse=warehouse, on_hand=9, actor=staff, note="count")
    stock = services.set_stock_level(sku=sku, warehouse=warehouse, on_hand=20, actor=staff)

    assert stock.on_hand == 20
    assert list(stock.movements.order_by("id").values_list("kind", "on_hand_delta")) == [
        (Kind.RECEIPT, 12),
        (Kind.ADJUSTMENT, -3),
        (Kind.ADJUSTMENT, 11),
    ]
    assert_history_matches(stock)


def test_setting_the_same_level_writes_no_movement(staff):
    warehouse = WarehouseFactory()
    sku = stock_sku(warehouse=warehouse, on_hand=5)
    services.set_stock_level(sku=sku, warehouse=warehouse, on_hand=5, actor=staff)
    assert stock_of(sku, warehouse).movements.count() == 1


def test_zero_on_a_new_row_creates_the_row_without_a_movement():
    sku, warehouse = SkuFactory(), WarehouseFactory()
    stock = services.set_stock_level(sku=sku, warehouse=warehouse, on_hand=0, actor=None)
    assert (stock.on_hand, stock.movements.count()) == (0, 0)


def test_level_cannot_go_below_reserved(customer, staff, address):
    warehouse = WarehouseFactory()
    sku = stock_sku(warehouse=warehouse, on_hand=10)
    pending_order(customer, address, (sku, 6))
    movements = StockMovement.objects.count()

    with pytest.raises(StockBelowReserved) as caught:
        services.set_stock_level(sku=sku, warehouse=warehouse, on_hand=5, actor=staff)

    assert caught.value.details == {"reserved": 6, "on_hand": 5}
    assert caught.value.status == 409
    stock = stock_of(sku, warehouse)
    assert (stock.on_hand, stock.reserved) == (10, 6)
    assert StockMovement.objects.count() == movements
    # exactly the reserved units is fine
    assert services.set_stock_level(sku=sku, warehouse=warehouse, on_hand=6, actor=staff).available == 0


# --- reserve, release, deduct -------------------------------------------------------------------------------


def test_reserve_release_and_deduct_keep_history_in_step(customer, staff, address):
    first, second = WarehouseFactory(priority=1), WarehouseFactory(priority=2)
    sku = stock_sku(warehouse=first, on_hand=3)
    stock_sku(sku=sku, warehouse=second, on_hand=10)

    cancelled = pending_order(customer, address, (sku, 5))  # all from the second warehouse
    paid = pending_order(customer, address, (sku, 7))  # 3 + 4, split
    assert (stock_of(sku, first).reserved, stock_of(sku, second).reserved) == (3, 9)

    order_services.cancel_order(order=cancelled, actor=customer, reason="", by_staff=False)
    payment_services.record_offline_payment(order=paid, actor=staff, reference="")

    one, two = stock_of(sku, first), stock_of(sku, second)
    assert (one.on_hand, one.reserved, two.on_hand, two.reserved) == (0, 0, 6, 0)
    assert_history_matches(one)
    assert_history_matches(two)
    assert sorted(StockMovement.objects.filter(order=paid).values_list("kind", "on_hand_delta", "reserved_delta")) == [
        (Kind.DEDUCT, -4, -4),
        (Kind.DEDUCT, -3, -3),
        (Kind.RESERVE, 0, 3),
        (Kind.RESERVE, 0, 4),
    ]
    assert set(Allocation.objects.filter(order=paid).values_list("status", flat=True)) == {"deducted"}
    assert set(Allocation.objects.filter(order=cancelled).values_list("status", flat=True)) == {"released"}


def test_settling_twice_changes_nothing(customer, address):
    warehouse = WarehouseFactory()
    sku = stock_sku(warehouse=warehouse, on_hand=10)
    order = pending_order(customer, address, (sku, 4))
    services.release_order_stock(order=order, actor=None, note="first")
    movements = StockMovement.objects.count()

    services.release_order_stock(order=order, actor=None, note="again")
    services.deduct_order_stock(order=order, actor=None, note="too late")

    assert StockMovement.objects.count() == movements
    stock = stock_of(sku, warehouse)
    assert (stock.on_hand, stock.reserved) == (10, 0)


def test_release_notes_and_actor_are_recorded(customer, address):
    warehouse = WarehouseFactory()
    sku = stock_sku(warehouse=warehouse, on_hand=10)
    order = pending_order(customer, address, (sku, 4))
    services.release_order_stock(order=order, actor=customer, note="customer cancelled")
    release = StockMovement.objects.get(order=order, kind=Kind.RELEASE)
    assert (release.actor, release.note, release.reserved_delta, release.quantity) == (
        customer,
        "customer cancelled",
        -4,
        4,
    )


def test_reserve_planned_stock_writes_allocations_movements_and_counters(customer, address):
    warehouse = WarehouseFactory()
    tea = stock_sku(warehouse=warehouse, on_hand=10)
    coffee = stock_sku(warehouse=warehouse, on_hand=10)
    order = pending_order(customer, address, (tea, 1))
    tea_stock, coffee_stock = stock_of(tea, warehouse), stock_of(coffee, warehouse)
    plan = [
        PlannedAllocation(coffee_stock.pk, coffee.pk, warehouse.pk, 2),
    ]

    services.reserve_planned_stock(order=order, plan=plan, actor=customer)

    assert Allocation.objects.get(order=order, stock=coffee_stock).quantity == 2
    assert (stock_of(tea, warehouse).reserved, stock_of(coffee, warehouse).reserved) == (1, 2)
    assert_history_matches(tea_stock)
    assert_history_matches(coffee_stock)
