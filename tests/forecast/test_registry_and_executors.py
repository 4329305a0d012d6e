"""Runs: saved models load again, Dask and local processes agree, commands write their files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal
from typer.testing import CliRunner

from tests.forecast.conftest import long_frame, random_walk, seasonal_series
from workforce.cli import app
from workforce.forecast.baselines import Drift, Naive, Theta
from workforce.forecast.engine import ForecastEngine
from workforce.forecast.executor import ExecutorKind
from workforce.forecast.frames import Frequency, check_input
from workforce.forecast.pipeline import EngineSettings
from workforce.forecast.prophet import ProphetForecaster
from workforce.forecast.registry import load_prophet, save_run
from workforce.forecast.run import RunOutput, run_engine

SETTINGS = EngineSettings(
    horizon=4,
    backtest_horizon=4,
    folds=2,
    candidates=(Naive(), Drift(), Theta(), ProphetForecaster(uncertainty_samples=0)),
    engine=ForecastEngine(inner_folds=3),
)


@pytest.fixture(scope="module")
def frame() -> pl.DataFrame:
    return long_frame(
        seasonal_series(length=40, unique_id="a"), random_walk(length=40, unique_id="b")
    )


@pytest.fixture(scope="module")
def local_run(frame: pl.DataFrame) -> RunOutput:
    return run_engine(frame, Frequency.quarter, SETTINGS, workers=2)


def test_run_forecasts_every_series_with_the_chosen_model(local_run: RunOutput) -> None:
    forecasts = local_run.forecasts
    assert sorted(forecasts["unique_id"].unique()) == ["a", "b"]
    assert forecasts["model"].unique().to_list() == ["chosen"]
    assert "chosen" in local_run.metrics["model"].to_list()


def test_saved_prophet_models_load_and_forecast_the_same(
    local_run: RunOutput, frame: pl.DataFrame, tmp_path: Path
) -> None:
    folder = save_run(local_run, models_dir=tmp_path, input_frame=frame, settings={}, run_id="r1")
    assert (folder / "MODEL_CARD.md").read_text().count("| chosen |") == 1
    assert not list(folder.rglob("*.pkl"))
    series = next(r for r in local_run.results if r.unique_id == "a")
    assert series.prophet_json is not None
    original = ProphetForecaster.from_json(series.prophet_json).predict(6).mean
    reloaded = load_prophet(folder, "a").predict(6).mean
    np.testing.assert_allclose(reloaded, original)
    refit = ProphetForecaster(uncertainty_samples=0).fit(seasonal_series(length=40, unique_id="a"))
    np.testing.assert_allclose(reloaded, refit.predict(6).mean, rtol=1e-6)


def test_dask_gives_the_same_result_as_local_processes(
    local_run: RunOutput, frame: pl.DataFrame
) -> None:
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, processes=True, dashboard_address=None) as cluster:
        dask_run = run_engine(
            frame,
            Frequency.quarter,
            SETTINGS,
            executor=ExecutorKind.dask,
            scheduler=cluster.scheduler_address,
        )
    assert_frame_equal(dask_run.forecasts, local_run.forecasts)
    assert_frame_equal(dask_run.metrics, local_run.metrics)


def test_backtest_command_writes_metrics_with_chosen_rows(
    frame: pl.DataFrame, tmp_path: Path
) -> None:
    source = tmp_path / "series.csv"
    frame.write_csv(source)
    result = CliRunner().invoke(
        app,
        [
            "backtest",
            "--input",
            str(source),
            "--horizon",
            "4",
            "--folds",
            "2",
            "--out",
            str(tmp_path / "out"),
            "--workers",
            "1",
        ],
    )
    assert result.exit_code == 0, result.output
    metrics = pl.read_csv(tmp_path / "out" / "metrics.csv")
    assert {"unique_id", "model", "mase", "smape", "coverage_80", "coverage_95"} <= set(
        metrics.columns
    )
    chosen = metrics.filter(pl.col("model") == "chosen")
    assert sorted(chosen["unique_id"].to_list()) == ["a", "b"]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("unique_id,ds\na,2024-01-01\n", "'y'"),
        ("unique_id,ds,y\na,not a date,1\n", "'ds'"),
        ("unique_id,ds,y\na,2024-01-01,1\na,2024-04-01,2\n", "too short"),
    ],
)
def test_backtest_command_explains_bad_input(content: str, expected: str, tmp_path: Path) -> None:
    source = tmp_path / "bad.csv"
    source.write_text(content)
    result = CliRunner().invoke(
        app, ["backtest", "--input", str(source), "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 2
    assert "bad.csv" in result.output
    assert expected in result.output
    assert "Traceback" not in result.output


def test_forecast_input_frame_round_trips(frame: pl.DataFrame) -> None:
    checked, frequency = check_input(frame)
    assert frequency is Frequency.quarter
    assert checked.height == frame.height
