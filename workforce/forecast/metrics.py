"""Forecast error measures on arrays: scale-free point errors, bias and interval quality.

MASE and RMSSE divide by the in-sample error of the seasonal naive forecast on the *training*
part (Hyndman and Koehler, 2006), so they compare across series of any size: below 1 beats a
seasonal naive forecast made in-sample.
"""

from __future__ import annotations

import math

import numpy as np


def seasonal_naive_scale(train: np.ndarray, season_length: int, *, squared: bool = False) -> float:
    """Mean absolute (or squared) in-sample error of the seasonal naive forecast on ``train``.

    Falls back to lag 1 when the training part is shorter than two seasons; never returns 0.
    """
    lag = season_length if len(train) > season_length else 1
    errors = train[lag:] - train[:-lag]
    if errors.size == 0:
        return 1.0
    value = float(np.mean(errors**2) if squared else np.mean(np.abs(errors)))
    if value > 0:
        return value
    return max(float(np.mean(np.abs(train))) * 1e-3, 1e-9)


def mase(actual: np.ndarray, forecast: np.ndarray, *, scale: float) -> float:
    """Mean absolute scaled error."""
    return float(np.mean(np.abs(actual - forecast)) / scale)


def rmsse(actual: np.ndarray, forecast: np.ndarray, *, squared_scale: float) -> float:
    """Root mean squared scaled error."""
    return float(np.sqrt(np.mean((actual - forecast) ** 2) / squared_scale))


def smape(actual: np.ndarray, forecast: np.ndarray) -> float:
    """Symmetric mean absolute percentage error, in percent (0 where both are 0)."""
    denominator = np.abs(actual) + np.abs(forecast)
    ratio = np.divide(
        2 * np.abs(actual - forecast),
        denominator,
        out=np.zeros_like(denominator, dtype=float),
        where=denominator > 0,
    )
    return float(100 * np.mean(ratio))


def bias(actual: np.ndarray, forecast: np.ndarray) -> float:
    """Mean of forecast minus actual: positive means the forecast runs high."""
    return float(np.mean(forecast - actual))


def coverage(actual: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> float:
    """Share of actual values inside their interval."""
    return float(np.mean((actual >= lower) & (actual <= upper)))


def coverage_p_value(inside: int, n: int, *, level: int) -> float:
    """How likely a coverage at least this far from ``level`` % is by chance alone, for ``n``
    independent values of which ``inside`` fell inside a correct ``level`` % interval.

    Kupiec's (1995) proportion-of-failures test: the likelihood ratio of the observed miss rate
    against the nominal one, chi-squared with one degree of freedom. Values that move together
    (one origin's years, one shock across series) make it reject more often than it should.
    """
    if n <= 0 or not 0 <= inside <= n:
        raise ValueError(f"need 0 <= inside <= n and n > 0, got inside={inside}, n={n}")
    expected_miss = 1 - level / 100
    misses = n - inside

    def log_likelihood(miss_rate: float) -> float:
        total = 0.0
        if misses:
            total += misses * math.log(miss_rate)
        if inside:
            total += inside * math.log(1 - miss_rate)
        return total

    ratio = 2 * (log_likelihood(misses / n) - log_likelihood(expected_miss))
    return math.erfc(math.sqrt(max(ratio, 0.0) / 2))


def band_probability(n: int, *, level: int, band: tuple[float, float]) -> float:
    """The chance that a correct ``level`` % interval covers a share within ``band`` (bounds
    included) of ``n`` independent values: binomial, so a small ``n`` often lands outside."""
    inside = level / 100
    low, high = band
    return sum(
        math.comb(n, k) * inside**k * (1 - inside) ** (n - k)
        for k in range(n + 1)
        if low - 1e-9 <= k / n <= high + 1e-9
    )


def winkler(actual: np.ndarray, lower: np.ndarray, upper: np.ndarray, *, level: int) -> float:
    """Mean Winkler interval score: width plus a penalty of 2/alpha times each miss."""
    alpha = 1 - level / 100
    width = upper - lower
    below = np.clip(lower - actual, 0, None)
    above = np.clip(actual - upper, 0, None)
    return float(np.mean(width + 2 / alpha * (below + above)))


def pinball(actual: np.ndarray, quantile_forecast: np.ndarray, *, quantile: float) -> float:
    """Mean pinball (quantile) loss of one forecast quantile."""
    difference = actual - quantile_forecast
    return float(np.mean(np.maximum(quantile * difference, (quantile - 1) * difference)))
