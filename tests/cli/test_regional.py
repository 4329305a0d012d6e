"""``workforce regional``: outputs for the dashboards, every employer table disclosed."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from workforce.cli import app
from workforce.privacy import SUPPRESSED, TOTAL

runner = CliRunner()

EMPLOYER_FILES = (
    "benchmarks",
    "employer_flows",
    "employer_net_flows",
    "pooled_vacancies",
    "sector_flows",
)


@pytest.fixture(scope="module")
def written(region_data: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A data folder sharing the region's marts, after ``workforce regional --k 12``."""
    data_dir = tmp_path_factory.mktemp("regional")
    (data_dir / "marts").symlink_to((region_data / "marts").resolve())
    result = runner.invoke(app, ["regional", "--data-dir", str(data_dir), "--k", "12"])
    assert result.exit_code == 0, result.output
    return data_dir / "regional", result.output


def test_writes_every_output_with_a_manifest(written: tuple[Path, str]) -> None:
    folder, output = written

    manifest = json.loads((folder / "regional.json").read_text(encoding="utf-8"))

    assert manifest["k"] == 12
    for name, info in manifest["files"].items():
        assert pl.read_parquet(folder / f"{name}.parquet").height == info["rows"]
    assert {"kpis", "retention", "retirement_wave", "flex_pool", *EMPLOYER_FILES} <= set(
        manifest["files"]
    )
    assert not list(folder.glob(".*partial"))
    assert "Region as one employer, 2025-12" in output
    assert f"{manifest['headline']['headcount']:,} staff" in output


def test_stores_the_regions_comparison_at_its_threshold(written: tuple[Path, str]) -> None:
    from workforce.regional.stored_comparison import comparison_key, read_comparison

    folder, output = written
    data_dir = folder.parent
    assert f"the regions page's comparison to {folder / 'comparison'}" in output
    assert read_comparison(data_dir, comparison_key(data_dir, ["AM13"], k=12)) is not None
    assert read_comparison(data_dir, comparison_key(data_dir, ["AM13"])) is None, "k = 10"


@pytest.mark.parametrize("name", EMPLOYER_FILES)
def test_employer_files_show_no_cell_below_k(written: tuple[Path, str], name: str) -> None:
    folder, _ = written
    table = pl.read_parquet(folder / f"{name}.parquet")
    count = {"benchmarks": "people", "pooled_vacancies": "headcount"}.get(name, "moves")

    assert table[SUPPRESSED].any()
    assert (table.filter(~pl.col(SUPPRESSED))[count] >= 12).all()
    assert table.filter(pl.col(SUPPRESSED))[count].is_null().all()


def test_headline_figures_match_the_kpi_file(written: tuple[Path, str]) -> None:
    folder, _ = written
    manifest = json.loads((folder / "regional.json").read_text(encoding="utf-8"))
    kpis = pl.read_parquet(folder / "kpis.parquet").filter(
        (pl.col("period_type") == "month")
        & (pl.col("sector_code") == TOTAL)
        & (pl.col("profession_code") == TOTAL)
    )
    last = kpis.sort("period").tail(1).row(0, named=True)
    assert manifest["headline"]["headcount"] == last["headcount"]
    assert manifest["headline"]["open"] == last["open"]
    assert 0 < manifest["headline"]["retention_12"] < 1


def test_missing_marts_exit_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["regional", "--data-dir", str(tmp_path)])

    assert result.exit_code == 2
    assert "workforce build" in result.output
    assert "Traceback" not in result.output
