"""Planning through its services: demand read from orders, stored forecasts, audited policy, drafts from suggestions."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from oms.catalog.tests.factories import SkuFactory
from oms.common.errors import ValidationFailed
from oms.inventory.tests.factories import WarehouseFactory, stock_sku
from oms.orders.states import OrderStatus
from oms.planning import services
from oms.planning.demand import daily_demand
from oms.planning.models import Forecast, PolicyChange, SupplierPolicy
from oms.planning.policy import DEFAULT, SKU, SUPPLIER, policies_for
from oms.planning.selectors import planning_suggestions
from oms.planning.tests.factories import forecast_demand, record_demand
from oms.purchasing import services as purchasing
from oms.purchasing.tests.factories import ordered_po

pytestmark = pytest.mark.django_db


# --- Demand ---------------------------------------------------------------------------------------------------


def test_demand_is_what_customers_ordered_by_day_without_orders_cancelled_before_payment(tea):
    record_demand(tea, units_per_day=[2, 0, 5])  # yesterday 2, three days ago 5
    record_demand(tea, units_per_day=[7], status=OrderStatus.CANCELLED)  # never a sale
    record_demand(tea, units_per_day=[0, 0, 1], status=OrderStatus.REFUNDED)  # a sale, later refunded: demand

    today = timezone.localdate()
    demand = daily_demand(first_day=today - timedelta(days=4), days=4)

    assert demand == {tea.pk: [0, 6, 0, 2]}


def test_demand_per_warehouse_follows_the_allocations(tea, warehouse, customer, address):
    from oms.orders.tests.factories import placed_order

    other = WarehouseFactory(code="BJ-01")
    yesterday = timezone.now() - timedelta(days=1)
    placed_order(customer, address, (tea, 3), now=yesterday)  # reserved in SH-01, where the stock is

    today = timezone.localdate()
    assert daily_demand(first_day=today - timedelta(days=1), days=1, warehouse_id=warehouse.pk) == {tea.pk: [3]}
    assert daily_demand(first_day=today - timedelta(days=1), days=1, warehouse_id=other.pk) == {}


# --- Forecasts ------------------------------------------------------------------------------------------------


def test_forecasts_are_stored_with_the_day_they_were_made_and_replaced_that_day(tea, cup):
    record_demand(tea, units_per_day=[3] * 60)
    today = timezone.localdate()

    run = services.compute_forecasts(today=today)
    again = services.compute_forecasts(today=today)

    assert (run.skus, again.skus, run.made_on) == (2, 2, today)
    rows = {f.sku_id: f for f in Forecast.objects.filter(made_on=today)}
    assert len(rows) == 2 and Forecast.objects.count() == 2  # the second run replaced the first
    assert rows[tea.pk].method == "mean" and rows[tea.pk].mean_daily == Decimal("3.000")
    assert rows[tea.pk].daily[:7] == [3.0] * 7 and rows[tea.pk].history_days == 60
    assert rows[tea.pk].history[-1] == 3 and len(rows[tea.pk].history) == 90
    assert rows[cup.pk].mean_daily == 0 and rows[cup.pk].history_days == 0  # created today, never ordered


def test_the_job_forecasts_the_shop_and_each_warehouse_and_reports_progress(tea, warehouse):
    record_demand(tea, units_per_day=[1] * 30)
    seen = []

    runs = services.compute_all_forecasts(progress=lambda done, total: seen.append((done, total)))

    assert [(r.warehouse, r.skus) for r in runs] == [(None, 1), ("SH-01", 1)]
    assert seen == [(1, 1), (1, 1)]
    assert Forecast.objects.filter(warehouse=warehouse).count() == 1


def test_old_forecasts_are_deleted_by_the_job(settings, tea):
    settings.OMS_PLANNING_KEEP_DAYS = 10
    today = timezone.localdate()
    services.compute_forecasts(today=today - timedelta(days=11))
    services.compute_forecasts(today=today - timedelta(days=10))

    services.compute_all_forecasts(today=today)

    assert sorted({f.made_on for f in Forecast.objects.all()}) == [today - timedelta(days=10), today]


def test_a_new_sku_is_forecast_from_its_few_days(warehouse):
    new = stock_sku(warehouse=warehouse, on_hand=5, code="NEW")
    forecast_demand(new, units_per_day=[4, 2, 3, 3, 4, 2, 3, 3, 4, 2])

    row = Forecast.objects.get(sku=new)
    assert row.history_days == 10 and row.method == "mean" and row.mean_daily == Decimal("3.000")


# --- Policy ---------------------------------------------------------------------------------------------------


def test_policy_falls_back_from_sku_to_supplier_to_the_shop_default(settings, tea, cup, supplier, staff):
    settings.OMS_REPLENISH_SERVICE_LEVEL = 0.9
    SupplierPolicy.objects.create(supplier=supplier, order_cost=Decimal("80.00"), pack_size=12)
    services.update_sku_policy(sku=tea, changes={"supplier": supplier, "pack_size": 6}, actor=staff)

    policies = policies_for([tea.pk, cup.pk])

    tea_policy, cup_policy = policies[tea.pk], policies[cup.pk]
    assert (tea_policy.pack_size, tea_policy.sources["pack_size"]) == (6, SKU)
    assert (tea_policy.order_cost, tea_policy.sources["order_cost"]) == (Decimal("80.00"), SUPPLIER)
    assert (tea_policy.lead_days, tea_policy.sources["lead_days"]) == (5, SUPPLIER)  # the supplier's lead_days
    assert (tea_policy.service_level, tea_policy.sources["service_level"]) == (Decimal("0.9"), DEFAULT)
    assert tea_policy.supplier == "ACME"
    assert (cup_policy.lead_days, cup_policy.order_cost, cup_policy.pack_size) == (7, Decimal("50.00"), 1)
    assert cup_policy.holding_per_unit_year(Decimal("10.00")) == Decimal("2.5000")


def test_policy_changes_are_audited_field_by_field(tea, staff):
    services.update_sku_policy(sku=tea, changes={"lead_days": 9, "holding_rate": Decimal("0.3")}, actor=staff)
    services.update_sku_policy(sku=tea, changes={"lead_days": 9, "holding_cost": Decimal("4.00")}, actor=None)

    changes = [(c.field, c.old_value, c.new_value, c.actor) for c in PolicyChange.objects.order_by("id")]
    assert changes == [
        ("lead_days", "", "9", staff),
        ("holding_rate", "", "0.3", staff),
        ("holding_cost", "", "4", None),
        ("holding_rate", "0.3", "", None),  # one holding cost: the absolute one replaced the rate
    ]
    policy = policies_for([tea.pk])[tea.pk]
    assert (policy.holding_cost, policy.holding_rate, policy.lead_days) == (Decimal("4.00"), None, 9)


def test_policy_refuses_nonsense(tea):
    with pytest.raises(ValidationFailed, match="not both"):
        services.update_sku_policy(
            sku=tea, changes={"holding_cost": Decimal("1"), "holding_rate": Decimal("0.1")}, actor=None
        )
    with pytest.raises(ValidationFailed, match="between 0 and 1"):
        services.update_sku_policy(sku=tea, changes={"service_level": Decimal("1")}, actor=None)
    with pytest.raises(ValidationFailed):
        services.update_sku_policy(sku=tea, changes={"colour": "red"}, actor=None)
    assert not PolicyChange.objects.exists()


# --- Purchase orders from suggestions -------------------------------------------------------------------------


def test_from_suggestions_orders_the_suggested_quantity_then_counts_it_as_on_order(staff, supplier, warehouse, tea):
    forecast_demand(tea, units_per_day=[3] * 60)  # 3 a day, no error: ROP 21 over 7 days, no safety stock
    [before] = planning_suggestions(sku_ids=[tea.pk])
    assert before.reorder_now and before.on_order == 0 and before.reorder_point == 21
    # EOQ √(2 × 1095 × 50 ÷ 7.5) = 120.8 (H = 25 % of the unit cost 30.00), above the 12 that lift 10 past 21
    assert (before.order_quantity, before.quantity) == (121, 121)

    po = services.draft_purchase_order_from_suggestions(
        supplier=supplier, warehouse=warehouse, sku_codes=["TEA"], actor=staff
    )

    assert po.lines.get().quantity == 121
    assert po.note == "From replenishment suggestions"
    [after] = planning_suggestions(sku_ids=[tea.pk])
    assert after.on_order == 121 and after.position == 131 and not after.reorder_now
    with pytest.raises(ValidationFailed, match="None of the selected SKUs needs ordering") as caught:
        services.draft_purchase_order_from_suggestions(
            supplier=supplier, warehouse=warehouse, sku_codes=["TEA"], actor=staff
        )
    assert caught.value.details == {"not_needed": ["TEA"]}


def test_from_suggestions_leaves_out_skus_that_need_nothing(supplier, warehouse, tea, cup):
    forecast_demand(tea, units_per_day=[3] * 60)

    po = services.draft_purchase_order_from_suggestions(
        supplier=supplier, warehouse=warehouse, sku_codes=["TEA", "CUP"], actor=None
    )

    assert [line.sku.code for line in po.lines.all()] == ["TEA"]  # CUP never sold: nothing to reorder
    with pytest.raises(ValidationFailed, match="Unknown SKU"):
        services.draft_purchase_order_from_suggestions(
            supplier=supplier, warehouse=warehouse, sku_codes=["NOPE"], actor=None
        )


def test_a_closed_sku_is_suggested_again(supplier, warehouse, tea):
    forecast_demand(tea, units_per_day=[3] * 60)
    po = ordered_po(supplier=supplier, warehouse=warehouse, lines=[(tea, 121)])
    purchasing.receive_purchase_order(po=po, quantities={"TEA": 5}, actor=None)
    [waiting] = planning_suggestions(sku_ids=[tea.pk])
    assert (waiting.available, waiting.on_order, waiting.reorder_now) == (15, 116, False)  # hidden behind the PO

    purchasing.close_purchase_order(po=po, actor=None, reason="Crop failed")

    [after] = planning_suggestions(sku_ids=[tea.pk])
    assert (after.available, after.on_order, after.reorder_now, after.quantity) == (15, 0, True, 121)


def test_an_inactive_sku_is_never_suggested(warehouse):
    gone = SkuFactory(code="GONE", is_active=False)
    assert planning_suggestions(sku_ids=[gone.pk]) == []
