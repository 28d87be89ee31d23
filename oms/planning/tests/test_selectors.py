"""Suggestions from stored forecasts: reorder point, EOQ in packs, stock-out and order-by dates, urgency."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from oms.inventory.tests.factories import WarehouseFactory, stock_sku
from oms.planning import services
from oms.planning.models import Forecast
from oms.planning.policy import default_policy
from oms.planning.selectors import low_stock, planning_suggestions, suggest
from oms.planning.tests.factories import forecast_demand, record_demand
from oms.purchasing.tests.factories import draft_po

pytestmark = pytest.mark.django_db


def stored(*, daily: list[float], sigma: str = "0", made_days_ago: int = 0) -> Forecast:
    made_on = timezone.localdate() - timedelta(days=made_days_ago)
    return Forecast(
        made_on=made_on, made_at=timezone.now(), method="mean", daily=daily, history=[], mean_daily=Decimal("0"),
        sigma_daily=Decimal(sigma), history_days=90,
    )  # fmt: skip


def one(*, available: int, daily: list[float], on_order: int = 0, **kwargs) -> object:
    forecast = stored(daily=daily, **kwargs)
    policy = default_policy()  # L = 7, S = 50.00, 25 % a year, 0.95
    return suggest(
        sku_id=1, code="X", name="X", price=Decimal("50.00"), available=available, on_order=on_order, policy=policy,
        forecast=forecast, today=timezone.localdate(),
    )  # fmt: skip


def test_the_articles_reorder_point_from_a_flat_forecast():
    # d = 10 a day over L = 7 days and SS = z·σ·√7 = 1.6449 × 4.595 × 2.6458 = 19.997, 20 whole units → ROP = 90
    suggestion = one(available=200, daily=[10.0] * 120, sigma="4.595")
    assert suggestion.lead_demand == 70 and suggestion.safety_stock == 20 and suggestion.reorder_point == 90


def test_stock_out_and_order_by_dates_follow_the_forecast():
    today = timezone.localdate()
    suggestion = one(available=50, daily=[10.0] * 120)  # ROP 70 (no error), 50 units last 5 days

    assert suggestion.reorder_now and suggestion.order_by == today
    assert suggestion.stockout_on == today + timedelta(days=5)  # days 0-4 use the 50; day 5 has none left
    later = one(available=100, daily=[10.0] * 120)  # position falls to 70 at the end of day 2: order on day 3
    assert not later.reorder_now and later.order_by == today + timedelta(days=3)
    assert later.stockout_on == today + timedelta(days=10)


def test_a_weekend_heavy_forecast_runs_out_sooner_than_its_mean_says():
    today = timezone.localdate()
    # 2 a day on weekdays, 20 at weekends: 46 units in the next 7 days from a Saturday
    week = [20.0 if (today + timedelta(days=i)).weekday() >= 5 else 2.0 for i in range(120)]
    suggestion = one(available=30, daily=week)
    assert suggestion.lead_demand == Decimal(str(sum(week[:7])))
    assert suggestion.reorder_now


def test_a_forecast_made_days_ago_is_read_from_today_on():
    rising = [float(i) for i in range(120)]
    suggestion = one(available=1000, daily=rising, made_days_ago=3)
    assert suggestion.lead_demand == sum(range(3, 10))


def test_no_forecast_means_no_demand_and_no_order():
    suggestion = suggest(
        sku_id=1, code="X", name="X", price=Decimal("1"), available=0, on_order=0, policy=default_policy(),
        forecast=None, today=timezone.localdate(),
    )  # fmt: skip
    assert not suggestion.reorder_now and suggestion.stockout_on is None and suggestion.method is None


def test_pack_and_minimum_order_shape_the_suggested_quantity(tea, staff):
    services.update_sku_policy(sku=tea, changes={"pack_size": 50, "min_order_quantity": 200}, actor=staff)
    forecast_demand(tea, units_per_day=[3] * 60)

    [suggestion] = planning_suggestions(sku_ids=[tea.pk])

    assert suggestion.order_quantity == 121 and suggestion.quantity == 200  # the minimum, a whole number of packs
    services.update_sku_policy(sku=tea, changes={"min_order_quantity": None}, actor=staff)
    [suggestion] = planning_suggestions(sku_ids=[tea.pk])
    assert suggestion.quantity == 150  # 121 up to three packs of 50


def test_suggestions_come_most_urgent_first(warehouse):
    calm = stock_sku(warehouse=warehouse, on_hand=500, code="CALM")
    soon = stock_sku(warehouse=warehouse, on_hand=30, code="SOON")
    now = stock_sku(warehouse=warehouse, on_hand=5, code="NOW")
    stock_sku(warehouse=warehouse, on_hand=5, code="IDLE")
    for sku in (calm, soon, now):
        record_demand(sku, units_per_day=[2] * 60)
    services.compute_forecasts()

    found = planning_suggestions()

    assert [s.code for s in found] == ["NOW", "SOON", "CALM", "IDLE"]
    assert [s.code for s in low_stock(found)] == ["NOW", "IDLE"]  # IDLE: at the 5-unit floor


def test_a_warehouse_is_planned_from_its_own_stock_orders_and_purchase_orders(tea, warehouse, supplier):
    other = WarehouseFactory(code="BJ-01")
    stock_sku(sku=tea, warehouse=other, on_hand=500)
    draft_po(supplier=supplier, warehouse=other, lines=[(tea, 40)])
    record_demand(tea, units_per_day=[3] * 60)  # written without allocations: no warehouse was asked
    services.compute_all_forecasts()

    [shop] = planning_suggestions(sku_ids=[tea.pk])
    [here] = planning_suggestions(sku_ids=[tea.pk], warehouse=warehouse)
    [there] = planning_suggestions(sku_ids=[tea.pk], warehouse=other)

    assert (shop.available, shop.on_order, shop.lead_demand) == (510, 40, 21)
    assert (here.available, here.on_order, here.lead_demand, here.warehouse) == (10, 0, 0, "SH-01")
    assert (there.available, there.on_order) == (500, 40)
