"""Replenishment suggestions: economic order quantity (EOQ) and reorder point (ROP) from recent sales.

Demand is what left the stock: the ``deduct`` movements of the last OMS_REPLENISH_HISTORY_DAYS days, per SKU and
day (days without sales count as zero). With d̄ the mean and σ the standard deviation of daily demand:

- EOQ = sqrt(2·D·S / H), with D = d̄·365 units a year, S = cost of one purchase order (OMS_REPLENISH_ORDER_COST),
  H = cost of holding one unit for a year = price × OMS_REPLENISH_HOLDING_RATE;
- ROP = d̄·L + SS, with L = supplier lead time in days (OMS_REPLENISH_LEAD_DAYS) and safety stock
  SS = z·σ·sqrt(L), z the normal quantile of the service level (OMS_REPLENISH_SERVICE_LEVEL).

A SKU should be reordered when its inventory position — available units (on hand − reserved) plus units already on
order — is at or below its ROP: counting what is on the way stops a SKU from being flagged again while its purchase
order is open. Inventory knows nothing of purchase orders: the caller passes the units on order per SKU
(oms.purchasing.planning does).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from statistics import NormalDist, fmean

from django.conf import settings
from django.db.models import F, Q, Sum, Value
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from oms.catalog.models import Sku
from oms.inventory.models import StockMovement

DAYS_PER_YEAR = 365


@dataclass(frozen=True)
class Policy:
    order_cost: Decimal  # S
    holding_rate: Decimal  # H as a share of the unit price, per year
    lead_days: int  # L
    service_level: float
    history_days: int

    @classmethod
    def from_settings(cls) -> Policy:
        return cls(
            order_cost=settings.OMS_REPLENISH_ORDER_COST,
            holding_rate=settings.OMS_REPLENISH_HOLDING_RATE,
            lead_days=settings.OMS_REPLENISH_LEAD_DAYS,
            service_level=settings.OMS_REPLENISH_SERVICE_LEVEL,
            history_days=settings.OMS_REPLENISH_HISTORY_DAYS,
        )


@dataclass(frozen=True)
class Suggestion:
    sku_id: int
    code: str
    name: str
    available: int
    daily_demand: float  # d̄
    demand_std: float  # σ of daily demand
    safety_stock: int
    reorder_point: int
    order_quantity: int | None  # EOQ; None when holding costs nothing (a free SKU) or nothing sells
    reorder_now: bool  # the inventory position is at or below the reorder point
    on_order: int = 0  # units on open purchase orders, not yet received

    @property
    def position(self) -> int:
        """Inventory position: what is available now plus what is on its way."""
        return self.available + self.on_order

    @property
    def below_reorder_point(self) -> bool:
        """Available units alone are at or below the ROP (low stock, whether or not a purchase order is open)."""
        return self.daily_demand > 0 and self.available <= self.reorder_point


def safety_stock(*, demand_std: float, lead_days: int, service_level: float) -> float:
    """SS = z·σ·sqrt(L)."""
    if not 0 < service_level < 1:
        raise ValueError("service level must be between 0 and 1 (exclusive)")
    z = NormalDist().inv_cdf(service_level)
    return max(0.0, z * demand_std * math.sqrt(lead_days))


def reorder_point(*, daily_demand: float, demand_std: float, lead_days: int, service_level: float) -> float:
    """ROP = d̄·L + SS."""
    return daily_demand * lead_days + safety_stock(
        demand_std=demand_std, lead_days=lead_days, service_level=service_level
    )


def economic_order_quantity(*, annual_demand: float, order_cost: Decimal, holding_cost: Decimal) -> float | None:
    """EOQ = sqrt(2·D·S / H); None when H is zero (no holding cost: order any amount) or D is zero."""
    if holding_cost <= 0 or annual_demand <= 0:
        return None
    return math.sqrt(2 * annual_demand * float(order_cost) / float(holding_cost))


def suggest(
    *,
    sku_id: int,
    code: str,
    name: str,
    price: Decimal,
    available: int,
    daily_units: list[int],
    policy: Policy,
    on_order: int = 0,
) -> Suggestion:
    """The suggestion for one SKU from its units sold on each day of the history window (zeros included)."""
    mean = fmean(daily_units) if daily_units else 0.0
    std = _pstdev(daily_units, mean) if len(daily_units) > 1 else 0.0
    ss = safety_stock(demand_std=std, lead_days=policy.lead_days, service_level=policy.service_level)
    rop = mean * policy.lead_days + ss
    eoq = economic_order_quantity(
        annual_demand=mean * DAYS_PER_YEAR, order_cost=policy.order_cost, holding_cost=price * policy.holding_rate
    )
    reorder_at = math.ceil(rop)
    return Suggestion(
        sku_id=sku_id,
        code=code,
        name=name,
        available=available,
        daily_demand=mean,
        demand_std=std,
        safety_stock=math.ceil(ss),
        reorder_point=reorder_at,
        order_quantity=math.ceil(eoq) if eoq is not None else None,
        reorder_now=mean > 0 and available + on_order <= reorder_at,
        on_order=on_order,
    )


def _pstdev(values: list[int], mean: float) -> float:
    """Population standard deviation in floats: ``statistics.pstdev`` adds exact fractions, which made the
    dashboard's low-stock card spend most of its time here on a shop of a few thousand SKUs."""
    if not any(values):
        return 0.0
    return math.sqrt(math.fsum((value - mean) ** 2 for value in values) / len(values))


