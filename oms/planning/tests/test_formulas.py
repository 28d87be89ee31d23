"""The inventory model's formulas: the article's examples hold exactly, and rounding never falls short."""

from __future__ import annotations

from decimal import Decimal

import pytest

from oms.planning.formulas import (
    economic_order_quantity,
    lead_time_sigma,
    order_quantity,
    reorder_point,
    safety_stock,
    service_factor,
    whole_units,
)


def test_the_articles_eoq_example_is_exact():
    # D = 1000 units a year, S = 50 per order, H = 10 per unit-year → EOQ = sqrt(2 × 1000 × 50 ÷ 10) = 100
    eoq = economic_order_quantity(annual_demand=Decimal(1000), order_cost=Decimal(50), holding_cost=Decimal(10))
    assert eoq == Decimal(100)
    assert whole_units(eoq) == 100


def test_the_articles_reorder_point_example_is_exact():
    # d = 10 a day, L = 7 days, SS = 20 → ROP = 10 × 7 + 20 = 90
    assert reorder_point(daily_demand=Decimal(10), lead_days=7, safety_stock=Decimal(20)) == Decimal(90)


def test_no_eoq_without_holding_cost_or_demand():
    assert economic_order_quantity(annual_demand=Decimal(0), order_cost=Decimal(50), holding_cost=Decimal(10)) is None
    assert economic_order_quantity(annual_demand=Decimal(10), order_cost=Decimal(50), holding_cost=Decimal(0)) is None


def test_safety_stock_is_z_times_the_lead_time_spread():
    sigma_lead = lead_time_sigma(sigma_daily=2.0, lead_days=9)
    assert sigma_lead == pytest.approx(6.0)
    assert safety_stock(sigma_lead=sigma_lead, service_level=Decimal("0.95")) == pytest.approx(1.6449 * 6, rel=1e-4)
    assert safety_stock(sigma_lead=sigma_lead, service_level=Decimal("0.5")) == 0
    with pytest.raises(ValueError):
        service_factor(Decimal("1"))


@pytest.mark.parametrize(
    ("wanted", "pack", "minimum", "expected"),
    [(100, 1, 1, 100), (101, 12, 1, 108), (5, 1, 24, 24), (5, 10, 24, 30), (0, 6, 1, 6)],
)
def test_order_quantity_rounds_up_to_packs_and_the_minimum(wanted, pack, minimum, expected):
    assert order_quantity(wanted=wanted, pack_size=pack, min_order_quantity=minimum) == expected


def test_whole_units_round_up():
    assert whole_units(Decimal("76.01")) == 77 and whole_units(76.0) == 76 and whole_units(Decimal("0")) == 0
