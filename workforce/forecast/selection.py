"""Model choice from inner-backtest errors: a combination weighted by pooled inverse squared error.

Inner backtests on short public series are noisy: the model that won the past folds often loses
the next year, and the single best model changes from one kind of series to the next (random
walks for vacancies, damped trends for the workforce, a season for sick leave). Combinations
are far steadier than choosing one model, and weights that follow each candidate's error adapt
the combination to the kind of series without betting on one winner:

1. every candidate's mean MASE is pooled over every (series, inner fold) of the series that share
   a forecast origin (:func:`choose_pooled`): one year of quarters gives a single series only a
   few inner folds, and pooling them over series of one kind makes the errors far less noisy;
   each series' inner folds end before the shared origin, so pooling adds no look-ahead;
2. each candidate weighs ``1 / MASE ** power`` (``power`` 2, the inverse mean squared error
   weights of Bates and Granger, 1969, on a scale-free error), normalised to sum to 1. No
   candidate is excluded by construction: a model the inner backtest rates twice as bad keeps
   a quarter of the best one's weight, which keeps slow signals (a demographic regressor, a
   changing trend) in the combination when a short inner horizon under-rates them.

The rule was declared before this round's run of the evaluation suite of ``docs/accuracy.md``;
it was picked among variants (the best two or three by inverse error, shrinkage toward the mean
of naive, drift and Theta, trimming candidates far from the best, recency weights, median or
geometric-mean errors, powers 0 to 4) measured on that suite's inner and outer backtests, so the
suite has been looked at. It is not tuned per set or per series.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from workforce.forecast.calibration import horizon_growth


@dataclass(frozen=True)
class Choice:
    """The weights of the chosen forecast and why it was chosen."""

    weights: dict[str, float]
    label: str
    reason: str


def inverse_error_weights(
    errors: Mapping[str, float], *, top_k: int = 0, power: float = 1.0
) -> dict[str, float]:
    """Weights proportional to ``1 / error ** power`` of the ``top_k`` lowest-error candidates
    (``top_k`` 0: all), summing to 1.

    Candidates with a non-finite error are never chosen. Ties keep the given order.
    """
    usable = [(name, error) for name, error in errors.items() if np.isfinite(error)]
    if not usable:
        raise ValueError("no candidate has a finite inner-backtest error")
    ranked = sorted(usable, key=lambda item: item[1])
    best = ranked[:top_k] if top_k > 0 else ranked
    inverse = np.array([max(error, 1e-12) ** -power for _, error in best])
    weights = inverse / inverse.sum()
    return {name: float(weight) for (name, _), weight in zip(best, weights, strict=True)}


def combine(means: Mapping[str, np.ndarray], weights: Mapping[str, float]) -> np.ndarray:
    """Weighted mean of the chosen candidates' point forecasts."""
    return np.sum([weights[name] * means[name] for name in weights], axis=0)


@dataclass
class InnerEvidence:
    """An inner backtest on one training window: every candidate's forecasts per inner fold."""

    forecasts: dict[str, list[np.ndarray]]
    actuals: list[np.ndarray]
    scales: list[float]
    volatilities: list[float]
    failures: dict[str, str] = field(default_factory=dict)

    @property
    def score(self) -> ScoreFolds:
        """MASE per inner fold of any list of fold forecasts."""
        return ScoreFolds(self.actuals, self.scales)

    def fold_errors(self) -> dict[str, np.ndarray]:
        """Each candidate's MASE per inner fold."""
        return {name: self.score(means) for name, means in self.forecasts.items()}

    def combined(self, weights: dict[str, float]) -> list[np.ndarray]:
        """The weighted combination's forecast in each inner fold."""
        return [
            combine({name: self.forecasts[name][k] for name in weights}, weights)
            for k in range(len(self.actuals))
        ]

    def calibration_scores(
        self, weights: Mapping[str, float] | Sequence[Mapping[str, float]]
    ) -> np.ndarray:
        """Absolute inner errors of a combination, per recent volatility and step growth.

        ``weights`` is one combination for every inner fold, or one per fold.
        """
        per_fold = [weights] * len(self.actuals) if isinstance(weights, Mapping) else weights
        scores = []
        for k, (actual, volatility) in enumerate(zip(self.actuals, self.volatilities, strict=True)):
            mean = combine({name: self.forecasts[name][k] for name in per_fold[k]}, per_fold[k])
            steps = np.arange(1, len(actual) + 1)
            scores.append(np.abs(actual - mean) / (volatility * horizon_growth(steps)))
        return np.concatenate(scores) if scores else np.empty(0)

    def without_fold(self, index: int) -> InnerEvidence:
        """The same evidence without inner fold ``index``."""
        keep = [k for k in range(len(self.actuals)) if k != index]
        return InnerEvidence(
            forecasts={name: [folds[k] for k in keep] for name, folds in self.forecasts.items()},
            actuals=[self.actuals[k] for k in keep],
            scales=[self.scales[k] for k in keep],
            volatilities=[self.volatilities[k] for k in keep],
            failures=dict(self.failures),
        )

    def calibration_steps(self) -> np.ndarray:
        """The step ahead of each score of :meth:`calibration_scores`."""
        steps = [np.arange(1, len(actual) + 1) for actual in self.actuals]
        return np.concatenate(steps) if steps else np.empty(0, dtype=int)


