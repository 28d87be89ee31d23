"""Daily demand forecasts: exponential smoothing with trend and weekly seasonality, and simpler models for short or
intermittent histories, chosen per SKU by its error on a held-out recent window.

Everything here works on many SKUs at once: ``forecast_many`` takes a matrix of histories of one length (one row per
SKU, one column per day, oldest first) and fits every candidate model to every row with NumPy, its smoothing
parameters chosen from a small grid by the in-sample one-step squared error. Floats are fine here: these are
statistical estimates; what is stored or shown is rounded by the caller.

Models (``METHODS``):

- ``mean``: the mean of the last ``MEAN_DAYS`` days (90: what replenishment used before forecasts);
- ``ses``: simple exponential smoothing (a level);
- ``holt``: Holt's linear trend, damped (a level and a trend that flattens out);
- ``holt_winters``: additive Holt-Winters with a damped trend and a 7-day season (the day of the week), the same
  recursions as statsmodels' ``ExponentialSmoothing(trend="add", damped_trend=True, seasonal="add",
  seasonal_periods=7)`` (a test proves it);
- ``croston``: Croston's method with the Syntetos-Boylan correction, for intermittent demand (many days with none).

Selection: the last ``holdout_days(n)`` days are held out; each candidate the history is long enough for is fitted
to the days before and forecasts them; the one with the lowest mean squared error wins (squared, not absolute,
error: on intermittent demand the absolute error rewards forecasting nothing, which would never reorder) if it
beats the simpler ones by PARSIMONY, and is refitted to the whole history. Its ``sigma`` is the larger of its
in-sample one-day error and its error on the held-out days. Its mean absolute scaled error (MASE) on the held-out days is the error shown.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]

SEASON = 7  # days in the season: demand that depends on the day of the week
MEAN_DAYS = 90

MEAN, SES, HOLT, HOLT_WINTERS, CROSTON = "mean", "ses", "holt", "holt_winters", "croston"
METHODS = (MEAN, SES, HOLT, HOLT_WINTERS, CROSTON)

ALPHAS = (0.05, 0.15, 0.3, 0.5)
BETAS = (0.02, 0.1)
GAMMAS = (0.05, 0.2)
PHIS = (0.9, 0.98)
CROSTON_ALPHAS = (0.05, 0.1, 0.2, 0.3)
INTERMITTENT_ZERO_SHARE = 0.3
PARSIMONY = 0.05  # share of held-out squared error a model must save over the simpler ones to be chosen  # Croston is a candidate when at least this share of days sold nothing


@dataclass(frozen=True)
class Forecast:
    """One SKU's forecast: ``daily[i]`` units expected on day i + 1 after the history (0 = the next day)."""

    method: str
    daily: Array
    sigma: float  # standard deviation of one-day errors (one-step-ahead, in the fit)
    mase: float | None  # error on the held-out days, scaled by the naive forecast's in-sample error
    history_days: int


# --- The models: each fits rows of ``y`` (k × n) over a parameter grid and returns (forecast k × h, sigma k) ---


def _grid_pick(sse: Array) -> npt.NDArray[np.intp]:
    """Per row, the index of the parameter set with the smallest squared error (sse is k × g)."""
    return np.asarray(np.argmin(np.where(np.isfinite(sse), sse, np.inf), axis=1), dtype=np.intp)


def fit_mean(y: Array, horizon: int) -> tuple[Array, Array]:
    tail = y[:, -MEAN_DAYS:]
    level = tail.mean(axis=1)
    sigma = tail.std(axis=1)
    return np.repeat(level[:, None], horizon, axis=1), sigma


def fit_ses(y: Array, horizon: int) -> tuple[Array, Array]:
    k, n = y.shape
    alpha = np.array(ALPHAS)[None, :]
    level = np.repeat(y[:, : min(n, SEASON)].mean(axis=1, keepdims=True), len(ALPHAS), axis=1)
    sse = np.zeros_like(level)
    for t in range(n):
        error = y[:, t : t + 1] - level
        sse += error * error
        level = level + alpha * error
    best = _grid_pick(sse)
    rows = np.arange(k)
    sigma = np.sqrt(sse[rows, best] / n)
    return np.repeat(level[rows, best][:, None], horizon, axis=1), sigma


