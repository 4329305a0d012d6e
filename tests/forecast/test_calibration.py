"""Conformal calibration from inner errors, and errors lent between series of one origin."""

from __future__ import annotations

import numpy as np
import pytest

from workforce.forecast.calibration import ConformalCalibration, pooled_calibrations


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
