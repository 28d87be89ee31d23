"""Forecasting: our Holt-Winters is statsmodels' (same recursions), and each history shape gets a model that fits."""

from __future__ import annotations

import numpy as np
import pytest

from oms.planning import forecasting as f

WEEK = np.array([0, 0, 0, 0, 2, 6, 5], dtype=float)  # Friday to Sunday sell more


def seasonal(n: int, *, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return 10 + 0.05 * np.arange(n) + np.tile(WEEK, n // 7 + 1)[:n] + rng.normal(0, 1, n)


@pytest.mark.parametrize(("alpha", "beta", "gamma", "phi"), [(0.3, 0.1, 0.2, 0.95), (0.05, 0.02, 0.05, 0.9)])
def test_holt_winters_is_the_same_as_statsmodels(alpha, beta, gamma, phi):
    holtwinters = pytest.importorskip("statsmodels.tsa.holtwinters")
    y = seasonal(70)
    level0, trend0, season0 = f.holt_winters_start(y[None, :])
    fitted, _, forecast = f.holt_winters_run(
        y[None, :],
        alpha=np.array([[alpha]]),
        beta=np.array([[beta]]),
        gamma=np.array([[gamma]]),
        phi=np.array([[phi]]),
        level0=level0,
        trend0=trend0,
        season0=season0,
        horizon=6,
        keep_fitted=True,
    )
    reference = holtwinters.ExponentialSmoothing(
        y,
        trend="add",
        damped_trend=True,
        seasonal="add",
        seasonal_periods=7,
        initialization_method="known",
        initial_level=level0[0],
        initial_trend=trend0[0],
        initial_seasonal=season0[0],
    ).fit(smoothing_level=alpha, smoothing_trend=beta, smoothing_seasonal=gamma, damping_trend=phi, optimized=False)

    # Every one-step fitted value (all of the recursions), and the days ahead up to a week. (statsmodels reuses the
    # season from before the last day's update for days 7, 14… ahead; we use the updated one, as the textbook.)
    np.testing.assert_allclose(fitted[0, 0], reference.fittedvalues, rtol=0, atol=1e-9)
    np.testing.assert_allclose(forecast[0, 0], reference.forecast(6), rtol=0, atol=1e-9)


def test_our_fitted_holt_winters_forecasts_as_well_as_statsmodels_optimised_fit():
    holtwinters = pytest.importorskip("statsmodels.tsa.holtwinters")
    errors = {"ours": [], "statsmodels": []}
    for seed in range(5):
        y = seasonal(126, seed=seed)
        train, test = y[:-14], y[-14:]
        ours = f.fit_holt_winters(train[None, :], 14)[0][0]
        model = holtwinters.ExponentialSmoothing(
            train, trend="add", damped_trend=True, seasonal="add", seasonal_periods=7
        ).fit()
        errors["ours"].append(np.abs(ours - test).mean())
        errors["statsmodels"].append(np.abs(model.forecast(14) - test).mean())
    assert np.mean(errors["ours"]) <= 1.1 * np.mean(errors["statsmodels"])


def test_a_weekly_pattern_is_forecast_by_holt_winters():
    result = f.forecast_one(list(seasonal(98)), horizon=14)

    assert result.method == f.HOLT_WINTERS
    weekends = result.daily[[(97 + h) % 7 in (5, 6) for h in range(1, 15)]]
    weekdays = result.daily[[(97 + h) % 7 in (0, 1, 2, 3) for h in range(1, 15)]]
    assert weekends.mean() > weekdays.mean() + 3
    assert result.mase is not None and result.mase < 1


def test_a_trend_is_carried_forward():
    rng = np.random.default_rng(3)
    y = 2 + 0.2 * np.arange(120) + rng.normal(0, 0.5, 120)

    result = f.forecast_one(list(y), horizon=14)

    assert result.method in (f.HOLT, f.HOLT_WINTERS)
    assert result.daily[:7].mean() > y[-7:].mean()  # not the lagging mean of the last 90 days
    assert result.daily[:7].mean() > 1.3 * y[-90:].mean()


def test_intermittent_demand_gets_a_rate_not_zero():
    rng = np.random.default_rng(4)
    y = np.where(rng.random(120) < 0.15, rng.integers(1, 6, 120), 0).astype(float)

    result = f.forecast_one(list(y), horizon=7)

    assert result.method in f.METHODS and result.daily.min() > 0
    assert result.daily.mean() == pytest.approx(y.mean(), rel=0.6)


def test_a_new_sku_with_ten_days_uses_their_mean():
    result = f.forecast_one([3, 4, 2, 5, 3, 4, 3, 2, 4, 5], horizon=5)

    assert result.method == f.MEAN and result.mase is None
    np.testing.assert_allclose(result.daily, [3.5] * 5)
    assert result.history_days == 10


def test_no_history_forecasts_nothing():
    result = f.forecast_one([], horizon=3)
    assert result.method == f.MEAN and list(result.daily) == [0, 0, 0] and result.sigma == 0


def test_histories_of_different_lengths_come_back_in_order():
    found = f.forecast_histories([[1] * 40, [5] * 10, [2] * 40, []], horizon=2)
    assert [round(float(r.daily[0]), 6) for r in found] == [1, 5, 2, 0]
    assert [r.history_days for r in found] == [40, 10, 40, 0]


def test_forecasts_are_never_negative():
    y = np.maximum(0, 30 - 0.5 * np.arange(60))  # falling to zero
    assert f.forecast_one(list(y), horizon=30).daily.min() >= 0