def _damped_steps(phi: Array, horizon: int) -> Array:
    """phi + phi² + … + phi^h for h = 1..horizon (phi: one value per row), k × horizon."""
    powers = phi[:, None] ** np.arange(1, horizon + 1)[None, :]
    return np.asarray(np.cumsum(powers, axis=1), dtype=np.float64)


def fit_holt(y: Array, horizon: int) -> tuple[Array, Array]:
    k, n = y.shape
    grid = np.array(list(itertools.product(ALPHAS, BETAS, PHIS))).T
    alpha, beta, phi = (grid[i][None, :] for i in range(3))
    g = grid.shape[1]
    first = y[:, :SEASON].mean(axis=1, keepdims=True)
    second = y[:, SEASON : 2 * SEASON].mean(axis=1, keepdims=True) if n >= 2 * SEASON else first
    level = np.repeat(first, g, axis=1)
    trend = np.repeat((second - first) / SEASON, g, axis=1)
    sse = np.zeros((k, g))
    for t in range(n):
        damped = phi * trend
        error = y[:, t : t + 1] - (level + damped)
        sse += error * error
        new_level = level + damped + alpha * error
        trend = damped + alpha * beta * error  # = beta·(new level − level) + (1 − beta)·phi·trend
        level = new_level
    best = _grid_pick(sse)
    rows = np.arange(k)
    steps = _damped_steps(grid[2][best], horizon)
    path = level[rows, best][:, None] + steps * trend[rows, best][:, None]
    return path, np.sqrt(sse[rows, best] / n)


def holt_winters_start(y: Array) -> tuple[Array, Array, Array]:
    """Initial level, trend and the 7 seasonal indices (k, k, k × 7) from the first two weeks (or one)."""
    first = y[:, :SEASON].mean(axis=1)
    n = y.shape[1]
    second = y[:, SEASON : 2 * SEASON].mean(axis=1) if n >= 2 * SEASON else first
    trend = (second - first) / SEASON
    season = y[:, :SEASON] - first[:, None]
    return first, trend, season


def holt_winters_run(
    y: Array,
    *,
    alpha: Array,
    beta: Array,
    gamma: Array,
    phi: Array,
    level0: Array,
    trend0: Array,
    season0: Array,
    horizon: int,
    keep_fitted: bool = False,
) -> tuple[Array | None, Array, Array]:
    """Additive damped Holt-Winters for each row of ``y`` (k × n) and each parameter set (parameters: 1 × g or
    k × g; starting values: k). Returns (one-step fitted values k × g × n when ``keep_fitted``, squared error
    k × g, forecast k × g × h).

    For a day t with season index s = t mod 7: fitted = l + phi·b + S[s]; then
    l' = alpha·(y − S[s]) + (1 − alpha)·(l + phi·b), b' = beta·(l' − l) + (1 − beta)·phi·b,
    S[s] = gamma·(y − l − phi·b) + (1 − gamma)·S[s].
    """
    k, n = y.shape
    g = max(alpha.shape[1], 1)
    level = np.repeat(level0[:, None], g, axis=1)
    trend = np.repeat(trend0[:, None], g, axis=1)
    season = np.repeat(season0[:, None, :], g, axis=1).copy()  # k × g × 7
    fitted = np.empty((k, g, n)) if keep_fitted else None
    sse = np.zeros((k, g))
    for t in range(n):
        s = t % SEASON
        damped = phi * trend
        base = level + damped
        one_step = base + season[:, :, s]
        if fitted is not None:
            fitted[:, :, t] = one_step
        error = y[:, t : t + 1] - one_step
        sse += error * error
        observed = y[:, t : t + 1]
        new_level = alpha * (observed - season[:, :, s]) + (1 - alpha) * base
        season[:, :, s] = gamma * (observed - base) + (1 - gamma) * season[:, :, s]
        trend = beta * (new_level - level) + (1 - beta) * damped
        level = new_level
    steps = np.arange(1, horizon + 1)
    phi_b = np.broadcast_to(phi, (k, g))
    damped_sum = np.cumsum(phi_b[:, :, None] ** steps[None, None, :], axis=2)
    seasonal = season[:, :, (n - 1 + steps) % SEASON]
    forecast = level[:, :, None] + damped_sum * trend[:, :, None] + seasonal
    return fitted, sse, forecast


