"""The engine: choice from the training window only, calibrated intervals, fallbacks."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import polars as pl
import pytest

from tests.forecast.conftest import random_walk, seasonal_series
from workforce.forecast.backtest import ForecastCache, backtest_series, score_folds
from workforce.forecast.baselines import DampedETS, Drift, Naive, SeasonalNaive, Theta
from workforce.forecast.engine import ForecastEngine
from workforce.forecast.engine_run import (
    EngineSettings,
    decide,
    finish_series,
    gather_evidence,
    process_series,
)
from workforce.forecast.frames import Series
from workforce.forecast.prophet import ProphetForecaster

FAST = (Naive(), SeasonalNaive(), Drift(), DampedETS(), Theta())


def test_choice_never_sees_the_test_window() -> None:
    series = seasonal_series(length=44, seed=3)
    cut = len(series) - 4
    corrupted_y = series.y.copy()
    corrupted_y[cut:] = -1e6
    corrupted = Series(series.unique_id, series.ds, corrupted_y, series.frequency)
    clean = ForecastEngine(candidates=FAST).fit(series.head(cut))
    dirty = ForecastEngine(candidates=FAST).fit(corrupted.head(cut))
    assert clean.weights_ == dirty.weights_
    np.testing.assert_array_equal(clean.predict(4).mean, dirty.predict(4).mean)
    # and in a backtest, the corrupted last fold changes only that fold's score
    models = {"chosen": ForecastEngine(candidates=FAST)}
    scores = [
        score_folds(backtest_series(s, models, horizon=4, folds=3, cache=ForecastCache()))
        for s in (series, corrupted)
    ]
    assert scores[0]["mase"][:2].to_list() == scores[1]["mase"][:2].to_list()
    assert scores[1]["mase"][2] > 1000 * scores[0]["mase"][2]


def test_a_strong_season_wins_the_choice() -> None:
    series = seasonal_series(length=60, slope=0.0, amplitude=20.0, noise=0.3, seed=1)
    engine = ForecastEngine(candidates=FAST).fit(series)
    assert set(engine.weights_) & {"seasonal_naive", "damped_ets", "theta"}
    assert "naive" not in engine.weights_ or engine.weights_["naive"] < 0.5
    assert engine.gain_over_naive_ > 0.5


def test_calibrated_intervals_reach_nominal_coverage() -> None:
    """Random walks with known noise: the engine's intervals cover about as promised."""
    hits = {80: [], 95: []}
    for seed in range(16):
        series = random_walk(length=60, sigma=1.0, seed=seed)
        models = {"chosen": ForecastEngine(candidates=(Naive(), Drift(), Theta()))}
        scores = score_folds(backtest_series(series, models, horizon=4, folds=3))
        for level in hits:
            hits[level].extend(scores[f"coverage_{level}"].to_list())
    assert 0.70 <= np.mean(hits[80]) <= 0.92
    assert 0.88 <= np.mean(hits[95]) <= 1.0


def test_a_failing_series_falls_back_and_is_reported() -> None:
    """A log-Prophet-only engine cannot fit negative values: the run falls back to a baseline."""
    series = random_walk(length=40, seed=2)
    negative = Series("negative", series.ds, series.y - 200, series.frequency)
    log_prophet = ProphetForecaster(transform="log", uncertainty_samples=0)
    settings = EngineSettings(
        horizon=4,
        backtest_horizon=4,
        folds=2,
        candidates=(log_prophet,),
        engine=ForecastEngine(fallback="prophet"),
        keep_prophet=False,
    )
    result = process_series(negative, settings)
    assert any("fell back" in message for message in result.failures)
    assert result.forecast.height == 4
    assert result.forecast["model"].unique().to_list() == ["chosen"]
    assert np.isfinite(result.forecast["yhat"].to_numpy()).all()


def test_a_run_scores_coverage_per_step_for_the_engine_and_every_candidate() -> None:
    settings = EngineSettings(
        horizon=4, backtest_horizon=4, folds=3, candidates=FAST, keep_prophet=False
    )
    result = process_series(random_walk(length=48, seed=7), settings)
    steps = result.step_scores
    assert set(steps["model"]) == {"chosen", *(c.name for c in FAST)}
    chosen = steps.filter(pl.col("model") == "chosen").sort("step")
    assert chosen["step"].to_list() == [1, 2, 3, 4]
    assert chosen["folds"].to_list() == [3] * 4
    # the folds' mean coverage is the mean of the steps' coverage
    fold_mean = result.fold_scores.filter(pl.col("model") == "chosen")["coverage_80"].mean()
    assert chosen["coverage_80"].mean() == pytest.approx(fold_mean)


