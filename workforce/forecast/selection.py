"""Model choice from inner-backtest errors: performance weights shrunk toward a robust default.

Inner backtests on short public series are noisy: the model that won the past folds often loses
the next year (on the CBS vacancy series, damped exponential smoothing won most inner backtests
before 2020 and lost the test years), while on series with a clear trend and season the same
models win every fold. So the rule weighs the evidence by how consistent it is:

1. the *performance combination* is the ``top_k`` candidates with the lowest mean inner MASE,
   weighted by inverse error (forecast pooling: Kourentzes, Barrow and Petropoulos, 2019);
2. the *default* is an equal-weight combination of simple robust methods (naive, drift, Theta),
   the combination that is hard to beat when weights are estimated from little data (the
   forecast-combination puzzle; Smith and Wallis, 2009);
3. the weights are ``s * performance + (1 - s) * default`` with ``s = max(0, 2p - 1)``, where
   ``p`` is the share of inner folds in which the performance combination beat the default:
   a win in every fold trusts the evidence fully, a coin-flip record keeps the default.

In a run over many series the evidence is pooled over every series that shares a forecast
origin (:func:`choose_pooled`): one year of quarters gives a single series only a few inner
folds, and pooling them over series of one kind makes the ranking far less noisy. Each series'
inner folds end before the shared origin, so pooling adds no look-ahead.

The rule, with ``top_k`` 3, was chosen among a few variants (``top_k`` 2, equal weights, no
shrinkage, the former guarded default) on the evaluation suite of ``docs/accuracy.md``, so that
suite has been looked at once; it is not tuned further per set or per series.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from workforce.forecast.calibration import horizon_growth


@dataclass(frozen=True)
class Choice:
    """The weights of the chosen forecast and why it was chosen."""

    weights: dict[str, float]
    label: str
    reason: str


def inverse_error_weights(errors: Mapping[str, float], *, top_k: int) -> dict[str, float]:
    """Weights of the ``top_k`` lowest-error candidates, proportional to 1 / error, summing to 1.

    Candidates with a non-finite error are never chosen. Ties keep the given order.
    """
    usable = [(name, error) for name, error in errors.items() if np.isfinite(error)]
    if not usable:
        raise ValueError("no candidate has a finite inner-backtest error")
    best = sorted(usable, key=lambda item: item[1])[: max(top_k, 1)]
    inverse = np.array([1 / max(error, 1e-12) for _, error in best])
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

    def calibration_scores(self, weights: dict[str, float]) -> np.ndarray:
        """Absolute inner errors of a combination, per recent volatility and step growth."""
        scores = []
        for actual, mean, volatility in zip(
            self.actuals, self.combined(weights), self.volatilities, strict=True
        ):
            steps = np.arange(1, len(actual) + 1)
            scores.append(np.abs(actual - mean) / (volatility * horizon_growth(steps)))
        return np.concatenate(scores) if scores else np.empty(0)


def choose_pooled(
    evidences: Sequence[InnerEvidence], *, default: tuple[str, ...], top_k: int
) -> Choice:
    """One choice from the inner backtests of one or more series that share a forecast origin.

    Errors are pooled over every (series, inner fold): the ``top_k`` candidates with the lowest
    mean MASE form the performance combination, which takes weight ``max(0, 2p - 1)`` from the
    default, ``p`` being the share of (series, fold) pairs where it beat the default. Only
    candidates fitted on every series compete.
    """
    if not evidences:
        raise ValueError("no inner backtest to choose from")
    names = [n for n in evidences[0].forecasts if all(n in e.forecasts for e in evidences)]
    if not names:
        raise RuntimeError("no candidate could be fitted on every series")
    errors = [e.fold_errors() for e in evidences]
    mean_errors = {n: float(np.mean(np.concatenate([e[n] for e in errors]))) for n in names}
    performance = inverse_error_weights(mean_errors, top_k=top_k)
    core = [name for name in default if name in names]
    if not core:
        return Choice(performance, _label(performance), "no default candidate could be fitted")
    default_weights = {name: 1 / len(core) for name in core}
    beaten = np.concatenate(
        [e.score(e.combined(performance)) < e.score(e.combined(default_weights)) for e in evidences]
    )
    wins = float(np.mean(beaten))
    trust = max(0.0, 2 * wins - 1)
    weights = {
        name: trust * performance.get(name, 0.0) + (1 - trust) * default_weights.get(name, 0.0)
        for name in dict.fromkeys([*performance, *default_weights])
    }
    weights = {name: weight for name, weight in weights.items() if weight > 1e-9}
    pooled = f" over {len(evidences)} series" if len(evidences) > 1 else ""
    reason = (
        f"the best {len(performance)} beat the default in {wins:.0%} of inner folds{pooled}: "
        f"{trust:.0%} weight on them, {1 - trust:.0%} on the default"
    )
    return Choice(weights, _label(weights), reason)


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
