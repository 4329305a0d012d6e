"""Shortage interval factors: learned from earlier outlooks only, and calibrated when applied."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from scipy.stats import norm

from workforce.outlook.interval_calibration import (
    ShortageCalibration,
    conformal_quantile,
    year_ahead,
)

TRUE_SIGMA_PER_YEAR = 10.0
"""The simulated errors' standard deviation grows as 10 x sqrt(years ahead)."""
RAW_HALF_WIDTH_PER_MONTH = 3.0
"""The raw intervals grow linearly with the month ahead: too wide, and ever more so."""


def add_months(month: dt.date, months: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def past_outlooks(
    origins: list[dt.date], *, nodes: int = 30, months: int = 60, seed: int = 0
) -> pl.DataFrame:
    """Outlook rows of ``origins`` with raw intervals far too wide and known true errors."""
    rng = np.random.default_rng(seed)
    frames = []
    for origin in origins:
        steps = np.tile(np.arange(1, months + 1), nodes)
        sigma = TRUE_SIGMA_PER_YEAR * np.sqrt(steps / 12)
        p50 = np.full(steps.size, 100.0)
        half = {80: RAW_HALF_WIDTH_PER_MONTH * steps, 95: 1.5 * RAW_HALF_WIDTH_PER_MONTH * steps}
        frames.append(
            pl.DataFrame(
                {
                    "origin": [origin] * steps.size,
                    "month": [add_months(origin, int(s)) for s in steps],
                    "step": steps,
                    "level": ["profession"] * steps.size,
                    "node": np.repeat([f"AM13/*/p{i}" for i in range(nodes)], months),
                    "p50": p50,
                    "lo_80": p50 - half[80],
                    "hi_80": p50 + half[80],
                    "lo_95": p50 - half[95],
                    "hi_95": p50 + half[95],
                    "realised": p50 + rng.normal(0, sigma),
                }
            )
        )
    return pl.concat(frames)


ORIGINS = [dt.date(year, 12, 1) for year in range(2012, 2020)]


def test_months_near_a_whole_year_ahead_score_that_year() -> None:
    assert year_ahead(np.array([1, 8, 9, 12, 15, 16, 21, 60])).tolist() == [0, 0, 1, 1, 1, 0, 2, 5]


def test_conformal_quantile_takes_the_finite_sample_rank() -> None:
    scores = np.arange(1.0, 10.0)  # 9 scores: the 80 % rank is ceil(10 x 0.8) = 8
    assert conformal_quantile(scores, 80) == 8.0
    assert conformal_quantile(scores, 95) == 9.0


def test_calibrated_intervals_reach_their_coverage_at_every_year_ahead() -> None:
    history = past_outlooks(ORIGINS[:-1])
    until = add_months(ORIGINS[-2], 60)
    calibration = ShortageCalibration.learn(history, until=until)
    fresh = past_outlooks([ORIGINS[-1]], nodes=400, seed=1)
    steps = fresh["step"].to_numpy()
    bounds = {
        name: fresh[name].to_numpy()[None, :] for name in ("lo_80", "hi_80", "lo_95", "hi_95")
    }
    scaled = calibration.apply(fresh["p50"].to_numpy()[None, :], bounds, ["profession"], steps)
    realised = fresh["realised"].to_numpy()
    for year in range(1, 6):
        at = steps == 12 * year
        for level, (low, high) in {80: (0.70, 0.90), 95: (0.88, 0.99)}.items():
            inside = (realised[at] >= scaled[f"lo_{level}"][0, at]) & (
                realised[at] <= scaled[f"hi_{level}"][0, at]
            )
            raw = (realised[at] >= fresh[f"lo_{level}"].to_numpy()[at]) & (
                realised[at] <= fresh[f"hi_{level}"].to_numpy()[at]
            )
            assert low <= inside.mean() <= high, (year, level, inside.mean())
            assert raw.mean() > high  # the raw intervals were too wide


def test_years_no_earlier_origin_reaches_keep_the_last_known_factor() -> None:
    # Two origins two years apart and a cut-off one year after the later: years 1-2 known.
    history = past_outlooks([dt.date(2016, 12, 1), dt.date(2017, 12, 1)], nodes=200)
    calibration = ShortageCalibration.learn(history, until=dt.date(2018, 12, 1))
    table = calibration.factors.filter(
        (pl.col("level") == "profession") & (pl.col("interval") == 80)
    ).sort("year")
    assert table["source"].to_list()[:3] == ["observed", "observed", "carried"]
    factors = table["factor"].to_numpy()
    # Errors grow as sqrt(months), raw widths as months: the known factors fall with the year,
    # and the years beyond the record are not narrowed further on that trend.
    expected = norm.ppf(0.9) * TRUE_SIGMA_PER_YEAR / (12 * RAW_HALF_WIDTH_PER_MONTH)
    np.testing.assert_allclose(factors[1], expected / np.sqrt(2), rtol=0.3)
    assert factors[0] > factors[1]
    assert np.all(factors[2:] == factors[1])
    months = calibration.factor("profession", 80, np.array([24, 36, 60, 120]))
    np.testing.assert_allclose(months, factors[1])


def test_a_level_with_few_node_origin_pairs_borrows_the_pooled_factors() -> None:
    # The region is one node: three origins make three independent errors per year ahead,
    # however many months each holds. Its errors here are tiny beside the professions'.
    professions = past_outlooks(ORIGINS[:3], nodes=40)
    region = past_outlooks(ORIGINS[:3], nodes=1, seed=3).with_columns(
        level=pl.lit("region"), node=pl.lit("AM13"), realised=100 + (pl.col("realised") - 100) / 20
    )
    calibration = ShortageCalibration.learn(
        pl.concat([professions, region]), until=dt.date(2019, 12, 1)
    )

    def factors(level: str) -> pl.DataFrame:
        return calibration.factors.filter(
            (pl.col("level") == level) & (pl.col("interval") == 80) & (pl.col("year") <= 3)
        ).sort("year")

    assert factors("region")["pooled"].all()
    assert not factors("profession")["pooled"].any()
    pooled = calibration.factors.filter(pl.col("level") == "region")["factor"].to_numpy()
    own = ShortageCalibration.learn(region, until=dt.date(2019, 12, 1)).factors
    # Alone, its three origins would shrink the region's intervals to a sliver.
    assert np.all(own.filter(pl.col("level") == "region")["factor"].to_numpy() < 0.25 * pooled)
    np.testing.assert_allclose(
        factors("region")["factor"], factors("profession")["factor"], rtol=0.1
    )


def test_outcomes_after_the_cut_off_are_never_read() -> None:
    history = past_outlooks(ORIGINS[:4])
    until = dt.date(2017, 6, 1)
    calibration = ShortageCalibration.learn(history, until=until)
    later = pl.col("month") > until
    altered = history.with_columns(
        realised=pl.when(later).then(pl.col("realised") * 100 + 1e6).otherwise("realised")
    )
    again = ShortageCalibration.learn(altered, until=until)
    assert again.factors.equals(calibration.factors)
    # The same change before the cut-off does change the factors: the check can fail.
    earlier = history.with_columns(
        realised=pl.when(~later).then(pl.col("realised") * 100 + 1e6).otherwise("realised")
    )
    assert not ShortageCalibration.learn(earlier, until=until).factors.equals(calibration.factors)


def test_without_past_outcomes_intervals_stay_raw() -> None:
    history = past_outlooks([dt.date(2019, 12, 1)])
    calibration = ShortageCalibration.learn(history, until=dt.date(2019, 12, 1))
    assert set(calibration.factors["source"]) == {"none"}
    assert calibration.factor("region", 80, np.array([12, 60])).tolist() == [1.0, 1.0]


def test_the_95_interval_never_falls_inside_the_80(tmp_path: Path) -> None:
    history = past_outlooks(ORIGINS[:5])
    calibration = ShortageCalibration.learn(history, until=dt.date(2019, 12, 1))
    steps = np.arange(1, 61)
    p50 = np.zeros((1, 60))
    bounds = {
        "lo_80": p50 - 10.0,
        "hi_80": p50 + 10.0,
        "lo_95": p50 - 10.5,
        "hi_95": p50 + 10.5,
    }
    scaled = calibration.apply(p50, bounds, ["profession"], steps)
    assert (scaled["lo_95"] <= scaled["lo_80"]).all()
    assert (scaled["hi_95"] >= scaled["hi_80"]).all()


def test_saved_factors_load_unchanged(tmp_path: Path) -> None:
    calibration = ShortageCalibration.learn(past_outlooks(ORIGINS[:3]), until=ORIGINS[3])
    calibration.save(tmp_path / "calibration" / "shortage_intervals.json")
    loaded = ShortageCalibration.load(tmp_path / "calibration" / "shortage_intervals.json")
    assert loaded is not None
    assert loaded.factors.equals(calibration.factors)
    assert (loaded.learned_until, loaded.origins) == (
        calibration.learned_until,
        calibration.origins,
    )
    assert ShortageCalibration.load(tmp_path / "absent.json") is None


@pytest.mark.parametrize("level", ["region", "bottom"])
def test_a_level_without_errors_of_its_own_borrows_the_pooled_factors(level: str) -> None:
    history = past_outlooks(ORIGINS[:4])
    calibration = ShortageCalibration.learn(history, until=ORIGINS[4])
    steps = np.array([12, 24])
    np.testing.assert_array_equal(
        calibration.factor(level, 80, steps), calibration.factor("profession", 80, steps)
    )