def test_too_short_series_use_the_fallback() -> None:
    engine = ForecastEngine(candidates=FAST).fit(seasonal_series(length=10))
    assert engine.weights_ == {"naive": 1.0}
    assert "too short" in engine.choice_.reason


@pytest.mark.parametrize("top_k", [0, 1, 2])
def test_weights_sum_to_one(top_k: int) -> None:
    engine = ForecastEngine(candidates=FAST, top_k=top_k).fit(seasonal_series())
    assert sum(engine.weights_.values()) == pytest.approx(1.0)
    assert len(engine.weights_) == (top_k or len(FAST))


def test_every_candidate_keeps_weight_in_proportion_to_its_inner_error() -> None:
    engine = ForecastEngine(candidates=FAST).fit(seasonal_series(length=60, seed=4))
    errors = {name: engine.inner_errors_[name] for name in engine.weights_}
    best = min(errors, key=errors.__getitem__)
    for name, weight in engine.weights_.items():
        assert weight > 0
        expected = (errors[best] / errors[name]) ** 2
        assert weight / engine.weights_[best] == pytest.approx(expected)


def _pooled_run(series: list[Series], *, pool_choice: bool = True) -> list[pl.DataFrame]:
    settings = EngineSettings(
        horizon=4,
        backtest_horizon=4,
        folds=3,
        candidates=FAST,
        engine=ForecastEngine(candidates=FAST),
        keep_prophet=False,
        pool_choice=pool_choice,
    )
    gathered = [gather_evidence(s, settings) for s in series]
    decisions = decide(gathered, settings)
    return [
        finish_series((s, d), settings).fold_scores.filter(pl.col("model") == "chosen").sort("fold")
        for s, d in zip(series, decisions, strict=True)
    ]


def test_a_pooled_choice_never_sees_any_series_test_window() -> None:
    """Corrupting one series' last test year changes no other forecast made before it."""
    seasonal = seasonal_series(length=44, seed=5, unique_id="a")
    walk = random_walk(length=44, seed=6, unique_id="b")
    corrupted_y = seasonal.y.copy()
    corrupted_y[-4:] = -1e6
    corrupted = Series("a", seasonal.ds, corrupted_y, seasonal.frequency)
    clean_a, clean_b = _pooled_run([seasonal, walk])
    dirty_a, dirty_b = _pooled_run([corrupted, walk])
    assert clean_b["mase"].to_list() == dirty_b["mase"].to_list()
    assert clean_b["coverage_80"].to_list() == dirty_b["coverage_80"].to_list()
    assert clean_a["mase"][:2].to_list() == dirty_a["mase"][:2].to_list()
    assert dirty_a["mase"][2] > 1000 * clean_a["mase"][2]


def test_series_sharing_an_origin_share_one_choice() -> None:
    series = [seasonal_series(length=44, seed=s, unique_id=f"s{s}") for s in range(3)]
    settings = EngineSettings(
        horizon=4, backtest_horizon=4, folds=2, candidates=FAST, keep_prophet=False
    )
    gathered = [gather_evidence(s, settings) for s in series]
    weights = [d.choice.weights for d in decide(gathered, settings)]
    assert weights[0] == weights[1] == weights[2]
    alone = decide(gathered, replace(settings, pool_choice=False))
    assert all("over 3 series" not in d.choice.reason for d in alone)


def test_series_without_a_common_candidate_choose_alone() -> None:
    """A pooled choice needs a candidate fitted on every series; without one, each chooses alone."""
    settings = EngineSettings(horizon=4, backtest_horizon=4, folds=2, candidates=FAST)
    series = [random_walk(length=40, seed=s, unique_id=f"w{s}") for s in range(2)]
    gathered = [gather_evidence(s, settings) for s in series]
    for item, keep in zip(gathered, ("naive", "drift"), strict=True):
        for origin in item.origins:
            assert origin.evidence is not None
            origin.evidence.forecasts = {keep: origin.evidence.forecasts[keep]}
    decisions = decide(gathered, settings)
    assert [d.choice.weights for d in decisions] == [{"naive": 1.0}, {"drift": 1.0}]
