"""Calibrated intervals: split-conformal quantiles of backtest errors, step by step.

An error ``h`` steps ahead is divided by the *recent volatility* of its training window (mean
absolute change over the last two years) and by how errors grow with the step. The conformal
quantile (with the finite-sample correction) of these scores is taken separately for each step
ahead, since errors of real series do not grow in proportion to the step: a level shift makes
the first step's error as large as the last one's, and one quantile for all steps gave first
steps that covered a third of the actual values and last steps that covered nearly all.

A step with too few errors of its own takes those of the nearest steps. Those are made
comparable by the *step profile* (:class:`StepProfile`): the mean absolute error at each step
of all the errors at hand, those of every series of one forecast origin where they are pooled.
The width at a step is its profile times a quantile of the errors measured in the profile, so
the profile carries how errors change with the step (flat after a level shift, like the square
root for a random walk, higher in the quarters of a seasonal peak) and the nearby steps lend
only the shape of the tail. Dividing by ``h`` instead made a step-1 quantile out of step-7
errors divided by 7: on series whose errors grow slower than the step, first steps covered an
eighth of the actual values.

Beyond the backtest's horizon the last step's width carries on, growing with ``h``;
half-widths never narrow with the horizon. Scaling by recent volatility lets intervals widen
when a series turns turbulent, as CBS vacancies did after 2020.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

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
    """How interval width grows with the step ahead before the errors say otherwise."""
    return steps.astype(float)


@dataclass(frozen=True)
class StepProfile:
    """Count and mean absolute error (in units of recent volatility) at steps 1, 2, ...

    Built from scores (errors divided by volatility and :func:`horizon_growth`) and their steps.
    """

    counts: np.ndarray
    raw_means: np.ndarray

    @classmethod
    def of(cls, scores: np.ndarray, steps: np.ndarray) -> StepProfile:
        """The profile of ``scores`` at ``steps``."""
        steps = np.asarray(steps, dtype=int)
        finite = np.isfinite(scores)
        raw = scores[finite] * horizon_growth(steps[finite])
        at = steps[finite] - 1
        size = int(steps.max(initial=0))
        sums = np.bincount(at, weights=raw, minlength=size).astype(float)
        counts = np.bincount(at, minlength=size).astype(float)
        means = np.divide(sums, counts, out=np.zeros(size), where=counts > 0)
        return cls(counts, means)

    @cached_property
    def smoothed(self) -> np.ndarray:
        """The mean error at each step, smoothed where a step has few errors.

        Each step takes the line fitted (least squares, weighted by counts) to the mean errors of
        the narrowest window of steps around it that holds :data:`PROFILE_SAMPLE` errors: a step
        with enough errors keeps its own mean, and one with few is not left to the noise of a
        handful. Never 0.
        """
        size = self.counts.size
        steps = np.arange(1, size + 1)
        total = self.counts.sum()
        fallback = float(self.raw_means @ self.counts / total) if total else 1.0
        fallback = fallback if fallback > 0 else 1.0
        result = np.empty(size)
        each_error = np.repeat(steps, self.counts.astype(int))
        for step in range(1, size + 1):
            near = _nearby_steps(step, size, each_error, None, sample=PROFILE_SAMPLE) - 1
            weights = self.counts[near]
            if weights.sum() == 0:
                result[step - 1] = fallback
                continue
            mean = float(np.average(self.raw_means[near], weights=weights))
            value = mean
            if (weights > 0).sum() >= 2:
                slope, intercept = np.polyfit(near + 1, self.raw_means[near], 1, w=np.sqrt(weights))
                value = slope * step + intercept
            result[step - 1] = value if value > 0 else (mean if mean > 0 else fallback)
        return result

    def normalised(self, scores: np.ndarray, steps: np.ndarray) -> np.ndarray:
        """Absolute errors divided by the profile's mean error at their step."""
        steps = np.asarray(steps, dtype=int)
        means = self.smoothed
        return scores * horizon_growth(steps) / means[np.clip(steps - 1, 0, means.size - 1)]


