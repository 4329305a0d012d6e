"""Conformal calibration from inner errors, and errors lent between series of one origin."""

from __future__ import annotations

import numpy as np
import pytest

from workforce.forecast.calibration import (
    ConformalCalibration,
    StepProfile,
    pooled_calibrations,
    recent_volatility,
)
from workforce.forecast.frames import LEVELS


def test_quantile_is_the_split_conformal_rank() -> None:
    scores = np.arange(1.0, 25.0)  # 24 errors: ranks ceil(25 * 0.8) = 20 and ceil(25 * 0.95) = 24
    calibration = ConformalCalibration.from_scores(scores)
    assert calibration.quantiles == {80: 20.0, 95: 24.0}
    assert calibration.borrowed == 0.0


def test_too_few_errors_for_a_level_fall_back_to_a_wider_normal_bound() -> None:
    calibration = ConformalCalibration.from_scores(np.ones(5))
    assert calibration.quantiles[95] >= 1.0


def test_a_short_series_borrows_what_it_lacks_and_a_long_one_keeps_its_own() -> None:
    rng = np.random.default_rng(0)
    short = np.abs(rng.normal(0, 1, 8))  # a narrow series with few errors
    long_ = np.abs(rng.normal(0, 3, 200))  # a wide series with many
    alone = ConformalCalibration.from_scores(short)
    lent, kept = pooled_calibrations([short, long_], minimum=50)
    assert lent.borrowed == pytest.approx(42.0)
    assert lent.quantiles[80] > alone.quantiles[80]
    assert kept.borrowed == 0.0
    assert kept.quantiles == ConformalCalibration.from_scores(long_).quantiles


def test_pooled_intervals_cover_as_promised_on_exchangeable_errors() -> None:
    """Twenty series of 12 standard-normal errors each: pooled 80 % bounds cover about 80 %."""
    rng = np.random.default_rng(1)
    samples = [np.abs(rng.normal(0, 1, 12)) for _ in range(20)]
    calibrations = pooled_calibrations(samples, minimum=50)
    fresh = np.abs(rng.normal(0, 1, (20, 2000)))
    for level in (80, 95):
        covered = np.mean(
            [np.mean(f <= c.quantiles[level]) for f, c in zip(fresh, calibrations, strict=True)]
        )
        assert abs(covered - level / 100) < 0.05


def _half_widths(calibration: ConformalCalibration, scale: float = 1.0) -> dict[int, float]:
    prediction = calibration.apply(np.zeros(1), scale=scale)
    return {level: float(prediction.upper[level][0]) for level in LEVELS}


@pytest.mark.parametrize("n", [19, 40, 200])
def test_coverage_on_exchangeable_errors_is_at_least_the_level(n: int) -> None:
    """Split-conformal guarantee: averaged over calibration samples, coverage >= level."""
    rng = np.random.default_rng(n)
    repeats, fresh = 400, 200
    covered = {level: 0.0 for level in LEVELS}
    for _ in range(repeats):
        errors = rng.standard_t(5, size=n)
        calibration = ConformalCalibration.from_errors(errors, np.ones(n), np.ones(n))
        widths = _half_widths(calibration)
        new = np.abs(rng.standard_t(5, size=fresh))
        for level in LEVELS:
            covered[level] += float(np.mean(new <= widths[level]))
    for level in LEVELS:
        share = covered[level] / repeats
        assert share >= level / 100 - 0.01, (level, share)
        assert share <= level / 100 + 0.06, (level, share)


def test_intervals_are_centred_nested_and_do_not_narrow_with_the_horizon() -> None:
    rng = np.random.default_rng(3)
    errors = rng.normal(0, 2, 120)
    steps = np.tile(np.arange(1, 13), 10)
    calibration = ConformalCalibration.from_errors(errors, steps, np.full(120, 1.5))
    mean = np.linspace(100, 130, 24)
    prediction = calibration.apply(mean, scale=1.5)
    for level in LEVELS:
        lower, upper = prediction.lower[level], prediction.upper[level]
        np.testing.assert_allclose((lower + upper) / 2, mean)
        assert np.all(np.diff(upper - lower) >= -1e-9)
    assert np.all(
        prediction.upper[95] - prediction.lower[95] >= prediction.upper[80] - prediction.lower[80]
    )


def test_intervals_scale_with_the_series() -> None:
    rng = np.random.default_rng(5)
    errors, steps = rng.normal(0, 1, 60), np.ones(60)
    small = ConformalCalibration.from_errors(errors, steps, np.ones(60))
    large = ConformalCalibration.from_errors(errors * 1000, steps, np.full(60, 1000.0))
    assert small.quantiles == pytest.approx(large.quantiles)
    assert _half_widths(large, scale=1000.0)[80] == pytest.approx(1000 * _half_widths(small)[80])


def test_no_errors_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="at least one backtest error"):
        ConformalCalibration.from_errors(np.array([np.nan]), np.ones(1), np.ones(1))


def test_recent_volatility_is_never_zero_and_follows_the_last_seasons() -> None:
    calm_then_wild = np.concatenate([np.full(36, 10.0), 10 + 5 * (np.arange(24) % 2)])
    assert recent_volatility(calm_then_wild, 12) == pytest.approx(5.0, rel=0.1)
    assert recent_volatility(np.full(30, 7.0), 12) > 0
    assert recent_volatility(np.zeros(30), 12) > 0


