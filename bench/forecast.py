"""Demand forecasts against the 90-day mean replenishment used before them, on generated histories of known shape.

For each shape (flat, trend, weekly season, intermittent, new SKU) it generates ``--series`` daily demand series
(Poisson, seeded) and prints:

1. **Forecast error**: MASE of the next 28 days after a 182-day history (10 days for the new SKU), of our method
   (oms.planning.forecasting: the model chosen per SKU on a held-out window) and of the 90-day mean; MASE divides
   the mean absolute error by the in-sample error of "tomorrow as today", so 1.0 is as good as that naive guess.
2. **A simulated year of replenishment** under each method, the same rule as oms.planning.selectors: every day,
   order when stock + on order ≤ ROP, the EOQ but at least enough to lift the position above the ROP, delivered
   after L days. ROP = demand over L + z·σ·√L and EOQ = √(2DS/H) (oms.planning.formulas); the old method takes
   demand and σ from the mean and spread of the last 90 days, ours from the forecast (recomputed every day, as the
   nightly job does) and its one-day error. Demand the shelf cannot serve is lost, and the history both methods
   learn from is what sold (a shop that refuses orders it has no stock for records nothing else). Printed: days
   with a stock-out per SKU-year, units lost, and the average stock on hand.
3. **Speed**: the time to forecast 10,000 SKUs of 182 days (median of ``--repeat`` runs), the job's fitting work
   without the database.

    python bench/forecast.py [--series 60] [--repeat 3] [--seed 7]

Target: fewer stock-outs at no more average stock than the 90-day mean, on every shape.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from oms.planning import forecasting  # noqa: E402  (pure NumPy: no Django needed)
from oms.planning.formulas import service_factor  # noqa: E402

HISTORY = 182
TEST_DAYS = 28
YEAR = 365
LEAD_DAYS = 7
ORDER_COST = 50.0  # S
HOLDING = 10.0  # H per unit-year (the article's example: S = 50, H = 10)
SERVICE_LEVEL = Decimal("0.95")
LOWER_LEVELS = [Decimal(level) for level in ("0.9", "0.8", "0.7", "0.6", "0.5")]
HIGHER_LEVELS = [Decimal(level) for level in ("0.98", "0.99", "0.995")]
WEEK = np.array([0.6, 0.6, 0.6, 0.7, 1.0, 2.2, 2.3])  # Monday … Sunday


@dataclass(frozen=True)
class Shape:
    name: str
    history: int  # days known before the test window / the simulated year
    rate: Callable[[np.ndarray], np.ndarray]  # expected units on each day index (0 = first history day)
    intermittent: bool = False


SHAPES = [
    Shape("flat", HISTORY, lambda t: np.full(t.shape, 5.0)),
    Shape("trend", HISTORY, lambda t: 2.0 * 2 ** (t / 120)),  # sales double every four months
    Shape("weekly season", HISTORY, lambda t: 4.0 * WEEK[t % 7]),
    Shape("intermittent", HISTORY, lambda t: np.full(t.shape, 0.15), intermittent=True),
    Shape("new SKU", 10, lambda t: np.full(t.shape, 4.0)),
]


def demand(shape: Shape, *, series: int, days: int, rng: np.random.Generator) -> np.ndarray:
    t = np.arange(days)
    if shape.intermittent:  # on 15 % of days an order of 1 + Poisson(3) units
        happens = rng.random((series, days)) < shape.rate(t)
        return np.where(happens, 1 + rng.poisson(3.0, (series, days)), 0).astype(float)
    return rng.poisson(np.broadcast_to(shape.rate(t), (series, days))).astype(float)


def mase(forecast: np.ndarray, actual: np.ndarray, history: np.ndarray) -> np.ndarray:
    return np.abs(forecast - actual).mean(axis=1) / forecasting.naive_scale(history)


def forecast_errors(shape: Shape, *, series: int, rng: np.random.Generator) -> tuple[float, float, dict[str, int]]:
    y = demand(shape, series=series, days=shape.history + TEST_DAYS, rng=rng)
    history, actual = y[:, : shape.history], y[:, shape.history :]
    ours = forecasting.forecast_many(history, horizon=TEST_DAYS)
    ours_path = np.array([f.daily for f in ours])
    mean90 = np.repeat(history[:, -90:].mean(axis=1, keepdims=True), TEST_DAYS, axis=1)
    methods: dict[str, int] = {}
    for f in ours:
        methods[f.method] = methods.get(f.method, 0) + 1
    return float(np.mean(mase(ours_path, actual, history))), float(np.mean(mase(mean90, actual, history))), methods


def plan_mean90(sold: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(demand over L, σ of one day, daily rate for D) from the last 90 days: the method before forecasts."""
    tail = sold[:, -90:]
    mean = tail.mean(axis=1)
    return mean * LEAD_DAYS, tail.std(axis=1), mean


