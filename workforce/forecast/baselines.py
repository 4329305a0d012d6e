"""Baseline forecasters: naive, seasonal naive, drift, damped-trend exponential smoothing, Theta.

Baselines are the yardstick every richer model must beat, and often the best model on short,
noisy public series. Intervals of the simple methods follow the standard formulas on in-sample
one-step residuals (Hyndman and Athanasopoulos, *Forecasting: principles and practice*, 5.5).
"""

from __future__ import annotations

import warnings

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
    """Additive exponential smoothing with a damped trend, seasonal when the series allows it.

    Fitted as a state-space model (statsmodels ``ETSModel``), which gives analytic intervals.
    """

    name = "damped_ets"

    def __init__(self, *, seasonal: bool = True, season_length: int = 0) -> None:
        self.seasonal = seasonal
        self.season_length = season_length

    def _fit(self, series: Series) -> None:
        import pandas as pd
        from statsmodels.tsa.exponential_smoothing.ets import ETSModel

        period = self.season_length or series.frequency.season_length
        seasonal = self.seasonal and period > 1 and len(series) >= 2 * period + 4
        y = pd.Series(series.y.astype(float))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = ETSModel(
                y,
                error="add",
                trend="add",
                damped_trend=True,
                seasonal="add" if seasonal else None,
                seasonal_periods=period if seasonal else None,
            )
            self.result_ = model.fit(disp=False)
        self.seasonal_ = seasonal

    def _predict(self, horizon: int, future_exogenous: dict[str, np.ndarray]) -> Prediction:
        start = int(self.result_.nobs)
        lower, upper = {}, {}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            prediction = self.result_.get_prediction(start=start, end=start + horizon - 1)
            mean = np.asarray(prediction.predicted_mean, dtype=float)
            for level in (80, 95):
                frame = prediction.summary_frame(alpha=1 - level / 100)
                lower[level] = frame["pi_lower"].to_numpy(dtype=float)
                upper[level] = frame["pi_upper"].to_numpy(dtype=float)
        return Prediction(mean, lower, upper)


class Theta(Forecaster):
    """The Theta method (Assimakopoulos and Nikolopoulos, 2000) on a deseasonalised series."""

    name = "theta"

    def __init__(self, *, season_length: int = 0) -> None:
        self.season_length = season_length

    def _fit(self, series: Series) -> None:
        from statsmodels.tsa.forecasting.theta import ThetaModel

        period = self.season_length or series.frequency.season_length
        deseasonalize = period > 1 and len(series) >= 2 * period
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.result_ = ThetaModel(
                series.y.astype(float),
                period=period if deseasonalize else None,
                deseasonalize=deseasonalize,
            ).fit()

    def _predict(self, horizon: int, future_exogenous: dict[str, np.ndarray]) -> Prediction:
        lower, upper = {}, {}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mean = np.asarray(self.result_.forecast(horizon), dtype=float)
            for level in (80, 95):
                frame = self.result_.prediction_intervals(horizon, alpha=1 - level / 100)
                lower[level] = frame["lower"].to_numpy(dtype=float)
                upper[level] = frame["upper"].to_numpy(dtype=float)
        return Prediction(mean, lower, upper)


BASELINES: dict[str, type[Forecaster]] = {
    cls.name: cls for cls in (Naive, SeasonalNaive, Drift, DampedETS, Theta)
}
"""Baselines by name."""
