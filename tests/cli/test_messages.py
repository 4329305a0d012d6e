"""Command-line errors are one line each, whatever the terminal width or the path length."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

ROOT = Path(__file__).parents[2]


@pytest.fixture
def deep(tmp_path: Path) -> Path:
    """A folder whose path is far longer than a narrow terminal is wide."""
    folder = tmp_path.joinpath(*["a-rather-long-folder-name-for-wrapping"] * 4)
    folder.mkdir(parents=True)
    return folder


def _run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """``workforce ARGS`` with its output piped (not a terminal) and 40 columns."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "40", "TERM": "dumb"}
    return subprocess.run(
        [sys.executable, "-m", "workforce.cli", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def _line_with(output: str, words: str) -> str:
    lines = [line for line in output.splitlines() if words in line]
    assert len(lines) == 1, output
    return lines[0]


def test_backtest_error_is_one_line(deep: Path) -> None:
    series = deep / "series.csv"
    series.write_text("unique_id,ds,y\na,2024-01-01,1\na,2024-04-01,2\n", encoding="utf-8")
    result = _run("backtest", "--input", series, "--out", deep / "out")
    assert result.returncode == 2
    line = _line_with(result.stdout, "too short")
    assert line.startswith(f"{series}: series too short for this backtest")
    assert "need at least" in line
    assert "Traceback" not in result.stdout + result.stderr


def test_build_without_loaded_files_is_one_line(deep: Path) -> None:
    result = _run("build", "--data-dir", deep)
    assert result.returncode == 2
    line = _line_with(result.stdout, "no staff files loaded")
    assert f"{deep / 'staging'}; run `workforce ingest PATH...` first" in line


@pytest.mark.slow
def test_a_stale_mart_stops_forecast_with_file_and_column(deep: Path) -> None:
    marts = deep / "marts"
    marts.mkdir()
    pl.DataFrame({"month": ["2024-01-01"], "region_code": ["AM13"]}).write_parquet(
        marts / "demand.parquet"
    )
    for name in ("spells", "education_pipeline"):
        pl.DataFrame({"x": [1]}).write_parquet(marts / f"{name}.parquet")
    result = _run("forecast", "--data-dir", deep)
    assert result.returncode == 2
    line = _line_with(result.stdout, "demand.parquet")
    assert line == (
        f"{marts / 'demand.parquet'}: column month holds String, expected a date "
        "(the mart demand contract)"
    )
    assert "Traceback" not in result.stdout + result.stderr


def test_missing_inputs_are_named_in_full(deep: Path) -> None:
    absent = deep / "no-such-extract_2025-12-31.csv"
    result = _run("ingest", absent, "--data-dir", deep / "data")
    assert result.returncode == 2
    assert _line_with(result.stdout, "Not found") == f"Not found: {absent}"


def test_a_choice_outside_its_list_is_one_line_naming_the_choices(deep: Path) -> None:
    result = _run("forecast", "--data-dir", deep, "--executor", "spark")
    assert result.returncode == 2
    line = _line_with(result.stderr, "--executor")
    assert line.startswith("Error: Invalid value for '--executor'")
    assert "'spark' is not one of 'local', 'dask'" in line