def daily_sales(*, since: datetime, days: int, sku_ids: list[int] | None = None) -> dict[int, list[int]]:
    """Units deducted per SKU on each of ``days`` days from ``since`` (UTC days: the database groups them)."""
    movements = StockMovement.objects.filter(kind=StockMovement.Kind.DEDUCT, created_at__gte=since)
    if sku_ids is not None:
        movements = movements.filter(stock__sku_id__in=sku_ids)
    rows = (
        movements.annotate(day=TruncDate("created_at", tzinfo=UTC))
        .values("stock__sku_id", "day")
        .annotate(units=-Sum("on_hand_delta"))
        .order_by()
    )
    first_day = since.astimezone(UTC).date()
    sales: dict[int, list[int]] = {}
    for row in rows:
        series = sales.setdefault(row["stock__sku_id"], [0] * days)
        index = (row["day"] - first_day).days
        if 0 <= index < days:
            series[index] += row["units"] or 0
    return sales


def replenishment_suggestions(
    *,
    policy: Policy | None = None,
    now: datetime | None = None,
    sku_ids: list[int] | None = None,
    on_order: Mapping[int, int] | None = None,
) -> list[Suggestion]:
    """A suggestion for every active SKU (or those of ``sku_ids``), those to reorder first, then by code.

    ``on_order`` maps SKU ids to units on open purchase orders (none when not given).
    """
    on_order = on_order or {}
    policy = policy or Policy.from_settings()
    now = now or timezone.now()
    since = now - timedelta(days=policy.history_days)
    sales = daily_sales(since=since, days=policy.history_days, sku_ids=sku_ids)
    skus = Sku.objects.filter(is_active=True).annotate(
        available=Coalesce(
            Sum(F("stocks__on_hand") - F("stocks__reserved"), filter=Q(stocks__warehouse__is_active=True)), Value(0)
        )
    )
    if sku_ids is not None:
        skus = skus.filter(pk__in=sku_ids)
    zeros = [0] * policy.history_days
    suggestions = [
        suggest(
            sku_id=sku.pk,
            code=sku.code,
            name=sku.name,
            price=sku.price,
            available=sku.available,
            daily_units=sales.get(sku.pk, zeros),
            policy=policy,
            on_order=on_order.get(sku.pk, 0),
        )
        for sku in skus.order_by("code")
    ]
    return sorted(suggestions, key=lambda s: (not s.reorder_now, s.code))
