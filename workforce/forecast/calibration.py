"""Calibrated intervals: split-conformal quantiles of backtest errors, step by step.

An error ``h`` steps ahead is divided by the *recent volatility* of its training window (mean
absolute change over the last two years) and by ``h``. The conformal quantile (with the
finite-sample correction) of these scores is taken separately for each step ahead, since
errors of real series do not grow in proportion to the step: a level shift makes the first
step's error as large as the last one's, and one quantile for all steps gave first steps that
covered a third of the actual values and last steps that covered nearly all. Beyond the
backtest's horizon the last step's quantile carries on, growing with ``h``; half-widths never
narrow with the horizon. Scaling by recent volatility lets intervals widen when a series turns
turbulent, as CBS vacancies did after 2020.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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
    """Quantiles of scaled absolute errors, one per interval level, over all steps and per step."""

    quantiles: dict[int, float]
    sample_size: int
    borrowed: float = 0.0
    """How many errors' worth of other series' errors were lent to this calibration."""
    step_quantiles: dict[int, tuple[float, ...]] = field(default_factory=dict)
    """Per level, the quantile at steps 1, 2, ... where the errors' steps are known."""

    @classmethod
    def from_errors(
        cls, errors: np.ndarray, steps: np.ndarray, scales: np.ndarray
    ) -> ConformalCalibration:
        """Calibrate from backtest errors (actual - forecast), their steps and training scales."""
        steps = np.asarray(steps, dtype=int)
        return cls.from_scores(np.abs(errors) / (scales * horizon_growth(steps)), steps=steps)

    @classmethod
    def from_scores(
        cls,
        scores: np.ndarray,
        *,
        borrowed: np.ndarray | None = None,
        weight: float = 0.0,
        steps: np.ndarray | None = None,
        borrowed_steps: np.ndarray | None = None,
        step_minimum: int = 0,
    ) -> ConformalCalibration:
        """Calibrate from scaled absolute errors, plus ``borrowed`` ones worth ``weight`` errors.

        The quantile is the weighted split-conformal one: the smallest score whose cumulative
        weight reaches ``level`` of the total weight plus one (the test point). With ``steps``
        (the step ahead of each score), each step also gets its own quantiles; a step with fewer
        than ``step_minimum`` own errors borrows the rest from ``borrowed`` at that step. A step
        with fewer than :data:`STEP_SAMPLE` errors (own and lendable) also takes the errors of
        the nearest steps, so that no quantile rests on a handful of errors.
        """
        finite = np.isfinite(scores)
        if not finite.any() and (borrowed is None or weight <= 0):
            raise ValueError("calibration needs at least one backtest error")
        overall, lent = _weighted_quantiles(scores[finite], borrowed, weight)
        per_step: dict[int, tuple[float, ...]] = {}
        if steps is not None:
            steps = np.asarray(steps, dtype=int)
            by_step: dict[int, list[float]] = {level: [] for level in LEVELS}
            lendable = (
                np.asarray(borrowed_steps, dtype=int)
                if borrowed is not None and borrowed_steps is not None
                else None
            )
            horizon = int(steps.max(initial=0))
            for step in range(1, horizon + 1):
                near = _nearby_steps(step, horizon, steps[finite], lendable)
                own = scores[np.isin(steps, near) & finite]
                extra, extra_weight = None, 0.0
                if borrowed is not None and lendable is not None:
                    extra = borrowed[np.isin(lendable, near)]
                    extra_weight = float(max(step_minimum - own.size, 0))
                if own.size == 0 and (extra is None or extra.size == 0 or extra_weight <= 0):
                    break
                found, _ = _weighted_quantiles(own, extra, extra_weight)
                for level in LEVELS:
                    by_step[level].append(found[level])
            if by_step[LEVELS[0]]:
                per_step = {level: tuple(values) for level, values in by_step.items()}
        return cls(overall, int(finite.sum()), lent, per_step)

    def half_widths(self, horizon: int, *, scale: float) -> dict[int, np.ndarray]:
        """Half-width per level at steps 1..``horizon``: nested, never narrowing with the step."""
        steps = np.arange(1, horizon + 1)
        growth = horizon_growth(steps)
        widths: dict[int, np.ndarray] = {}
        previous = np.zeros(horizon)
        for level in sorted(LEVELS):
            if self.step_quantiles.get(level):
                per_step = np.asarray(self.step_quantiles[level])
                quantile = per_step[np.minimum(steps, per_step.size) - 1]
            else:
                quantile = np.full(horizon, self.quantiles[level])
            half = np.maximum.accumulate(quantile * scale * growth)
            widths[level] = previous = np.maximum(half, previous)
        return widths

    def apply(self, mean: np.ndarray, *, scale: float) -> Prediction:
        """Intervals around ``mean`` for steps 1..len(mean)."""
        widths = self.half_widths(len(mean), scale=scale)
        lower = {level: mean - widths[level] for level in LEVELS}
        upper = {level: mean + widths[level] for level in LEVELS}
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


STEP_SAMPLE = 40
"""Fewest errors (own and lendable) behind a step's quantile; nearby steps fill up the rest."""


def _nearby_steps(
    step: int, horizon: int, own: np.ndarray, lendable: np.ndarray | None
) -> np.ndarray:
    """The steps within the narrowest window around ``step`` holding :data:`STEP_SAMPLE` errors."""
    for reach in range(horizon):
        near = np.arange(max(step - reach, 1), min(step + reach, horizon) + 1)
        count = np.isin(own, near).sum()
        if lendable is not None:
            count += np.isin(lendable, near).sum()
        if count >= STEP_SAMPLE:
            return near
    return np.arange(1, horizon + 1)


def _weighted_quantiles(
    own: np.ndarray, borrowed: np.ndarray | None, weight: float
) -> tuple[dict[int, float], float]:
    """Weighted split-conformal quantile per level, and the weight actually borrowed."""
    own = np.sort(own[np.isfinite(own)])
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
            quantiles[level] = max(float(values[-1]), sigma * float(norm.ppf(0.5 + level / 200)))
    return quantiles, float(weights.sum() - own.size)


def pooled_calibrations(
    samples: list[np.ndarray], *, minimum: int = 50, steps: list[np.ndarray] | None = None
) -> list[ConformalCalibration]:
    """One calibration per series; a series with fewer than ``minimum`` errors borrows the rest.

    With ``steps`` (the step ahead of each score, per series), the per-step quantiles borrow
    too: a series with fewer than ``minimum`` errors at a step borrows the others' errors at
    that step. Each series borrows only from the other series of ``samples``, which must share
    its forecast origin, so no error comes from after that origin.
    """
    calibrations = []
    for index, own in enumerate(samples):
        lacking = max(minimum - int(np.isfinite(own).sum()), 0)
        others = [i for i, s in enumerate(samples) if i != index and s.size]
        own_steps = steps[index] if steps is not None else None
        if others and (lacking or steps is not None):
            borrowed = np.concatenate([samples[i] for i in others])
            borrowed_steps = (
                np.concatenate([steps[i] for i in others]) if steps is not None else None
            )
            calibrations.append(
                ConformalCalibration.from_scores(
                    own,
                    borrowed=borrowed,
                    weight=float(lacking),
                    steps=own_steps,
                    borrowed_steps=borrowed_steps,
                    step_minimum=minimum,
                )
            )
        else:
            calibrations.append(ConformalCalibration.from_scores(own, steps=own_steps))
    return calibrations
