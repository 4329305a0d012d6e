"""Loaders: missing files give empty states, the latest registry run is found."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from tests.support.demo import DemoData
from workforce.dashboards.data import (
    MODELS_ENV,
    NO_RUN,
    forecast_run_id,
    latest_run,
    load_names,
    read_forecast,
    read_mart,
)


def test_missing_files_read_as_none(tmp_path: Path) -> None:
    assert read_mart(tmp_path, "demand") is None
    assert read_forecast(tmp_path, "shortage") is None
    (tmp_path / "forecasts").mkdir()
    (tmp_path / "forecasts" / "supply.parquet").write_text("not parquet")
    assert read_forecast(tmp_path, "supply") is None


def test_no_models_folder_is_no_run(tmp_path: Path) -> None:
    assert latest_run(tmp_path / "models") is NO_RUN
    assert NO_RUN.is_empty
    assert NO_RUN.metrics.is_empty()


def test_latest_run_is_the_newest_folder(tmp_path: Path) -> None:
    for run_id, mase in (("20250101T000000Z", 0.9), ("20260101T000000Z", 0.5)):
        folder = tmp_path / run_id
        folder.mkdir()
        (folder / "run.json").write_text(json.dumps({"run_id": run_id}))
        pl.DataFrame({"unique_id": ["a"], "model": ["chosen"], "mase": [mase]}).write_csv(
            folder / "metrics.csv"
        )
    (tmp_path / "notes").mkdir()
    run = latest_run(tmp_path)
    assert run.run_id == "20260101T000000Z"
    assert run.metrics["mase"].to_list() == [0.5]
    assert run.choices.is_empty()


def test_the_source_line_finds_the_run_where_make_run_keeps_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`make run` keeps the models in the project's models/, not beside the data: the pages'
    source lines must still name the forecast run (it was missing from all three)."""
    data_dir, models = tmp_path / "data", tmp_path / "models"
    (data_dir / "forecasts").mkdir(parents=True)
    monkeypatch.setenv(MODELS_ENV, str(models))
    assert forecast_run_id(data_dir) == ""
    for run_id in ("20250101T000000Z", "20260101T000000Z"):
        (models / run_id).mkdir(parents=True)
        (models / run_id / "run.json").write_text(json.dumps({"run_id": run_id}))
    assert forecast_run_id(data_dir) == "", "no forecast in this data: no run made its numbers"
    pl.DataFrame({"shortage": [1.0]}).write_parquet(data_dir / "forecasts" / "shortage.parquet")
    assert forecast_run_id(data_dir) == "20260101T000000Z"
    beside = data_dir / "models" / "20240101T000000Z"
    beside.mkdir(parents=True)
    (beside / "run.json").write_text(json.dumps({"run_id": "20240101T000000Z"}))
    assert forecast_run_id(data_dir) == "20240101T000000Z", "the data's own models come first"
    (beside / "run.json").write_text("{not json")
    assert forecast_run_id(data_dir) == "", "an unreadable run is named by no one"


def test_reads_what_the_forecast_writes(dashboard_data: DemoData) -> None:
    forecasts = read_forecast(dashboard_data.data_dir, "demand")
    assert forecasts is not None
    run = latest_run(dashboard_data.models_dir)
    assert run.folder == dashboard_data.run_dir
    assert set(run.metrics["unique_id"]) == set(forecasts["unique_id"])
    assert set(run.choices["unique_id"]) == set(forecasts["unique_id"])


def test_names_come_from_the_reference() -> None:
    names = load_names()
    assert names.get("elderly_home_care") == "Verpleging, verzorging en thuiszorg (VVT)"
    assert names.get("certified_carer", "en").startswith("Certified")
    assert names.get("AM13") == "Midden-Utrecht"
    assert names.get("no_such_code") == "no_such_code"
