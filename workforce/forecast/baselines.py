"""Baseline forecasters: naive, seasonal naive, drift, damped-trend exponential smoothing, Theta.

Baselines are the yardstick every richer model must beat, and often the best model on short,
noisy public series. Intervals of the simple methods follow the standard formulas on in-sample
one-step residuals (Hyndman and Athanasopoulos, *Forecasting: principles and practice*, 5.5).
"""

from __future__ import annotations

import numpy as np

from workforce.forecast.base import Forecaster, Prediction
from workforce.forecast.frames import Series


def _residual_sigma(residuals: np.ndarray) -> float:
    """Standard deviation of one-step residuals; a tiny positive floor keeps intervals open."""
    residuals = residuals[np.isfinite(residuals)]
    if residuals.size == 0:
        return 1e-9
    return max(float(np.sqrt(np.mean(residuals**2))), 1e-9)


class Naive(Forecaster):
    """The last value, carried forward: a random walk."""

    name = "naive"

    def __init__(self) -> None:
        pass

    def _fit(self, series: Series) -> None:
        self.last_ = float(series.y[-1])
        self.sigma_ = _residual_sigma(np.diff(series.y))

    def _predict(self, horizon: int, future_exogenous: dict[str, np.ndarray]) -> Prediction:
        steps = np.arange(1, horizon + 1)
        return Prediction.from_normal(np.full(horizon, self.last_), self.sigma_ * np.sqrt(steps))


class SeasonalNaive(Forecaster):
    """The value of the same season one year earlier (``season_length`` 0: the series' own)."""

    name = "seasonal_naive"

    def __init__(self, *, season_length: int = 0) -> None:
        self.season_length = season_length

    def _fit(self, series: Series) -> None:
        period = self.season_length or series.frequency.season_length
        self.period_ = max(1, min(period, len(series)))
        self.last_season_ = series.y[-self.period_ :].astype(float)
        self.sigma_ = _residual_sigma(series.y[self.period_ :] - series.y[: -self.period_])

    def _predict(self, horizon: int, future_exogenous: dict[str, np.ndarray]) -> Prediction:
        steps = np.arange(horizon)
        mean = self.last_season_[steps % self.period_]
        years = steps // self.period_ + 1
        return Prediction.from_normal(mean, self.sigma_ * np.sqrt(years))


class Drift(Forecaster):
    """The line from the first to the last value, extended."""

    name = "drift"

    def __init__(self) -> None:
        pass

    def _fit(self, series: Series) -> None:
        y = series.y
        self.last_ = float(y[-1])
        self.periods_ = max(len(y) - 1, 1)
        self.slope_ = float((y[-1] - y[0]) / self.periods_)
        self.sigma_ = _residual_sigma(np.diff(y) - self.slope_)

    def _predict(self, horizon: int, future_exogenous: dict[str, np.ndarray]) -> Prediction:
        steps = np.arange(1, horizon + 1)
        sigma = self.sigma_ * np.sqrt(steps * (1 + steps / self.periods_))
        return Prediction.from_normal(self.last_ + self.slope_ * steps, sigma)


class DampedETS(Forecaster):
    """Exponential smoothing with a damped additive trend, on a seasonally adjusted series.

    ETS(A,Ad,N) (Gardner and McKenzie, 1985) fitted by least squares on the series adjusted by a
    classical decomposition when it has at least two seasons (``seasonal=True``); the season is
    put back on the forecast. The smoothing recursion is linear in the data, so it runs as a
    vectorised filter and a fit takes milliseconds. Intervals follow the model's analytic
    variance (Hyndman et al., 2008, table 6.1).
    """

    name = "damped_ets"

    def __init__(self, *, seasonal: bool = True, season_length: int = 0) -> None:
        self.seasonal = seasonal
        self.season_length = season_length

    def _fit(self, series: Series) -> None:
        y = series.y.astype(float)
        period = self.season_length or series.frequency.season_length
        self.period_ = max(period, 1)
        if self.seasonal and period > 1 and len(y) >= 2 * period:
            self.seasonal_, self.multiplicative_ = _seasonal_indices(y, period, test=False)
        else:
            self.seasonal_, self.multiplicative_ = np.ones(self.period_), True
        phase = np.arange(len(y)) % self.period_
        season = self.seasonal_[phase]
        adjusted = y / season if self.multiplicative_ else y - season
        self.params_, self.state_, self.sigma_ = _fit_damped_holt(adjusted)
        self.nobs_ = len(y)

    def _predict(self, horizon: int, future_exogenous: dict[str, np.ndarray]) -> Prediction:
        alpha, beta, phi = self.params_
        level, trend = self.state_
        damping = np.cumsum(phi ** np.arange(1, horizon + 1))
        adjusted = level + damping * trend
        shocks = alpha + beta * damping[:-1]
        variance = self.sigma_**2 * (1 + np.r_[0.0, np.cumsum(shocks**2)])
        phase = (self.nobs_ + np.arange(horizon)) % self.period_
        season = self.seasonal_[phase]
        if self.multiplicative_:
            return Prediction.from_normal(adjusted * season, np.sqrt(variance) * season)
        return Prediction.from_normal(adjusted + season, np.sqrt(variance))


