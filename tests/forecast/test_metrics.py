"""Forecast error measures: the properties that make them comparable across series."""

from __future__ import annotations

import numpy as np
import pytest

from workforce.forecast.metrics import (
    band_probability,
    bias,
    coverage,
    coverage_p_value,
    mase,
    pinball,
    rmsse,
    seasonal_naive_scale,
    smape,
    winkler,
)

RNG = np.random.default_rng(7)
SEASONAL = 100 + 10 * np.sin(np.arange(48) * 2 * np.pi / 12) + RNG.normal(0, 2, 48)


def test_a_perfect_forecast_scores_zero() -> None:
    actual = SEASONAL[36:]
    scale = seasonal_naive_scale(SEASONAL[:36], 12)
    squared = seasonal_naive_scale(SEASONAL[:36], 12, squared=True)
    assert mase(actual, actual, scale=scale) == 0
    assert rmsse(actual, actual, squared_scale=squared) == 0
    assert smape(actual, actual) == 0
    assert bias(actual, actual) == 0


def test_the_in_sample_seasonal_naive_forecast_scores_one() -> None:
    train = SEASONAL[:36]
    scale = seasonal_naive_scale(train, 12)
    squared = seasonal_naive_scale(train, 12, squared=True)
    assert mase(train[12:], train[:-12], scale=scale) == pytest.approx(1.0)
    assert rmsse(train[12:], train[:-12], squared_scale=squared) == pytest.approx(1.0)


def test_mase_does_not_depend_on_the_unit() -> None:
    train, actual = SEASONAL[:36], SEASONAL[36:]
    forecast = np.full(12, train[-12:].mean())
    in_persons = mase(actual, forecast, scale=seasonal_naive_scale(train, 12))
    in_hundreds = mase(actual / 100, forecast / 100, scale=seasonal_naive_scale(train / 100, 12))
    assert in_hundreds == pytest.approx(in_persons)


def test_the_scale_of_a_flat_or_short_series_is_never_zero() -> None:
    assert seasonal_naive_scale(np.full(30, 5.0), 12) > 0
    assert seasonal_naive_scale(np.zeros(30), 12) > 0
    assert seasonal_naive_scale(np.array([3.0]), 12) > 0
    short = np.array([1.0, 3.0, 6.0])
    assert seasonal_naive_scale(short, 12) == pytest.approx(2.5)


def test_smape_is_symmetric_bounded_and_zero_for_two_zeros() -> None:
    actual, forecast = np.array([10.0, 0.0, 5.0]), np.array([20.0, 0.0, 0.0])
    assert smape(actual, forecast) == pytest.approx(smape(forecast, actual))
    assert smape(np.array([0.0]), np.array([0.0])) == 0
    assert smape(np.array([1.0]), np.array([0.0])) == pytest.approx(200)
    assert 0 <= smape(actual, forecast) <= 200


def test_bias_is_positive_when_the_forecast_runs_high() -> None:
    actual = np.array([10.0, 12.0])
    assert bias(actual, actual + 3) == pytest.approx(3)
    assert bias(actual, actual - 1) == pytest.approx(-1)


def test_coverage_counts_the_bounds_as_inside() -> None:
    actual = np.array([1.0, 2.0, 3.0, 4.0])
    lower, upper = np.array([1.0, 0.0, 3.5, 0.0]), np.array([2.0, 2.0, 4.0, 3.0])
    assert coverage(actual, lower, upper) == pytest.approx(0.5)


def test_winkler_is_the_width_when_every_value_is_inside_and_punishes_misses() -> None:
    actual = np.array([5.0, 6.0])
    lower, upper = np.array([4.0, 4.0]), np.array([7.0, 8.0])
    assert winkler(actual, lower, upper, level=80) == pytest.approx(3.5)
    missed = winkler(actual + np.array([0.0, 3.0]), lower, upper, level=80)
    # One value 1 above its upper bound: the mean gains 2 / 0.2 * 1 / 2.
    assert missed == pytest.approx(3.5 + 5.0)
    assert winkler(actual + 3, lower, upper, level=95) > winkler(actual + 3, lower, upper, level=80)


def test_pinball_at_the_median_is_half_the_absolute_error() -> None:
    actual = RNG.normal(0, 1, 50)
    forecast = actual + RNG.normal(0, 1, 50)
    assert pinball(actual, forecast, quantile=0.5) == pytest.approx(
        0.5 * float(np.mean(np.abs(actual - forecast)))
    )
    low = pinball(actual, actual - 1, quantile=0.1)
    high = pinball(actual, actual + 1, quantile=0.1)
    assert low == pytest.approx(0.1)
    assert high == pytest.approx(0.9)


def test_a_coverage_near_nominal_is_put_down_to_chance_and_a_far_one_is_not() -> None:
    # 14 of 15 inside a 95 % interval is as expected; 15 of 15 is still likely by chance.
    assert coverage_p_value(14, 15, level=95) > 0.5
    assert coverage_p_value(15, 15, level=95) == pytest.approx(0.215, abs=0.005)
    # 9 of 9 inside an 80 % interval (0.8**9 = 13 %) is borderline; 60 of 60 is not chance.
    assert 0.02 < coverage_p_value(9, 9, level=80) < 0.1
    assert coverage_p_value(60, 60, level=80) < 1e-5
    # Exactly nominal gives 1; the same share at more values is less likely to be chance.
    assert coverage_p_value(80, 100, level=80) == pytest.approx(1.0)
    assert coverage_p_value(700, 1000, level=80) < coverage_p_value(7, 10, level=80)


def test_the_coverage_test_matches_simulated_chance() -> None:
    # The share of correct 80 % intervals at n = 40 whose p falls below 0.05 is about 5 %.
    rng = np.random.default_rng(3)
    inside = rng.binomial(40, 0.8, size=20_000)
    rejected = np.mean([coverage_p_value(int(k), 40, level=80) < 0.05 for k in inside])
    assert 0.02 < rejected < 0.08


def test_a_coverage_test_refuses_impossible_counts() -> None:
    with pytest.raises(ValueError, match="inside=5, n=4"):
        coverage_p_value(5, 4, level=80)


def test_few_values_often_miss_a_coverage_band_by_chance_and_many_rarely_do() -> None:
    # 15 values and a correct 95 % interval: only exactly one miss lands in 88-99 %.
    one_miss = 15 * 0.05 * 0.95**14
    assert band_probability(15, level=95, band=(0.88, 0.99)) == pytest.approx(one_miss)
    assert band_probability(1000, level=80, band=(0.75, 0.85)) > 0.99
    assert band_probability(9, level=80, band=(0.70, 0.90)) < 0.7
