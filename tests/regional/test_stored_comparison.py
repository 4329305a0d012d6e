"""The stored comparison of the regions: equal to a fresh one, and never used once stale."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from workforce.regional import load_marts
from workforce.regional.stored_comparison import (
    FRAMES,
    comparison_key,
    compute_comparison,
    marts_regions,
    read_comparison,
    write_comparison,
)
from workforce.store import Store


@pytest.fixture
def data_dir(area_data: Path, tmp_path: Path) -> Path:
    """A data folder of its own with the three regions' marts (no forecast yet)."""
    shutil.copytree(area_data / "marts", tmp_path / "marts")
    return tmp_path


def _key(data_dir: Path, **changes: object) -> dict[str, object]:
    regions = marts_regions(load_marts(data_dir))
    return comparison_key(data_dir, regions, **changes)  # type: ignore[arg-type]


def test_the_stored_comparison_is_the_comparison_afresh(data_dir: Path) -> None:
    write_comparison(data_dir)
    stored = read_comparison(data_dir, _key(data_dir))
    assert stored is not None
    marts = load_marts(data_dir)
    fresh = compute_comparison(data_dir, marts, marts_regions(marts))
    assert stored.month == fresh.month
    for name in FRAMES:
        assert_frame_equal(getattr(stored, name), getattr(fresh, name))
    assert stored.table["region_code"].to_list() == ["AM13", "AM14", "AM12", "area"]


def test_a_new_build_forecast_or_threshold_makes_it_stale(data_dir: Path) -> None:
    write_comparison(data_dir)
    assert read_comparison(data_dir, _key(data_dir)) is not None
    assert read_comparison(data_dir, _key(data_dir, k=15)) is None, "another threshold"

    store = Store(data_dir)
    store.forecasts.mkdir(parents=True, exist_ok=True)
    pl.DataFrame({"level": ["total"]}).write_parquet(store.forecast_path("shortage"))
    assert read_comparison(data_dir, _key(data_dir)) is None, "a forecast made since"
    write_comparison(data_dir)
    assert read_comparison(data_dir, _key(data_dir)) is not None

    described = json.loads((store.marts / "run.json").read_text(encoding="utf-8"))
    described["run_id"] = "a later build"
    (store.marts / "run.json").write_text(json.dumps(described), encoding="utf-8")
    assert read_comparison(data_dir, _key(data_dir)) is None, "marts built since"


def test_a_damaged_stored_comparison_is_computed_afresh(data_dir: Path) -> None:
    folder = write_comparison(data_dir)
    (folder / "tension.parquet").write_bytes(b"not parquet")
    assert read_comparison(data_dir, _key(data_dir)) is None
    assert read_comparison(data_dir / "elsewhere", _key(data_dir)) is None, "none stored"
