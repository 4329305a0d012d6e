"""What every forecaster shares: the estimator contract, predictions with intervals, tidy output."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Self

import numpy as np
import polars as pl
from scipy.stats import norm
from sklearn.base import BaseEstimator

from workforce.forecast.frames import (
    LEVELS,
    Frequency,
    Series,
    check_input,
    future_dates,
    split_series,
)

NORMAL_QUANTILES = {level: float(norm.ppf(0.5 + level / 200)) for level in LEVELS}
"""The standard normal's upper quantile of each central interval level (computed once: a
``norm.ppf`` call costs more than the interval arithmetic it feeds)."""


@dataclass(frozen=True)
class Prediction:
    """Point forecasts and central intervals, one array entry per step ahead."""

    mean: np.ndarray
    lower: dict[int, np.ndarray]
    upper: dict[int, np.ndarray]

    @classmethod
    def from_normal(cls, mean: np.ndarray, sigma: np.ndarray) -> Prediction:
        """Intervals from a normal error with standard deviation ``sigma`` per step."""
        lower, upper = {}, {}
        for level, z in NORMAL_QUANTILES.items():
            lower[level], upper[level] = mean - z * sigma, mean + z * sigma
        return cls(mean, lower, upper)

    def exponentiated(self) -> Prediction:
        """The prediction of ``exp(y)`` from one of ``log(y)``: quantiles map through ``exp``."""
        return Prediction(
            np.exp(self.mean),
            {level: np.exp(bound) for level, bound in self.lower.items()},
            {level: np.exp(bound) for level, bound in self.upper.items()},
        )

    def to_frame(self, ds: np.ndarray, *, unique_id: str, model: str) -> pl.DataFrame:
        """The tidy output rows of this prediction."""
        columns: dict[str, object] = {
            "unique_id": unique_id,
            "ds": ds,
            "model": model,
            "yhat": self.mean,
        }
        for level in LEVELS:
            columns[f"yhat_lo_{level}"] = self.lower[level]
            columns[f"yhat_hi_{level}"] = self.upper[level]
        frame = pl.DataFrame(columns)
        if frame.schema["ds"] == pl.Date:  # datetime64[D] arrives as dates already
            return frame
        return frame.with_columns(pl.col("ds").cast(pl.Date))


class Forecaster(BaseEstimator):
    """Base of all forecasters: ``fit`` one series, then ``predict`` a number of steps ahead.

    Subclasses store parameters in a keyword-only ``__init__`` and learn attributes ending in ``_``.
    """

    name = "forecaster"

    def fit(self, history: Series | pl.DataFrame) -> Self:
        """Learn from one series (a :class:`Series` or a long frame holding one ``unique_id``)."""
        series = as_series(history)
        if len(series) < 1:
            raise ValueError("cannot fit an empty series")
        self.series_ = series
        self._fit(series)
        return self

    def predict(
        self, horizon: int, *, future_exogenous: dict[str, np.ndarray] | None = None
    ) -> Prediction:
        """Forecast ``horizon`` steps after the end of the fitted series."""
        if horizon < 1:
            raise ValueError("horizon must be at least 1")
        return self._predict(horizon, future_exogenous or {})

    @property
    def unwrapped(self) -> Forecaster:
        """The model doing the work: itself, or the fitted model a wrapper transforms."""
        return self

    def forecast(self, horizon: int) -> pl.DataFrame:
        """Tidy output rows (``unique_id, ds, model, yhat, ...``) for ``horizon`` steps."""
        series: Series = self.series_
        ds = future_dates(series.ds[-1], horizon, series.frequency)
        return self.predict(horizon).to_frame(ds, unique_id=series.unique_id, model=self.name)

    def _fit(self, series: Series) -> None:
        raise NotImplementedError

    def _predict(self, horizon: int, future_exogenous: dict[str, np.ndarray]) -> Prediction:
        raise NotImplementedError


def as_series(history: Series | pl.DataFrame, *, frequency: Frequency | None = None) -> Series:
    """One :class:`Series` from a Series or a single-series long frame."""
    if isinstance(history, Series):
        return history
    frame, detected = check_input(history, frequency=frequency)
    if frame["unique_id"].n_unique() != 1:
        raise ValueError("fit takes one series; split a long frame by unique_id first")
    exogenous = tuple(c for c in frame.columns if c not in ("unique_id", "ds", "y"))
    numeric = tuple(c for c in exogenous if frame[c].dtype.is_numeric())
    return next(split_series(frame, detected, exogenous=numeric))
