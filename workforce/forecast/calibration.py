"""Calibrated intervals: split-conformal quantiles of backtest errors.

An error ``h`` steps ahead is divided by the *recent volatility* of its training window (mean
absolute change over the last two years) and by ``h`` (errors of trending labour-market series
grow with the step ahead); the scaled errors of all inner folds and steps form one sample. Its
conformal quantile (with the finite-sample correction) times the current volatility and ``h``
gives the half-width at any horizon, also beyond the backtest's. Scaling by recent
volatility lets intervals widen when a series turns turbulent, as CBS vacancies did after 2020.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from workforce.forecast.base import Prediction
from workforce.forecast.frames import LEVELS


def recent_volatility(y: np.ndarray, season_length: int) -> float:
    """Mean absolute one-step change over the last two seasons; never 0."""
    window = max(2 * season_length, 4)
    changes = np.abs(np.diff(y[-window - 1 :]))
    value = float(np.mean(changes)) if changes.size else 0.0
    if value > 0:
        return value
    changes = np.abs(np.diff(y))
    fallback = float(np.mean(changes)) if changes.size else 0.0
    return fallback if fallback > 0 else max(float(np.mean(np.abs(y))) * 1e-3, 1e-9)


def horizon_growth(steps: np.ndarray) -> np.ndarray:
    """How interval width grows with the step ahead."""
    return steps.astype(float)


@dataclass(frozen=True)
class ConformalCalibration:
    """Quantiles of scaled absolute errors, one per interval level."""

    quantiles: dict[int, float]
    sample_size: int
    borrowed: float = 0.0
    """How many errors' worth of other series' errors were lent to this calibration."""

    @classmethod
    def from_errors(
        cls, errors: np.ndarray, steps: np.ndarray, scales: np.ndarray
    ) -> ConformalCalibration:
        """Calibrate from backtest errors (actual - forecast), their steps and training scales."""
        return cls.from_scores(np.abs(errors) / (scales * horizon_growth(steps)))

    @classmethod
    def from_scores(
        cls, scores: np.ndarray, *, borrowed: np.ndarray | None = None, weight: float = 0.0
    ) -> ConformalCalibration:
        """Calibrate from scaled absolute errors, plus ``borrowed`` ones worth ``weight`` errors.

        The quantile is the weighted split-conformal one: the smallest score whose cumulative
        weight reaches ``level`` of the total weight plus one (the test point).
        """
        own = np.sort(scores[np.isfinite(scores)])
        if own.size == 0 and (borrowed is None or weight <= 0):
            raise ValueError("calibration needs at least one backtest error")
        values, weights = own, np.ones(own.size)
        if borrowed is not None and weight > 0:
            extra = borrowed[np.isfinite(borrowed)]
            if extra.size:
                values = np.r_[values, extra]
                weights = np.r_[weights, np.full(extra.size, weight / extra.size)]
        order = np.argsort(values, kind="stable")
        values, weights = values[order], weights[order]
        cumulative = np.cumsum(weights) / (weights.sum() + 1)
        quantiles = {}
        for level in LEVELS:
            index = int(np.searchsorted(cumulative, level / 100 - 1e-12))
            if index < values.size:
                quantiles[level] = float(values[index])
            else:
                # Too few errors to rank this level: take the larger of the largest error and
                # a normal quantile on the errors' root mean square.
                from scipy.stats import norm

                sigma = float(np.sqrt(np.average(values**2, weights=weights)))
                quantiles[level] = max(
                    float(values[-1]), sigma * float(norm.ppf(0.5 + level / 200))
                )
        return cls(quantiles, int(own.size), float(weights.sum() - own.size))

    def apply(self, mean: np.ndarray, *, scale: float) -> Prediction:
        """Intervals around ``mean`` for steps 1..len(mean)."""
        growth = horizon_growth(np.arange(1, len(mean) + 1))
        lower, upper = {}, {}
        for level in LEVELS:
            half = self.quantiles[level] * scale * growth
            lower[level], upper[level] = mean - half, mean + half
        return Prediction(mean, lower, upper)

    def to_frame(self) -> pl.DataFrame:
        """The calibration table: the scaled half-width per level."""
        return pl.DataFrame(
            {
                "level": list(self.quantiles),
                "scaled_half_width": list(self.quantiles.values()),
                "errors": self.sample_size,
                "borrowed": self.borrowed,
            }
        )


def pooled_calibrations(
    samples: list[np.ndarray], *, minimum: int = 50
) -> list[ConformalCalibration]:
    """One calibration per series; a series with fewer than ``minimum`` errors borrows the rest.

    Each series borrows only from the other series of ``samples``, which must share its
    forecast origin, so no error comes from after that origin.
    """
    calibrations = []
    for index, own in enumerate(samples):
        lacking = max(minimum - int(np.isfinite(own).sum()), 0)
        others = [s for i, s in enumerate(samples) if i != index and s.size]
        if lacking and others:
            borrowed = np.concatenate(others)
            calibrations.append(
                ConformalCalibration.from_scores(own, borrowed=borrowed, weight=float(lacking))
            )
        else:
            calibrations.append(ConformalCalibration.from_scores(own))
    return calibrations
