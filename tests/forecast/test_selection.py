"""The choice rule: weights by inverse squared inner error, pooled over series of one origin."""

from __future__ import annotations

import numpy as np
import pytest

from workforce.forecast.selection import (
    InnerEvidence,
    choose_pooled,
    combine,
    cross_fitted_scores,
    inverse_error_weights,
)


def evidence(errors: dict[str, list[float]]) -> InnerEvidence:
    """Inner folds of one step with actual 0, where each candidate forecasts its error."""
    folds = len(next(iter(errors.values())))
    return InnerEvidence(
        forecasts={name: [np.array([e]) for e in values] for name, values in errors.items()},
        actuals=[np.array([0.0])] * folds,
        scales=[1.0] * folds,
        volatilities=[1.0] * folds,
    )


def test_weights_follow_the_inverse_squared_mean_error() -> None:
    found = evidence({"naive": [2.0, 2.0], "theta": [1.0, 1.0], "damped_ets": [0.5, 1.5]})
    choice = choose_pooled([found])
    # mean errors 2, 1, 1: weights 1/4 : 1 : 1
    assert choice.weights == pytest.approx({"naive": 1 / 9, "theta": 4 / 9, "damped_ets": 4 / 9})
    assert "best alone: theta" in choice.reason


def test_no_candidate_is_excluded_by_construction() -> None:
    """A candidate rated twice as bad as the best keeps a quarter of its weight."""
    found = evidence({"naive": [1.0] * 4, "structural": [2.0] * 4})
    choice = choose_pooled([found])
    assert choice.weights["structural"] == pytest.approx(choice.weights["naive"] / 4)


def test_top_k_keeps_only_the_best() -> None:
    found = evidence({"naive": [3.0] * 3, "drift": [2.0] * 3, "theta": [1.0] * 3})
    choice = choose_pooled([found], top_k=2)
    assert set(choice.weights) == {"drift", "theta"}
    assert choice.weights["theta"] == pytest.approx(4 * choice.weights["drift"])


def test_pooling_over_series_outvotes_one_lucky_series() -> None:
    """One series where the challenger wins weighs no more than any other series of the origin."""
    lucky = {"naive": [2.0] * 3, "damped_ets": [0.5] * 3}
    unlucky = {"naive": [2.0] * 3, "damped_ets": [5.0] * 3}
    alone = choose_pooled([evidence(lucky)])
    pooled = choose_pooled([evidence(lucky), *(evidence(unlucky) for _ in range(3))])
    assert alone.weights["damped_ets"] > 0.9
    assert pooled.weights["damped_ets"] < pooled.weights["naive"]
    assert "over 4 series" in pooled.reason


def test_a_candidate_missing_on_one_series_does_not_compete() -> None:
    full = evidence({"naive": [2.0, 2.0], "drift": [2.0, 2.0], "x": [0.1, 0.1]})
    partial = evidence({"naive": [2.0, 2.0], "drift": [2.0, 2.0]})
    choice = choose_pooled([full, partial])
    assert "x" not in choice.weights


def test_inverse_error_weights_favour_the_lowest_errors_and_sum_to_one() -> None:
    weights = inverse_error_weights(
        {"naive": 2.0, "drift": 1.0, "theta": 4.0, "broken": float("nan")}, top_k=2
    )  # power 1: proportional to 1 / error
    assert set(weights) == {"drift", "naive"}
    assert sum(weights.values()) == pytest.approx(1)
    assert weights["drift"] == pytest.approx(2 * weights["naive"])


def test_no_finite_error_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="finite"):
        inverse_error_weights({"naive": float("inf")}, top_k=1)


def test_combine_is_the_weighted_mean() -> None:
    means = {"a": np.array([1.0, 2.0]), "b": np.array([3.0, 6.0])}
    np.testing.assert_allclose(combine(means, {"a": 0.75, "b": 0.25}), [1.5, 3.0])


def test_fold_errors_are_each_folds_mase_against_its_own_scale() -> None:
    inner = InnerEvidence(
        forecasts={"naive": [np.array([1.0, 3.0]), np.array([4.0, 4.0])]},
        actuals=[np.array([2.0, 2.0]), np.array([2.0, 6.0])],
        scales=[0.5, 2.0],
        volatilities=[1.0, 1.0],
    )
    np.testing.assert_allclose(inner.fold_errors()["naive"], [1.0 / 0.5, 2.0 / 2.0])


def test_calibration_scores_divide_by_volatility_and_the_step() -> None:
    inner = InnerEvidence(
        forecasts={
            "naive": [np.array([10.0, 10.0, 10.0])],
            "drift": [np.array([12.0, 14.0, 16.0])],
        },
        actuals=[np.array([12.0, 12.0, 16.0])],
        scales=[1.0],
        volatilities=[2.0],
    )
    weights = {"naive": 0.5, "drift": 0.5}
    np.testing.assert_allclose(inner.combined(weights)[0], [11.0, 12.0, 13.0])
    # errors 1, 0, 3 over volatility 2 and steps 1, 2, 3
    np.testing.assert_allclose(inner.calibration_scores(weights), [0.5, 0.0, 0.5])


def test_no_evidence_or_no_common_candidate_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="no inner backtest"):
        choose_pooled([], top_k=3)
    with pytest.raises(RuntimeError, match="every series"):
        choose_pooled([evidence({"naive": [1.0]}), evidence({"drift": [1.0]})], top_k=3)


def test_each_inner_fold_is_scored_with_weights_chosen_without_it() -> None:
    """Calibration errors come from weights that never saw the fold they score."""
    found = evidence({"a": [1.0, 1.0, 4.0], "b": [2.0, 2.0, 1.0]})
    (scores,) = cross_fitted_scores([found], choose_pooled, choose_pooled([found]).weights)
    # without fold 3: a errs 1, b errs 2, weights 0.8 / 0.2, so fold 3 errs 0.8 * 4 + 0.2 * 1;
    # without fold 1 or 2: mean errors 2.5 and 1.5, weights 0.265 / 0.735
    assert scores == pytest.approx([1.7353, 1.7353, 3.4], abs=1e-4)
    in_sample = found.calibration_scores(choose_pooled([found]).weights)
    assert (scores > in_sample).all()


def test_a_period_is_left_out_of_every_series_that_shares_the_origin() -> None:
    first = evidence({"a": [1.0, 1.0, 4.0], "b": [2.0, 2.0, 1.0]})
    second = evidence({"a": [1.0, 4.0], "b": [2.0, 1.0]})  # a shorter series: its last two folds
    pooled = choose_pooled([first, second])
    scores = cross_fitted_scores([first, second], choose_pooled, pooled.weights)
    # the last fold of both is scored by the choice on the rest: a errs (1, 1, 1), b (2, 2, 2)
    assert scores[0][-1] == pytest.approx(0.8 * 4 + 0.2 * 1)
    assert scores[1][-1] == pytest.approx(0.8 * 4 + 0.2 * 1)
