"""The inventory model's formulas (EOQ, reorder point, safety stock), exact in Decimal where the inputs are.

- EOQ = sqrt(2·D·S / H): D units a year, S the cost of one order, H the cost of holding a unit for a year;
- ROP = d·L + SS: d units a day, L lead time in days, SS safety stock;
- SS = z·σ_L: z the normal quantile of the service level, σ_L the standard deviation of demand over L days.

``D = 1000, S = 50, H = 10`` gives EOQ = 100 and ``d = 10, L = 7, SS = 20`` gives ROP = 90, exactly (tests).
"""

from __future__ import annotations

import math
from decimal import ROUND_CEILING, Decimal
from statistics import NormalDist


def economic_order_quantity(*, annual_demand: Decimal, order_cost: Decimal, holding_cost: Decimal) -> Decimal | None:
    """EOQ = sqrt(2·D·S / H); None when H is zero (holding costs nothing: any amount) or nothing sells."""
    if holding_cost <= 0 or annual_demand <= 0:
        return None
    return (2 * annual_demand * order_cost / holding_cost).sqrt()


def reorder_point(*, daily_demand: Decimal, lead_days: int, safety_stock: Decimal) -> Decimal:
    """ROP = d·L + SS."""
    return daily_demand * lead_days + safety_stock


def service_factor(service_level: Decimal | float) -> float:
    """z: the normal quantile of the service level (0 < level < 1)."""
    level = float(service_level)
    if not 0 < level < 1:
        raise ValueError("service level must be between 0 and 1 (exclusive)")
    return NormalDist().inv_cdf(level)


def safety_stock(*, sigma_lead: float, service_level: Decimal | float) -> float:
    """SS = z·σ_L (never negative: a service level under one half asks for none)."""
    return max(0.0, service_factor(service_level) * sigma_lead)


def lead_time_sigma(*, sigma_daily: float, lead_days: int) -> float:
    """σ_L = σ·sqrt(L): independent daily errors add up in variance over the lead time."""
    return sigma_daily * math.sqrt(lead_days)


def whole_units(value: Decimal | float) -> int:
    """Units rounded up: a fraction of a unit cannot be ordered, and rounding down would fall short."""
    return int(Decimal(str(value)).to_integral_value(rounding=ROUND_CEILING))


def order_quantity(*, wanted: int, pack_size: int = 1, min_order_quantity: int = 1) -> int:
    """``wanted`` units, at least the supplier's minimum order, rounded up to whole packs."""
    units = max(wanted, min_order_quantity, 1)
    pack = max(pack_size, 1)
    return -(-units // pack) * pack
