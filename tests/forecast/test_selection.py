"""Model choice from inner backtests: weights, and a challenger that is better in every fold."""

from __future__ import annotations

import numpy as np
import pytest

from workforce.forecast.selection import ScoreFolds, choose, combine, inverse_error_weights

DEFAULT = ("naive", "drift", "theta")


def test_inverse_error_weights_favour_the_lowest_errors_and_sum_to_one() -> None:
    weights = inverse_error_weights(
        {"naive": 2.0, "drift": 1.0, "theta": 4.0, "broken": float("nan")}, top_k=2
    )
    assert set(weights) == {"drift", "naive"}
    assert sum(weights.values()) == pytest.approx(1)
    assert weights["drift"] == pytest.approx(2 * weights["naive"])


def test_no_finite_error_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="finite"):
        inverse_error_weights({"naive": float("inf")}, top_k=1)


def test_combine_is_the_weighted_mean() -> None:
    means = {"a": np.array([1.0, 2.0]), "b": np.array([3.0, 6.0])}
    np.testing.assert_allclose(combine(means, {"a": 0.75, "b": 0.25}), [1.5, 3.0])


def _folds(offsets: dict[str, float], folds: int = 4) -> tuple[ScoreFolds, dict, dict]:
    """Candidates that miss the actuals of every fold by a fixed offset."""
    rng = np.random.default_rng(11)
    actuals = [100 + rng.normal(0, 3, 6) for _ in range(folds)]
    score = ScoreFolds(actuals, [2.0] * folds)
    forecasts = {name: [actual + offset for actual in actuals] for name, offset in offsets.items()}
    errors = {name: score(values) for name, values in forecasts.items()}
    return score, errors, forecasts


def test_a_challenger_that_is_far_better_in_every_fold_is_chosen() -> None:
    score, errors, forecasts = _folds({"naive": 8.0, "drift": -7.0, "theta": 9.0, "prophet": 0.1})
    choice = choose(errors, forecasts, score, default=DEFAULT, top_k=2, margin=0.5)
    assert choice.weights.get("prophet", 0) >= 0.9
    assert sum(choice.weights.values()) == pytest.approx(1)


def test_equally_good_candidates_keep_the_default_combination() -> None:
    score, errors, forecasts = _folds({"naive": 5.0, "drift": 5.5, "theta": 6.0, "prophet": 5.2})
    choice = choose(errors, forecasts, score, default=DEFAULT, top_k=2, margin=0.5)
    assert set(choice.weights) == set(DEFAULT)
    assert sum(choice.weights.values()) == pytest.approx(1)


def test_without_any_default_candidate_the_best_one_is_used() -> None:
    score, errors, forecasts = _folds({"prophet": 3.0, "ets": 1.0})
    choice = choose(errors, forecasts, score, default=DEFAULT, top_k=2, margin=0.5)
    assert choice.weights == {"ets": 1.0}
