"""Model choice from inner-backtest errors, with a burden of proof on anything but the default.

Inner backtests on short public series reward models that fit the past regime (on the CBS
vacancy series, damped exponential smoothing won most inner backtests before 2020 and lost the
test years). So the default is a robust equal-weight combination of simple methods, and a
challenger (a single model or the inverse-error weighted best ``k``) replaces it only when it
beats the default in every inner fold and by a clear margin on average.

The engine's defaults (margin 0.5, six inner folds, the naive + drift + Theta default) were set
while looking at the CBS series of ``docs/accuracy.md``; the figures there are out-of-sample for
each forecast, but not for these few settings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np


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


def choose(
    fold_errors: Mapping[str, np.ndarray],
    fold_forecasts: Mapping[str, list[np.ndarray]],
    score: ScoreFolds,
    *,
    default: tuple[str, ...],
    top_k: int,
    margin: float,
) -> Choice:
    """Pick the default combination or a challenger that clearly beats it in the inner folds.

    ``fold_errors`` holds each candidate's MASE per inner fold; ``score`` turns forecasts per
    fold into MASE per fold, to score combinations.
    """
    core = [name for name in default if name in fold_errors]
    if not core:
        best = inverse_error_weights({n: float(e.mean()) for n, e in fold_errors.items()}, top_k=1)
        return Choice(best, next(iter(best)), "no default candidate could be fitted")
    default_weights = {name: 1 / len(core) for name in core}
    default_errors = score(_combined(fold_forecasts, default_weights))
    mean_errors = {name: float(errors.mean()) for name, errors in fold_errors.items()}
    top = inverse_error_weights(mean_errors, top_k=top_k)
    challengers: dict[str, tuple[dict[str, float], np.ndarray]] = {
        name: ({name: 1.0}, errors) for name, errors in fold_errors.items()
    }
    if len(top) > 1:
        challengers[f"best {len(top)}"] = (top, score(_combined(fold_forecasts, top)))
    label_default = "mean of " + ", ".join(core)
    winners = {
        label: (weights, errors)
        for label, (weights, errors) in challengers.items()
        if np.all(errors < default_errors) and errors.mean() < margin * default_errors.mean()
    }
    if not winners:
        return Choice(
            default_weights,
            label_default,
            f"no challenger beat the default in every inner fold by {1 - margin:.0%}",
        )
    label = min(winners, key=lambda name: float(winners[name][1].mean()))
    weights, errors = winners[label]
    gain = 1 - errors.mean() / default_errors.mean()
    return Choice(weights, label, f"beat the default in every inner fold, {gain:.0%} lower MASE")


def _combined(
    fold_forecasts: Mapping[str, list[np.ndarray]], weights: Mapping[str, float]
) -> list[np.ndarray]:
    folds = len(next(iter(fold_forecasts.values())))
    return [combine({n: fold_forecasts[n][k] for n in weights}, weights) for k in range(folds)]


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
