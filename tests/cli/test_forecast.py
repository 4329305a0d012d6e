"""The ``backtest`` and ``forecast`` commands."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from workforce.cli import app
from workforce.forecast.prophet import ProphetForecaster
from workforce.forecast.structural import DEMOGRAPHY_INDEX
from workforce.outlook.region_forecast import LEAVING_STAGE, OUTLOOK_STAGE

runner = CliRunner()


def test_backtest_writes_metrics_with_chosen_rows(
    small_frame: pl.DataFrame, tmp_path: Path
) -> None:
    source = tmp_path / "series.csv"
    small_frame.write_csv(source)
    result = runner.invoke(
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
    assert set(metrics["model"]) >= {"naive", "seasonal_naive", "drift", "damped_ets", "theta"}


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("unique_id,ds\na,2024-01-01\n", "'y'"),
        ("unique_id,ds,y\na,not a date,1\n", "'ds'"),
        ("unique_id,ds,y\na,2024-01-01,1\na,2024-04-01,2\n", "too short"),
    ],
)
def test_backtest_explains_bad_input(content: str, expected: str, tmp_path: Path) -> None:
    source = tmp_path / "bad.csv"
    source.write_text(content)
    result = runner.invoke(app, ["backtest", "--input", str(source), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "bad.csv" in result.output
    assert expected in result.output
    assert "Traceback" not in result.output


@pytest.fixture(scope="module")
def demand_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generated region's marts (Midden-Utrecht alone), cut to three series to keep the
    test short."""
    folder = tmp_path_factory.mktemp("region")
    for args in (
        ["generate", "--out", str(folder / "raw"), "--regions", "AM13"],
        ["ingest", str(folder / "raw"), "--data-dir", str(folder)],
        ["build", "--data-dir", str(folder)],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
    mart = folder / "marts" / "demand.parquet"
    demand = pl.read_parquet(mart)
    keep = (
        demand.select("region_code", "sector_code", "profession_code")
        .unique()
        .sort(pl.all())
        .head(3)
    )
    small = folder / "small"
    (small / "marts").mkdir(parents=True)
    keys = ["region_code", "sector_code", "profession_code"]
    demand.join(keep, on=keys).write_parquet(small / "marts" / "demand.parquet")
    spells = pl.read_parquet(folder / "marts" / "spells.parquet")
    spells.join(keep, on=keys).write_parquet(small / "marts" / "spells.parquet")
    shutil.copy(folder / "marts" / "education_pipeline.parquet", small / "marts")
    shutil.copy(folder / "marts" / "population.parquet", small / "marts")
    return small


def test_forecast_writes_forecasts_and_a_registry_run(demand_dir: Path, tmp_path: Path) -> None:
    models = tmp_path / "models"
    result = runner.invoke(
        app,
        [
            "forecast",
            "--data-dir",
            str(demand_dir),
            "--models-dir",
            str(models),
            "--horizon",
            "24",
            "--workers",
            "1",
        ],
    )
    assert result.exit_code == 0, result.output
    forecasts = pl.read_parquet(demand_dir / "forecasts" / "demand.parquet")
    bottom = forecasts.filter(pl.col("level") == "region_code/sector_code/profession_code")
    assert bottom["unique_id"].n_unique() == 3
    # Every node of the hierarchy (region, sector, professions, bottom) is forecast 24 months.
    nodes = forecasts["unique_id"].n_unique()
    assert nodes > 3
    assert forecasts.group_by("unique_id").len()["len"].to_list() == [24] * nodes
    assert {"region_code", "sector_code", "profession_code", "yhat_lo_95"} <= set(forecasts.columns)
    assert forecasts["ds"].min().isoformat() == "2026-01-01"
    assert (forecasts["yhat_lo_95"] <= forecasts["yhat"]).all()
    shortage = pl.read_parquet(demand_dir / "forecasts" / "shortage.parquet")
    assert shortage["node_id"].n_unique() == nodes
    assert "| AM13 |" in result.output  # the region's shortage per year
    assert "demand growth: demography" in result.output
    # Output that is not a terminal (CliRunner's, a log) gets a line per stage as it ends.
    for stage in (OUTLOOK_STAGE, LEAVING_STAGE):
        assert re.search(rf"^{re.escape(stage)}: 1 of 1 \(\d+ s\)$", result.output, re.M)
    (run,) = models.iterdir()
    assert (run / "MODEL_CARD.md").exists()
    assert (run / "leaving_evaluation.json").exists()
    # A Prophet model is saved for every series where Prophet carries weight, and only there.
    choices = pl.read_csv(run / "choices.csv")
    weighted = choices.filter(pl.col("weights").str.contains(r"(^|, )prophet\b")).height
    saved_models = list((run / "prophet").glob("*.json"))
    assert len(saved_models) == weighted
    # Prophet takes the demographic demand index as a regressor; its saved models keep it.
    for path in saved_models:
        saved = ProphetForecaster.from_json(path.read_text())
        assert saved.regressors == (DEMOGRAPHY_INDEX,)
    assert "## Demand from demography" in (run / "MODEL_CARD.md").read_text()
    # The training page's default intake advice is stored beside the outlook it comes from.
    from workforce.dashboards.training_alignment_data import AdviceSource

    source = AdviceSource.from_data_dir(demand_dir)
    assert source is not None
    assert source.stored_default
    # The regions page's comparison needs the staff marts, which this folder lacks: said, not
    # a failure (tests/cli/test_regional.py and tests/regional cover the stored comparison).
    assert "no comparison of the regions stored (marts not found" in result.output
    assert "regions comparison" in result.output


def test_forecast_without_marts_says_what_to_do(tmp_path: Path) -> None:
    result = runner.invoke(app, ["forecast", "--data-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "workforce build" in result.output