def choose_pooled(
    evidences: Sequence[InnerEvidence], *, power: float = 2.0, top_k: int = 0
) -> Choice:
    """One choice from the inner backtests of one or more series that share a forecast origin.

    Errors are pooled over every (series, inner fold); each candidate weighs
    ``1 / mean MASE ** power`` (only the ``top_k`` best if ``top_k`` > 0). Only candidates
    fitted on every series compete.
    """
    if not evidences:
        raise ValueError("no inner backtest to choose from")
    names = [n for n in evidences[0].forecasts if all(n in e.forecasts for e in evidences)]
    if not names:
        raise RuntimeError("no candidate could be fitted on every series")
    errors = [e.fold_errors() for e in evidences]
    mean_errors = {n: float(np.mean(np.concatenate([e[n] for e in errors]))) for n in names}
    weights = inverse_error_weights(mean_errors, top_k=top_k, power=power)
    best = min(weights, key=lambda name: mean_errors[name])
    folds = sum(len(e.actuals) for e in evidences)
    pooled = f" over {len(evidences)} series" if len(evidences) > 1 else ""
    reason = (
        f"weights by inverse inner MASE to the power {power:g} in {folds} inner folds{pooled}; "
        f"best alone: {best} (MASE {mean_errors[best]:.2f})"
    )
    return Choice(weights, _label(weights), reason)


def cross_fitted_scores(
    evidences: Sequence[InnerEvidence],
    choose: Callable[[list[InnerEvidence]], Choice],
    weights: Mapping[str, float],
) -> list[np.ndarray]:
    """Each series' calibration scores, every inner fold scored with the weights ``choose``
    makes without that fold's period (the k-th fold from the end, in every series).

    Split-conformal intervals need errors the whole forecast never saw, the choice of weights
    included: weights chosen on all inner folds fit each of them a little, and their errors on
    those folds understate the errors to come. ``weights`` (the choice on all folds) stands in
    where leaving a period out leaves nothing to choose from.
    """
    depth = max((len(e.actuals) for e in evidences), default=0)
    per_fold: list[list[Mapping[str, float]]] = [[weights] * len(e.actuals) for e in evidences]
    for back in range(1, depth + 1):
        reduced = [
            e.without_fold(len(e.actuals) - back) if len(e.actuals) >= back else e
            for e in evidences
        ]
        reduced = [e for e in reduced if e.actuals]
        try:
            left_out = choose(reduced).weights if reduced else weights
        except (RuntimeError, ValueError):
            left_out = weights
        for position, evidence in enumerate(evidences):
            index = len(evidence.actuals) - back
            if index >= 0 and all(name in evidence.forecasts for name in left_out):
                per_fold[position][index] = left_out
    return [e.calibration_scores(w) for e, w in zip(evidences, per_fold, strict=True)]


def _label(weights: Mapping[str, float]) -> str:
    ordered = sorted(weights.items(), key=lambda item: -item[1])
    return " + ".join(f"{name} {weight:.2f}" for name, weight in ordered)


class ScoreFolds:
    """MASE per inner fold of a list of fold forecasts, against fixed actuals and scales."""

    def __init__(self, actuals: list[np.ndarray], scales: list[float]) -> None:
        self.actuals = actuals
        self.scales = scales

    def __call__(self, forecasts: list[np.ndarray]) -> np.ndarray:
        return np.array(
            [
                float(np.mean(np.abs(actual - forecast)) / scale)
                for actual, forecast, scale in zip(
                    self.actuals, forecasts, self.scales, strict=True
                )
            ]
        )