def plan_forecast(sold: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The same from our forecast: the path summed over L, its one-day error, its mean over the next 28 days."""
    found = forecasting.forecast_many(sold[:, -HISTORY:], horizon=28)
    paths = np.array([f.daily for f in found])
    return paths[:, :LEAD_DAYS].sum(axis=1), np.array([f.sigma for f in found]), paths.mean(axis=1)


def simulate(
    shape: Shape, plan: Callable, *, series: int, seed: int, service_level: Decimal = SERVICE_LEVEL
) -> dict[str, float]:
    """A year of daily replenishment for ``series`` SKUs of one shape (same demand for every method: same seed)."""
    rng = np.random.default_rng(seed)
    y = demand(shape, series=series, days=shape.history + YEAR, rng=rng)
    z = service_factor(service_level)
    sold = y[:, : shape.history].copy()  # the past sold in full: the simulation starts well stocked
    stock = np.ceil(14 * y[:, : shape.history][:, -14:].mean(axis=1))  # two weeks of what sold lately
    arriving = np.zeros((series, YEAR + LEAD_DAYS + 1))
    on_order = np.zeros(series)
    stockout_days = lost = stock_days = 0.0
    for day in range(YEAR):
        stock += arriving[:, day]
        on_order -= arriving[:, day]
        wanted = y[:, shape.history + day]
        served = np.minimum(stock, wanted)
        stockout_days += float((wanted > stock).sum())
        lost += float((wanted - served).sum())
        stock -= served
        stock_days += float(stock.sum())
        sold = np.concatenate([sold, served[:, None]], axis=1)
        lead_demand, sigma, rate = plan(sold)
        rop = np.ceil(lead_demand + z * sigma * np.sqrt(LEAD_DAYS))
        eoq = np.ceil(np.sqrt(2 * np.maximum(rate, 0) * 365 * ORDER_COST / HOLDING))
        position = stock + on_order
        due = (lead_demand > 0) & (position <= rop)
        quantity = np.where(due, np.maximum(eoq, rop - position + 1), 0)
        arriving[:, day + LEAD_DAYS] += quantity
        on_order += quantity
    return {
        "stockout_days": stockout_days / series,
        "lost": lost / series,
        "avg_stock": stock_days / series / YEAR,
    }


def frontier(
    shape: Shape, ours: dict[str, float], old: dict[str, float], *, series: int, seed: int
) -> tuple[Decimal, dict[str, float]]:
    """Ours at the highest service level whose average stock is no more than the old method's (0.50 at least):
    the fewest stock-outs our forecasts buy with the same stock budget."""

    def run(level: Decimal) -> dict[str, float]:
        return simulate(shape, plan_forecast, series=series, seed=seed, service_level=level)

    if ours["avg_stock"] <= old["avg_stock"]:
        best = (SERVICE_LEVEL, ours)
        for level in HIGHER_LEVELS:
            found = run(level)
            if found["avg_stock"] > old["avg_stock"]:
                break
            best = (level, found)
        return best
    found = ours
    for level in LOWER_LEVELS:
        found = run(level)
        if found["avg_stock"] <= old["avg_stock"]:
            return level, found
    return LOWER_LEVELS[-1], found


def time_10k(*, repeat: int, seed: int) -> float:
    rng = np.random.default_rng(seed)
    per_shape = 10_000 // 4
    histories = np.vstack([demand(shape, series=per_shape, days=HISTORY, rng=rng) for shape in SHAPES[:4]])
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        forecasting.forecast_histories(histories.tolist(), horizon=120)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--series", type=int, default=60, help="SKUs per shape (default 60)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of the 10,000-SKU timing (median)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    print(f"Forecast error, MASE over the next {TEST_DAYS} days ({args.series} SKUs per shape; lower is better)")
    print(f"{'shape':<15} {'ours':>6} {'mean90':>7}  models chosen")
    for i, shape in enumerate(SHAPES):
        ours, mean90, methods = forecast_errors(shape, series=args.series, rng=np.random.default_rng(args.seed + i))
        chosen = ", ".join(f"{name} {count}" for name, count in sorted(methods.items(), key=lambda kv: -kv[1]))
        print(f"{shape.name:<15} {ours:>6.2f} {mean90:>7.2f}  {chosen}")

    print(
        f"\nA simulated year of replenishment, per SKU (L = {LEAD_DAYS} days, S = {ORDER_COST:.0f}, H = {HOLDING:.0f})"
    )
    print(
        "Both at service level 0.95; then ours at the highest level (0.50-0.995) whose stock is no more than mean90's."
    )
    print(f"{'shape':<15} {'stock-out days':>20} {'units lost':>20} {'average stock':>20}  {'at no more stock':>24}")
    print(f"{'':<15} {'ours':>9} {'mean90':>10} {'ours':>9} {'mean90':>10} {'ours':>9} {'mean90':>10}  "
          f"{'level':>6} {'s-o days':>8} {'stock':>7}  target")  # fmt: skip
    all_met = True
    for i, shape in enumerate(SHAPES):
        seed = args.seed + 100 + i
        ours = simulate(shape, plan_forecast, series=args.series, seed=seed)
        old = simulate(shape, plan_mean90, series=args.series, seed=seed)
        level, same = frontier(shape, ours, old, series=args.series, seed=seed)
        met = same["stockout_days"] < old["stockout_days"] and same["avg_stock"] <= old["avg_stock"]
        all_met &= met
        print(
            f"{shape.name:<15} {ours['stockout_days']:>9.1f} {old['stockout_days']:>10.1f} {ours['lost']:>9.1f}"
            f" {old['lost']:>10.1f} {ours['avg_stock']:>9.1f} {old['avg_stock']:>10.1f}  {level:>6} "
            f"{same['stockout_days']:>8.1f} {same['avg_stock']:>7.1f}  {'met' if met else 'NOT met'}"
        )

    seconds = time_10k(repeat=args.repeat, seed=args.seed)
    print(f"\nForecasting 10,000 SKUs of {HISTORY} days (fitting only, median of {args.repeat}): {seconds:.1f} s")
    print("Target (fewer stock-outs at no more average stock on every shape):", "met" if all_met else "NOT met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
