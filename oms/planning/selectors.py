"""Planning reads: replenishment suggestions from the stored forecasts, stock, units on order and each SKU's policy.

Per SKU, with its forecast path f (units expected on each day from today), its policy (oms.planning.policy) and its
inventory position (available + on order):

- demand over the lead time ``f[0] + … + f[L-1]``; its spread σ_L = σ·sqrt(L) (σ: the forecast's one-day error);
- safety stock SS = z·σ_L, reorder point ROP = demand over L + SS (rounded up to whole units);
- D = the forecast's mean rate over the next 28 days × 365; EOQ = sqrt(2·D·S / H), H = the holding cost per unit-year (given, or the rate
  × the unit cost, the SKU's price × OMS_PURCHASE_COST_RATIO as on a new purchase order line);
- reorder now when the position is at or below the ROP: order the EOQ, but at least ROP − position + 1, at least
  the minimum order, in whole packs;
- stock-out date: the first day the forecast demand from today exceeds the units available now (units on order are
  left out: a draft may never be sent); order-by date: the first day the position, run down by the forecast,
  reaches the ROP (today when it already has).

Nothing is computed here that the forecast job did not store: a page reads one forecast row per SKU.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from itertools import accumulate

from django.conf import settings
from django.db.models import F, Max, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from oms.catalog.models import Sku
from oms.inventory.models import Warehouse
from oms.planning.formulas import (
    economic_order_quantity,
    lead_time_sigma,
    order_quantity,
    safety_stock,
    whole_units,
)
from oms.planning.models import Forecast, PolicyChange
from oms.planning.policy import EffectivePolicy, policies_for
from oms.purchasing.models import MAX_LINE_QUANTITY
from oms.purchasing.selectors import units_on_order
from oms.purchasing.services import default_unit_cost

DAYS_PER_YEAR = 365
# D from the forecast's mean rate over the next four weeks: EOQ is a steady-state rule, and a trend carried further
# out would order for sales that may never come.
ANNUAL_RATE_DAYS = 28
THREE_PLACES = Decimal("0.001")


@dataclass(frozen=True)
class Suggestion:
    sku_id: int
    code: str
    name: str
    warehouse: str | None  # None: the whole shop
    available: int
    on_order: int
    policy: EffectivePolicy
    method: str | None  # the forecast model; None: no forecast yet (demand read as none)
    made_on: date | None
    mase: Decimal | None
    daily_demand: Decimal  # mean forecast units a day over the lead time
    lead_demand: Decimal  # forecast units over the lead time
    sigma_lead: Decimal
    safety_stock: int
    reorder_point: int
    order_quantity: int | None  # EOQ in whole units; None when holding costs nothing or nothing sells
    quantity: int  # suggested order: 0 when nothing is due
    reorder_now: bool
    stockout_on: date | None  # None: not within the forecast's horizon
    order_by: date | None

    @property
    def position(self) -> int:
        """Inventory position: what is available now plus what is on its way."""
        return self.available + self.on_order

    @property
    def below_reorder_point(self) -> bool:
        """Available units alone are at or below the ROP (low stock, whether or not a purchase order is open)."""
        return self.lead_demand > 0 and self.available <= self.reorder_point

    @property
    def urgency(self) -> tuple[date, date, str]:
        return (self.order_by or date.max, self.stockout_on or date.max, self.code)


def _first_day_reaching(path: list[float], threshold: float, today: date) -> date | None:
    """The first day from today on which the forecast demand summed since today exceeds ``threshold``."""
    for index, total in enumerate(accumulate(path)):
        if total > threshold:
            return today + timedelta(days=index)
    return None


def suggest(
    *,
    sku_id: int,
    code: str,
    name: str,
    price: Decimal,
    available: int,
    on_order: int,
    policy: EffectivePolicy,
    forecast: Forecast | None,
    today: date,
    warehouse: str | None = None,
) -> Suggestion:
    """The suggestion for one SKU from its stored forecast (module docstring)."""
    path: list[float] = []
    sigma = 0.0
    if forecast is not None:
        stored = [float(units) for units in forecast.daily]
        offset = max((today - forecast.made_on).days, 0)  # a forecast made days ago: its days from today on
        path = stored[offset:] or stored[-1:]
        sigma = float(forecast.sigma_daily)
    lead = policy.lead_days
    ahead = path[:lead] + [path[-1] if path else 0.0] * max(lead - len(path), 0)
    lead_demand = Decimal(str(round(sum(ahead), 3)))
    sigma_lead = lead_time_sigma(sigma_daily=sigma, lead_days=lead)
    ss = Decimal(str(round(safety_stock(sigma_lead=sigma_lead, service_level=policy.service_level), 3)))
    # ROP = d·L + SS with d·L the forecast summed over the lead time (the days need not be alike).
    rop = whole_units(lead_demand + ss)
    window = path[:ANNUAL_RATE_DAYS]
    annual = Decimal(str(round(sum(window) / len(window) * DAYS_PER_YEAR, 3))) if window else Decimal("0")
    eoq = economic_order_quantity(
        annual_demand=annual,
        order_cost=policy.order_cost,
        holding_cost=policy.holding_per_unit_year(default_unit_cost(price)),
    )
    eoq_units = whole_units(eoq) if eoq is not None else None
    position = available + on_order
    reorder_now = lead_demand > 0 and position <= rop
    quantity = 0
    if reorder_now:
        wanted = max(eoq_units or 0, rop - position + 1)
        quantity = min(
            order_quantity(wanted=wanted, pack_size=policy.pack_size, min_order_quantity=policy.min_order_quantity),
            MAX_LINE_QUANTITY,
        )
    stockout_on = (today if available <= 0 else _first_day_reaching(path, available, today)) if path else None
    if not any(path):
        stockout_on = None
    if reorder_now:
        order_by: date | None = today
    else:
        reached = _first_day_reaching(path, position - rop - 1e-9, today) if lead_demand > 0 else None
        order_by = reached + timedelta(days=1) if reached is not None else None
    return Suggestion(
        sku_id=sku_id,
        code=code,
        name=name,
        warehouse=warehouse,
        available=available,
        on_order=on_order,
        policy=policy,
        method=forecast.method if forecast is not None else None,
        made_on=forecast.made_on if forecast is not None else None,
        mase=forecast.mase if forecast is not None else None,
        daily_demand=(lead_demand / lead).quantize(THREE_PLACES),
        lead_demand=lead_demand,
        sigma_lead=Decimal(str(round(sigma_lead, 3))),
        safety_stock=whole_units(ss),
        reorder_point=rop,
        order_quantity=eoq_units,
        quantity=quantity,
        reorder_now=reorder_now,
        stockout_on=stockout_on,
        order_by=order_by,
    )


def latest_forecasts(
    *, sku_ids: list[int] | None = None, warehouse_id: int | None = None, today: date | None = None
) -> dict[int, Forecast]:
    """The newest stored forecast made on or before ``today`` per SKU id, for the shop or one warehouse."""
    today = today or timezone.localdate()
    scope = Forecast.objects.filter(made_on__lte=today)
    scope = scope.filter(warehouse__isnull=True) if warehouse_id is None else scope.filter(warehouse_id=warehouse_id)
    if sku_ids is not None:
        scope = scope.filter(sku_id__in=sku_ids)
    newest = scope.aggregate(day=Max("made_on"))["day"]
    if newest is None:
        return {}
    scope = scope.defer("history")  # the chart's past: read by the SKU's page alone
    found = {row.sku_id: row for row in scope.filter(made_on=newest)}
    missing = None if sku_ids is None else [pk for pk in sku_ids if pk not in found]
    if missing:  # SKUs the last run did not cover (new since): their newest earlier forecast, if any
        for row in scope.filter(sku_id__in=missing).order_by("sku_id", "-made_on"):
            found.setdefault(row.sku_id, row)
    return found


def planning_suggestions(
    *, sku_ids: list[int] | None = None, warehouse: Warehouse | None = None, today: date | None = None
) -> list[Suggestion]:
    """A suggestion for every active SKU (or those of ``sku_ids``; with ``warehouse``, those stocked there), most
    urgent first: by the date to order by, then the stock-out date, then code."""
    today = today or timezone.localdate()
    stock_filter = Q(stocks__warehouse__is_active=True)
    skus = Sku.objects.filter(is_active=True)
    if warehouse is not None:
        skus = skus.filter(stocks__warehouse=warehouse)
        stock_filter = Q(stocks__warehouse=warehouse)
    if sku_ids is not None:
        skus = skus.filter(pk__in=sku_ids)
    rows = list(
        skus.annotate(
            available=Coalesce(Sum(F("stocks__on_hand") - F("stocks__reserved"), filter=stock_filter), Value(0))
        ).values_list("pk", "code", "name", "price", "available")
    )
    ids = [row[0] for row in rows]
    warehouse_id = warehouse.pk if warehouse is not None else None
    forecasts = latest_forecasts(sku_ids=sku_ids, warehouse_id=warehouse_id, today=today)
    on_order = units_on_order(sku_ids=sku_ids, warehouse_id=warehouse_id)
    policies = policies_for(ids, all_rows=sku_ids is None)
    suggestions = [
        suggest(
            sku_id=pk,
            code=code,
            name=name,
            price=price,
            available=available,
            on_order=on_order.get(pk, 0),
            policy=policies[pk],
            forecast=forecasts.get(pk),
            today=today,
            warehouse=warehouse.code if warehouse is not None else None,
        )
        for pk, code, name, price, available in rows
    ]
    return sorted(suggestions, key=lambda s: s.urgency)


def low_stock(suggestions: list[Suggestion]) -> list[Suggestion]:
    """SKUs whose available units are at or below their reorder point, or at or below OMS_LOW_STOCK_UNITS; fewest
    first. Units on order do not count here: the stock is low until they arrive."""
    floor = settings.OMS_LOW_STOCK_UNITS
    low = [s for s in suggestions if s.below_reorder_point or s.available <= floor]
    return sorted(low, key=lambda s: (s.available - s.reorder_point, s.code))


def policy_changes(*, sku_id: int, limit: int = 50) -> list[PolicyChange]:
    return list(PolicyChange.objects.filter(sku_id=sku_id).select_related("actor")[:limit])


def forecast_chart(
    forecast: Forecast, *, days_ahead: int = 56
) -> tuple[list[str], list[int | None], list[float | None]]:
    """Labels (MM-DD) and the two series of the chart: units ordered on past days, then units forecast ahead."""
    history = list(forecast.history)
    past = [forecast.made_on - timedelta(days=len(history) - i) for i in range(len(history))]
    ahead = [forecast.made_on + timedelta(days=i) for i in range(min(days_ahead, len(forecast.daily)))]
    labels = [day.strftime("%m-%d") for day in past + ahead]
    ordered: list[int | None] = [*history, *([None] * len(ahead))]
    forecast_line: list[float | None] = [*([None] * len(history)), *forecast.daily[: len(ahead)]]
    return labels, ordered, forecast_line