def _fit_damped_holt(
    y: np.ndarray,
) -> tuple[tuple[float, float, float], tuple[float, float], float]:
    """Least-squares damped Holt: (alpha, beta, phi), the final (level, trend), residual sd.

    One-step forecasts are ``w'x[t-1]`` with state ``x[t] = D x[t-1] + g y[t]``; by
    Cayley-Hamilton they are a second-order linear filter of ``y`` plus a term linear in the
    initial state, which is solved in closed form for each trial of the smoothing parameters.
    """
    from scipy.optimize import minimize
    from scipy.signal import lfilter

    n = len(y)
    if n < 4:
        return (0.5, 0.0, 0.9), (float(y[-1]), 0.0), _residual_sigma(np.diff(y))
    unit = np.r_[1.0, np.zeros(n - 1)]
    shifted = np.empty(n)
    shifted[0] = 0.0

    def parts(params: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The data target (y minus the filter of y) and the start design (rows w'D^t)."""
        alpha, beta_share, phi = params
        w = np.array([1.0, phi])
        g = np.array([alpha, alpha * beta_share])
        d = np.array([[1.0, phi], [0.0, phi]]) - np.outer(g, w)
        trace = d[0, 0] + d[1, 1]
        det = d[0, 0] * d[1, 1] - d[0, 1] * d[1, 0]
        numerator = [
            w @ g,
            -w[0] * g[0] * d[1, 1]
            + w[0] * g[1] * d[0, 1]
            + w[1] * g[0] * d[1, 0]
            - w[1] * g[1] * d[0, 0],
        ]
        shifted[1:] = lfilter(numerator, [1.0, -trace, det], y)[:-1]
        impulse = lfilter([1.0], [1.0, -trace, det], unit)
        previous = np.r_[0.0, impulse[:-1]]
        from_start = np.outer(impulse, w) + np.outer(previous, w @ d - trace * w)  # rows w'D^t
        return y - shifted, from_start

    def residuals(params: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        target, from_start = parts(params)
        start = np.linalg.lstsq(from_start, target, rcond=None)[0]
        return target - from_start @ start, start

    def sse(params: np.ndarray) -> float:
        # the least-squares start in closed form (2 x 2 normal equations); lstsq if singular
        target, from_start = parts(params)
        gram = from_start.T @ from_start
        right = from_start.T @ target
        det = gram[0, 0] * gram[1, 1] - gram[0, 1] * gram[1, 0]
        if det <= 1e-10 * gram[0, 0] * gram[1, 1]:
            return float(np.sum(residuals(params)[0] ** 2))
        start = (
            np.array(
                [
                    gram[1, 1] * right[0] - gram[0, 1] * right[1],
                    gram[0, 0] * right[1] - gram[1, 0] * right[0],
                ]
            )
            / det
        )
        return max(float(target @ target - right @ start), 0.0)

    bounds = [(1e-4, 0.9999), (1e-4, 0.9999), (0.8, 0.98)]
    fit = minimize(sse, x0=np.array([0.5, 0.1, 0.95]), method="L-BFGS-B", bounds=bounds)
    errors, start = residuals(fit.x)
    alpha, beta_share, phi = (float(v) for v in fit.x)
    beta = alpha * beta_share
    level, trend = float(start[0]), float(start[1])
    for value in y:
        error = value - (level + phi * trend)
        level, trend = level + phi * trend + alpha * error, phi * trend + beta * error
    return (alpha, beta, phi), (level, trend), _residual_sigma(errors)


class Theta(Forecaster):
    """The Theta method (Assimakopoulos and Nikolopoulos, 2000) on a deseasonalised series.

    As statsmodels' ``ThetaModel`` (theta 2, two-step estimation, a 10 % seasonality test and a
    classical multiplicative decomposition), written with vectorised exponential smoothing so that
    a fit takes well under a millisecond.
    """

    name = "theta"

    def __init__(self, *, season_length: int = 0) -> None:
        self.season_length = season_length

    def _fit(self, series: Series) -> None:
        y = series.y.astype(float)
        period = self.season_length or series.frequency.season_length
        self.period_ = period
        self.seasonal_, self.multiplicative_ = _seasonal_indices(y, period)
        phase = np.arange(len(y)) % period
        adjusted = y / self.seasonal_[phase] if self.multiplicative_ else y - self.seasonal_[phase]
        t = np.arange(len(y), dtype=float)
        self.slope_ = float(np.polyfit(t, adjusted, 1)[0]) if len(y) > 1 else 0.0
        self.alpha_, self.level_, self.sigma_ = _fit_ses(adjusted)
        self.nobs_ = len(y)

    def _predict(self, horizon: int, future_exogenous: dict[str, np.ndarray]) -> Prediction:
        alpha = self.alpha_
        steps = np.arange(horizon, dtype=float)
        drift = steps + 1 / alpha - (1 - alpha) ** self.nobs_ / alpha
        adjusted = self.level_ + 0.5 * self.slope_ * drift
        phase = (self.nobs_ + np.arange(horizon)) % self.period_
        season = self.seasonal_[phase]
        mean = adjusted * season if self.multiplicative_ else adjusted + season
        sigma = self.sigma_ * np.sqrt(1 + alpha**2 * steps)
        if self.multiplicative_:
            sigma = sigma * season
        return Prediction.from_normal(mean, sigma)


def _seasonal_indices(y: np.ndarray, period: int, *, test: bool = True) -> tuple[np.ndarray, bool]:
    """Classical decomposition indices (multiplicative when positive, else additive).

    With ``test``, only when a 10 % autocorrelation test at the seasonal lag finds a season.
    """
    neutral = np.ones(max(period, 1))
    if period < 2 or len(y) < 2 * period:
        return neutral, True
    centred = y - y.mean()
    denominator = float(np.sum(centred**2))
    if denominator == 0:
        return neutral, True
    if test:
        rho = np.array(
            [np.sum(centred[k:] * centred[: len(y) - k]) / denominator for k in range(period + 1)]
        )
        statistic = len(y) * rho[-1] ** 2 / np.sum(rho[:-1] ** 2)
        if statistic <= 2.705543454095404:  # chi2(1) at 10 %
            return neutral, True
    if period % 2 == 0:
        weights = np.r_[0.5, np.ones(period - 1), 0.5] / period
    else:
        weights = np.ones(period) / period
    trend = np.full(len(y), np.nan)
    half = len(weights) // 2
    trend[half : len(y) - half] = np.convolve(y, weights, mode="valid")
    for multiplicative in (True, False):
        detrended = y / trend if multiplicative else y - trend
        phase = np.arange(len(y)) % period
        indices = np.array([np.nanmean(detrended[phase == p]) for p in range(period)])
        if multiplicative:
            indices = indices / indices.mean()
            if indices.min() > 0 and np.all(y > 0):
                return indices, True
        else:
            return indices - indices.mean(), False
    raise AssertionError("unreachable")


def _fit_ses(y: np.ndarray) -> tuple[float, float, float]:
    """Simple exponential smoothing by least squares: alpha, the final level, residual sd."""
    from scipy.optimize import minimize_scalar
    from scipy.signal import lfilter

    def errors(alpha: float) -> tuple[np.ndarray, np.ndarray, float]:
        # level after each observation with a zero start, shifted to forecast the next one
        level = lfilter([alpha], [1, alpha - 1], y)
        forecast = np.r_[0.0, level[:-1]]
        decay = (1 - alpha) ** np.arange(len(y))
        start = float(np.dot(y - forecast, decay) / np.dot(decay, decay))
        return y - forecast - decay * start, level, start

    def sse(alpha: float) -> float:
        return float(np.sum(errors(alpha)[0] ** 2))

    alpha = float(minimize_scalar(sse, bounds=(1e-3, 0.999), method="bounded").x)
    residuals, level, start = errors(alpha)
    final = float(level[-1] + (1 - alpha) ** len(y) * start)
    return alpha, final, _residual_sigma(residuals[1:] if len(y) > 1 else residuals)


BASELINES: dict[str, type[Forecaster]] = {
    cls.name: cls for cls in (Naive, SeasonalNaive, Drift, DampedETS, Theta)
}
"""Baselines by name."""
