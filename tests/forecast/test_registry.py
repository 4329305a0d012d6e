"""The registry: Prophet as JSON that loads and forecasts the same, a model card, the data hash."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl

from tests.forecast.conftest import seasonal_series
from workforce.forecast.engine_run import RunOutput
from workforce.forecast.prophet import ProphetForecaster
from workforce.forecast.registry import data_hash, load_prophet, save_run


def test_saved_prophet_models_load_and_forecast_the_same(
    small_run: RunOutput, small_frame: pl.DataFrame, tmp_path: Path
) -> None:
    folder = save_run(small_run, models_dir=tmp_path, input_frame=small_frame, settings={})
    assert not list(folder.rglob("*.pkl"))
    saved = next(r for r in small_run.results if r.unique_id == "a").prophet_json
    assert saved is not None
    reloaded = load_prophet(folder, "a").predict(6)
    refit = ProphetForecaster(uncertainty_samples=0).fit(seasonal_series(length=40, unique_id="a"))
    np.testing.assert_allclose(reloaded.mean, refit.predict(6).mean, rtol=1e-9)
    np.testing.assert_allclose(reloaded.upper[95], refit.predict(6).upper[95], rtol=1e-9)


def test_run_folder_documents_the_run(
    small_run: RunOutput, small_frame: pl.DataFrame, tmp_path: Path
) -> None:
    folder = save_run(
        small_run, models_dir=tmp_path, input_frame=small_frame, settings={"horizon": 4}
    )
    manifest = json.loads((folder / "run.json").read_text())
    assert manifest["data_hash"] == data_hash(small_frame)
    assert manifest["code_version"].startswith("0.1.0")
    assert set(manifest["weights"]) == {"a", "b"}
    card = (folder / "MODEL_CARD.md").read_text()
    first_cells = [line.split("|")[1].strip() for line in card.splitlines() if line[:1] == "|"]
    assert "chosen" in first_cells
    assert manifest["data_hash"] in card
    calibration = pl.read_csv(folder / "calibration.csv")
    assert set(calibration["level"]) == {80, 95}


def test_data_hash_changes_with_any_value(small_frame: pl.DataFrame) -> None:
    changed = small_frame.with_columns(
        y=pl.when(pl.int_range(pl.len()) == 7).then(pl.col("y") + 0.001).otherwise(pl.col("y"))
    )
    assert data_hash(changed) != data_hash(small_frame)
    assert data_hash(small_frame.reverse()) == data_hash(small_frame)