def test_each_step_ahead_covers_as_promised_when_errors_do_not_grow_with_the_step() -> None:
    """A level shift makes the first step's error as large as the last one's: one quantile for
    all steps (scaled by the step) would cover far too little at step 1 and too much at step 4."""
    rng = np.random.default_rng(7)
    steps = np.tile(np.arange(1, 5), 100)
    calibration = ConformalCalibration.from_errors(
        rng.normal(0, 1, steps.size), steps, np.ones(steps.size)
    )
    fresh = np.abs(rng.normal(0, 1, (4000, 4)))
    widths = calibration.half_widths(4, scale=1.0)
    for level in LEVELS:
        covered = np.mean(fresh <= widths[level], axis=0)
        assert np.all(np.abs(covered - level / 100) < 0.05), (level, covered)


def test_beyond_the_backtest_horizon_the_last_step_grows_with_the_horizon() -> None:
    steps = np.tile(np.arange(1, 5), 30)
    errors = np.random.default_rng(8).normal(0, 1, steps.size) * steps
    calibration = ConformalCalibration.from_errors(errors, steps, np.ones(steps.size))
    widths = calibration.half_widths(8, scale=1.0)[80]
    assert widths[7] == pytest.approx(2 * widths[3])


def test_a_series_with_few_errors_per_step_borrows_at_that_step() -> None:
    rng = np.random.default_rng(9)
    steps = np.tile(np.arange(1, 5), 3)
    narrow = np.abs(rng.normal(0, 0.1, steps.size))
    wide_steps = np.tile(np.arange(1, 5), 100)
    wide = np.abs(rng.normal(0, 1, wide_steps.size)) * wide_steps  # step 4 four times step 1
    lent, _ = pooled_calibrations([narrow, wide], minimum=50, steps=[steps, wide_steps])
    widths = lent.half_widths(4, scale=1.0)[80]
    assert widths[3] / 4 > 2 * widths[0]
    assert (
        lent.half_widths(4, scale=1.0)[80][0]
        > ConformalCalibration.from_scores(narrow, steps=steps).half_widths(1, scale=1.0)[80][0]
    )


def test_the_calibration_table_has_one_row_per_level() -> None:
    scores = np.arange(1.0, 25.0)
    table = ConformalCalibration.from_scores(scores[:8], borrowed=scores, weight=4.0).to_frame()
    assert table["level"].to_list() == list(LEVELS)
    assert (table["errors"] == 8).all()
    assert table["borrowed"].to_list() == pytest.approx([4.0] * len(LEVELS))
    assert table["scaled_half_width"].is_sorted()


@pytest.mark.parametrize("growth", [0.0, 0.5, 1.0])
def test_every_step_covers_as_promised_whatever_the_errors_growth(growth: float) -> None:
    """Six folds of twelve steps, too few errors per step: nearby steps lend theirs, measured in
    the errors' own step profile, so step 1 is not made of larger steps' errors cut down, and
    no noisy step widens all later ones."""
    from scipy.stats import norm

    steps = np.tile(np.arange(1, 13), 6)
    covered = []
    for seed in range(200):
        errors = np.abs(np.random.default_rng(seed).normal(0, 1, steps.size)) * steps**growth
        calibration = ConformalCalibration.from_scores(errors / steps, steps=steps)
        widths = calibration.half_widths(12, scale=1.0)[80]
        # fresh errors at step h are |N(0, h ** growth)|: their coverage is exact
        covered.append(2 * norm.cdf(widths / np.arange(1, 13) ** growth) - 1)
    per_step = np.mean(covered, axis=0)
    assert per_step.min() >= 0.72, per_step  # dividing by the step alone: 0.36 at step 1
    assert per_step.mean() <= 0.88, per_step


def test_the_step_profile_keeps_a_steps_own_mean_when_it_has_enough_errors() -> None:
    steps = np.repeat([1, 2, 3], 30)
    raw = np.repeat([3.0, 1.0, 2.0], 30)
    profile = StepProfile.of(raw / steps, steps)
    assert profile.smoothed == pytest.approx([3.0, 1.0, 2.0])
    assert profile.normalised(raw / steps, steps) == pytest.approx(np.ones(90))


def test_a_step_with_few_errors_takes_the_line_through_its_neighbours() -> None:
    steps = np.repeat([1, 2, 3, 4, 5], 6)  # six errors per step: the window spans five steps
    raw = 2.0 * steps  # errors in exact proportion to the step
    assert StepProfile.of(raw / steps, steps).smoothed == pytest.approx([2, 4, 6, 8, 10])


def test_a_seasonal_peak_keeps_its_own_width_when_nearby_steps_lend_their_errors() -> None:
    """Errors large at steps 1 and 4 (a winter peak) and small between: the peak's width is not
    pulled down by the quiet steps it borrows from."""
    rng = np.random.default_rng(2)
    steps = np.tile(np.arange(1, 5), 30)
    size = np.array([3.0, 1.0, 1.0, 3.0])[steps - 1]
    samples = [np.abs(rng.normal(0, 1, 24)) * size[:24] / steps[:24] for _ in range(5)]
    calibrations = pooled_calibrations(samples, steps=[steps[:24]] * 5)
    width = calibrations[0].half_widths(4, scale=1.0)[80]
    fresh = np.abs(rng.normal(0, 1, 20000)) * 3.0  # new step-1 errors of the peak
    assert np.mean(fresh <= width[0]) >= 0.75