def fit_holt_winters(y: Array, horizon: int) -> tuple[Array, Array]:
    k, n = y.shape
    grid = np.array(list(itertools.product(ALPHAS, BETAS, GAMMAS, PHIS))).T
    level0, trend0, season0 = holt_winters_start(y)
    _, sse, forecast = holt_winters_run(
        y,
        alpha=grid[0][None, :],
        beta=grid[1][None, :],
        gamma=grid[2][None, :],
        phi=grid[3][None, :],
        level0=level0,
        trend0=trend0,
        season0=season0,
        horizon=horizon,
    )
    best = _grid_pick(sse)
    rows = np.arange(k)
    return forecast[rows, best], np.sqrt(sse[rows, best] / n)


def fit_croston(y: Array, horizon: int) -> tuple[Array, Array]:
    """Croston (SBA): smoothed size of a non-zero day's demand over the smoothed interval between such days."""
    k, n = y.shape
    alpha = np.array(CROSTON_ALPHAS)[None, :]
    g = alpha.shape[1]
    nonzero = y > 0
    count = nonzero.sum(axis=1)
    first_size = np.where(count > 0, y.sum(axis=1) / np.maximum(count, 1), 0.0)
    size = np.repeat(first_size[:, None], g, axis=1)
    interval = np.repeat((n / np.maximum(count, 1))[:, None], g, axis=1)
    since = np.ones((k, 1))
    sse = np.zeros((k, g))
    correction = 1 - alpha / 2
    for t in range(n):
        rate = correction * size / interval
        error = y[:, t : t + 1] - rate
        sse += error * error
        sold = nonzero[:, t : t + 1]
        size = np.where(sold, size + alpha * (y[:, t : t + 1] - size), size)
        interval = np.where(sold, interval + alpha * (since - interval), interval)
        since = np.where(sold, 1.0, since + 1.0)
    best = _grid_pick(sse)
    rows = np.arange(k)
    rate = (correction * size / interval)[rows, best]
    return np.repeat(rate[:, None], horizon, axis=1), np.sqrt(sse[rows, best] / n)


FITTERS = {MEAN: fit_mean, SES: fit_ses, HOLT: fit_holt, HOLT_WINTERS: fit_holt_winters, CROSTON: fit_croston}


# --- Selection --------------------------------------------------------------------------------------------------


def holdout_days(n: int) -> int:
    """Days held out to choose a model: four weeks from twelve weeks of history, two from six, one from three."""
    if n >= 12 * SEASON:
        return 4 * SEASON
    if n >= 6 * SEASON:
        return 2 * SEASON
    if n >= 3 * SEASON:
        return SEASON
    return 0


def candidates(n_train: int, zero_share: float) -> list[str]:
    """Models a training window of ``n_train`` days can fit: trend needs two weeks, the season three."""
    found = [MEAN]
    if n_train >= SEASON:
        found.append(SES)
        if zero_share >= INTERMITTENT_ZERO_SHARE:
            found.append(CROSTON)
    if n_train >= 2 * SEASON:
        found.append(HOLT)
    if n_train >= 3 * SEASON:
        found.append(HOLT_WINTERS)
    return found