@dataclass(frozen=True)
class ConformalCalibration:
    """Quantiles of scaled absolute errors, one per interval level, over all steps and per step."""

    quantiles: dict[int, float]
    sample_size: int
    borrowed: float = 0.0
    """How many errors' worth of other series' errors were lent to this calibration."""
    step_quantiles: dict[int, tuple[float, ...]] = field(default_factory=dict)
    """Per level, the quantile at steps 1, 2, ... where the errors' steps are known."""
    step_scales: tuple[float, ...] = ()
    """The step profile's mean error at steps 1, 2, ...: the unit of the per-step quantiles."""

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
        profile: StepProfile | None = None,
    ) -> ConformalCalibration:
        """Calibrate from scaled absolute errors, plus ``borrowed`` ones worth ``weight`` errors.

        The quantile is the weighted split-conformal one: the smallest score whose cumulative
        weight reaches ``level`` of the total weight plus one (the test point). With ``steps``
        (the step ahead of each score), each step also gets its own quantiles; a step with fewer
        than ``step_minimum`` own errors borrows the rest from ``borrowed`` at that step. A step
        with fewer than :data:`STEP_SAMPLE` errors (own and lendable) also takes the errors of
        the nearest steps, so that no quantile rests on a handful of errors; all scores are then
        measured in the step ``profile``, which must hold them (by default the profile of the
        own and borrowed errors together).
        """
        finite = np.isfinite(scores)
        if not finite.any() and (borrowed is None or weight <= 0):
            raise ValueError("calibration needs at least one backtest error")
        overall, lent = _weighted_quantiles(scores[finite], borrowed, weight)
        per_step: dict[int, tuple[float, ...]] = {}
        step_scales: tuple[float, ...] = ()
        if steps is not None:
            steps = np.asarray(steps, dtype=int)
            if profile is None:
                pooled_scores, pooled_steps = scores, steps
                if borrowed is not None and borrowed_steps is not None:
                    pooled_scores = np.r_[scores, borrowed]
                    pooled_steps = np.r_[steps, np.asarray(borrowed_steps, dtype=int)]
                profile = StepProfile.of(pooled_scores, pooled_steps)
            step_scales = tuple(float(m) for m in profile.smoothed)
            scores = profile.normalised(scores, steps)
            if borrowed is not None and borrowed_steps is not None:
                borrowed = profile.normalised(borrowed, borrowed_steps)
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
        return cls(overall, int(finite.sum()), lent, per_step, step_scales)

    def half_widths(self, horizon: int, *, scale: float) -> dict[int, np.ndarray]:
        """Half-width per level at steps 1..``horizon``: nested, never narrowing with the step."""
        steps = np.arange(1, horizon + 1)
        widths: dict[int, np.ndarray] = {}
        previous = np.zeros(horizon)
        for level in sorted(LEVELS):
            if self.step_quantiles.get(level) and self.step_scales:
                per_step = np.asarray(self.step_quantiles[level])
                last = per_step.size
                at = np.minimum(steps, last) - 1
                # the step profile up to the last calibrated step, growth with h beyond it
                beyond = horizon_growth(np.maximum(steps, last)) / horizon_growth(np.array([last]))
                half = per_step[at] * np.asarray(self.step_scales)[at] * beyond * scale
            else:
                half = self.quantiles[level] * scale * horizon_growth(steps)
            half = np.maximum.accumulate(half)
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

PROFILE_SAMPLE = 30
"""Fewest errors behind a step's mean error in :class:`StepProfile`. The mean of 30 absolute
normal errors is as steady as their 80 % quantile from :data:`STEP_SAMPLE` (a relative standard
error of 0.14 for both: ``0.75 / sqrt(30)`` against ``sqrt(0.8 * 0.2 / 40) / (0.35 * 1.28)``)."""


def _nearby_steps(
    step: int,
    horizon: int,
    own: np.ndarray,
    lendable: np.ndarray | None,
    *,
    sample: int = STEP_SAMPLE,
) -> np.ndarray:
    """The steps within the narrowest window around ``step`` holding ``sample`` errors."""
    for reach in range(horizon):
        near = np.arange(max(step - reach, 1), min(step + reach, horizon) + 1)
        count = np.isin(own, near).sum()
        if lendable is not None:
            count += np.isin(lendable, near).sum()
        if count >= sample:
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
    that step, and every series takes the step profile of all their errors together
    (:class:`StepProfile`), the errors of one kind of series at one origin. Each series
    borrows only from the other series of ``samples``, which must share its forecast origin, so
    no error comes from after that origin.
    """
    profile = (
        StepProfile.of(np.concatenate(samples), np.concatenate(steps))
        if steps is not None and samples
        else None
    )
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
                    profile=profile,
                )
            )
        else:
            calibrations.append(
                ConformalCalibration.from_scores(own, steps=own_steps, profile=profile)
            )
    return calibrations
