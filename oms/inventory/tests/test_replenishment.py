"""EOQ and reorder point: the formulas, and the demand read from stock movements."""

from __future__ import annotations

import math
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from oms.inventory.models import StockMovement
from oms.inventory.replenishment import (
    Policy,
    economic_order_quantity,
    reorder_point,
    replenishment_suggestions,
    safety_stock,
    suggest,
)
from oms.inventory.selectors import low_stock
from oms.inventory.tests.factories import WarehouseFactory, stock_of, stock_sku

POLICY = Policy(
    order_cost=Decimal("50"), holding_rate=Decimal("0.25"), lead_days=7, service_level=0.95, history_days=90
)


def test_eoq_is_the_textbook_formula():
    # D = 3650 a year, S = 50, H = 2.5: sqrt(2 * 3650 * 50 / 2.5) = sqrt(146000)
    eoq = economic_order_quantity(annual_demand=3650, order_cost=Decimal("50"), holding_cost=Decimal("2.5"))
    assert eoq == pytest.approx(math.sqrt(146000))


def test_eoq_is_none_without_holding_cost_or_demand():
    assert economic_order_quantity(annual_demand=100, order_cost=Decimal("50"), holding_cost=Decimal("0")) is None
    assert economic_order_quantity(annual_demand=0, order_cost=Decimal("50"), holding_cost=Decimal("1")) is None


def test_safety_stock_uses_the_normal_quantile():
    # z(0.95) = 1.6449; SS = 1.6449 * 2 * sqrt(4)
    assert safety_stock(demand_std=2, lead_days=4, service_level=0.95) == pytest.approx(1.6449 * 4, rel=1e-3)
    assert safety_stock(demand_std=0, lead_days=7, service_level=0.95) == 0
    with pytest.raises(ValueError):
        safety_stock(demand_std=1, lead_days=7, service_level=1.0)


def test_reorder_point_is_lead_time_demand_plus_safety_stock():
    rop = reorder_point(daily_demand=10, demand_std=3, lead_days=7, service_level=0.95)
    assert rop == pytest.approx(70 + 1.6449 * 3 * math.sqrt(7), rel=1e-3)


def test_suggest_for_steady_demand():
    suggestion = suggest(
        sku_id=1, code="A", name="A", price=Decimal("10"), available=60, daily_units=[10] * 90, policy=POLICY
    )
    assert suggestion.daily_demand == 10 and suggestion.demand_std == 0
    assert suggestion.safety_stock == 0 and suggestion.reorder_point == 70
    assert suggestion.order_quantity == math.ceil(math.sqrt(2 * 3650 * 50 / 2.5))
    assert suggestion.reorder_now  # 60 available <= 70


def test_units_on_order_count_towards_the_inventory_position():
    def steady(available: int, on_order: int):
        return suggest(
            sku_id=1,
            code="A",
            name="A",
            price=Decimal("10"),
            available=available,
            daily_units=[10] * 90,
            policy=POLICY,
            on_order=on_order,
        )

    waiting = steady(available=60, on_order=11)  # position 71 > ROP 70: the purchase order covers it
    assert (waiting.position, waiting.reorder_now, waiting.below_reorder_point) == (71, False, True)
    short = steady(available=60, on_order=10)  # position 70 = ROP: still short
    assert (short.position, short.reorder_now) == (70, True)
    assert low_stock(suggestions=[waiting]) == [waiting]  # low stock until the units arrive


def test_suggest_without_sales_never_asks_to_reorder():
    suggestion = suggest(
        sku_id=1, code="A", name="A", price=Decimal("10"), available=0, daily_units=[0] * 90, policy=POLICY
    )
    assert suggestion.reorder_point == 0 and suggestion.order_quantity is None and not suggestion.reorder_now


@pytest.mark.django_db
def test_suggestions_read_demand_from_deduct_movements():
    warehouse = WarehouseFactory()
    busy = stock_sku(warehouse=warehouse, on_hand=20, price=Decimal("40.00"))
    quiet = stock_sku(warehouse=warehouse, on_hand=3)
    stock = stock_of(busy, warehouse)
    now = timezone.now()
    # 9 units a day on 10 of the last 90 days: 90 units, d̄ = 1.0 a day.
    for day in range(10):
        movement = StockMovement.objects.create(stock=stock, kind=StockMovement.Kind.DEDUCT, on_hand_delta=-9)
        StockMovement.objects.filter(pk=movement.pk).update(created_at=now - timedelta(days=day * 3 + 1))
    old = StockMovement.objects.create(stock=stock, kind=StockMovement.Kind.DEDUCT, on_hand_delta=-500)
    StockMovement.objects.filter(pk=old.pk).update(created_at=now - timedelta(days=200))  # outside the window

    by_code = {s.code: s for s in replenishment_suggestions(policy=POLICY, now=now)}
    assert by_code[busy.code].daily_demand == pytest.approx(1.0)
    assert by_code[busy.code].demand_std == pytest.approx(math.sqrt(10 * 81 / 90 - 1), rel=1e-6)
    assert by_code[busy.code].available == 20
    assert by_code[quiet.code].daily_demand == 0

    on_order = {s.code: s for s in replenishment_suggestions(policy=POLICY, now=now, on_order={busy.pk: 5})}
    assert (on_order[busy.code].on_order, on_order[busy.code].position) == (5, 25)
    assert on_order[quiet.code].on_order == 0

    low = {s.code for s in low_stock(suggestions=list(by_code.values()))}
    assert quiet.code in low  # 3 available <= OMS_LOW_STOCK_UNITS
    expected_rop = math.ceil(7 + 1.6449 * math.sqrt(10 * 81 / 90 - 1) * math.sqrt(7))
    assert by_code[busy.code].reorder_point == pytest.approx(expected_rop, abs=1)