def naive_scale(y: Array) -> Array:
    """Mean absolute one-day change per row: the in-sample error of "tomorrow as today", the MASE denominator."""
    if y.shape[1] < 2:
        return np.maximum(np.abs(y).mean(axis=1), 1e-9)
    scale = np.abs(np.diff(y, axis=1)).mean(axis=1)
    fallback = np.maximum(np.abs(y).mean(axis=1), 1e-9)
    return np.where(scale > 0, scale, fallback)


def forecast_many(y: Array, *, horizon: int, methods: tuple[str, ...] = METHODS) -> list[Forecast]:
    """A forecast of ``horizon`` days for each row of ``y`` (k × n, oldest day first, all rows n days long)."""
    y = np.asarray(y, dtype=np.float64)
    k, n = y.shape
    if n == 0:
        return [Forecast(MEAN, np.zeros(horizon), 0.0, None, 0) for _ in range(k)]
    hold = holdout_days(n)
    zero_share = (y == 0).mean(axis=1)
    chosen = np.array([MEAN] * k, dtype=object)
    mase = np.full(k, np.nan)
    holdout_rmse = np.zeros(k)
    if hold:
        train, test = y[:, :-hold], y[:, -hold:]
        best_mse = np.full(k, np.inf)
        scale = naive_scale(train)
        for method in candidates(n - hold, float(zero_share.max())):
            if method not in methods:
                continue
            path, _ = FITTERS[method](train, hold)
            path = np.maximum(path, 0.0)
            mse = ((path - test) ** 2).mean(axis=1)
            if method == CROSTON:  # only where demand is intermittent
                mse = np.where(zero_share >= INTERMITTENT_ZERO_SHARE, mse, np.inf)
            # A more elaborate model must beat the simpler ones clearly: on a few noisy days a trend or a season
            # can look better by chance, and forecasting noise costs stock.
            better = mse < best_mse * (1 - PARSIMONY) - 1e-12
            best_mse = np.where(better, mse, best_mse)
            chosen = np.where(better, method, chosen)
            holdout_rmse = np.where(better, np.sqrt(mse), holdout_rmse)
            mase = np.where(better, np.abs(path - test).mean(axis=1) / scale, mase)
    paths = np.zeros((k, horizon))
    sigmas = np.zeros(k)
    for method in set(chosen.tolist()):
        rows = np.flatnonzero(chosen == method)
        path, sigma = FITTERS[method](y[rows], horizon)
        paths[rows] = np.maximum(path, 0.0)
        # The spread that sets safety stock: the larger of the in-sample one-day error and the error on the held-out
        # days (days ahead, not one step: what a forecast made tonight meets over a lead time).
        sigmas[rows] = np.maximum(sigma, holdout_rmse[rows])
    return [
        Forecast(
            method=str(chosen[i]),
            daily=paths[i],
            sigma=float(sigmas[i]),
            mase=None if np.isnan(mase[i]) else float(mase[i]),
            history_days=n,
        )
        for i in range(k)
    ]


def forecast_one(history: list[int] | list[float], *, horizon: int) -> Forecast:
    """The forecast of one SKU's daily history (oldest first)."""
    return forecast_many(np.asarray([history], dtype=np.float64).reshape(1, len(history)), horizon=horizon)[0]


def forecast_histories(histories: list[list[int]], *, horizon: int, chunk: int = 2000) -> list[Forecast]:
    """Forecasts of histories of any lengths, in their order: rows of one length are fitted together, in chunks."""
    results: list[Forecast | None] = [None] * len(histories)
    by_length: dict[int, list[int]] = {}
    for index, history in enumerate(histories):
        by_length.setdefault(len(history), []).append(index)
    for length, indexes in by_length.items():
        for start in range(0, len(indexes), chunk):
            part = indexes[start : start + chunk]
            matrix = np.asarray([histories[i] for i in part], dtype=np.float64).reshape(len(part), length)
            for i, found in zip(part, forecast_many(matrix, horizon=horizon), strict=True):
                results[i] = found
    return [r for r in results if r is not None]
