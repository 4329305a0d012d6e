"""``workforce report accuracy``: the report on real series, with progress a log can show."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
from typer.testing import CliRunner

from workforce.cli import app
from workforce.evaluation.accuracy import SETS_STAGE

runner = CliRunner()


def test_accuracy_on_one_set_writes_its_report_and_tells_a_log_how_far_it_is(
    tmp_path: Path,
) -> None:
    out, series = tmp_path / "accuracy.md", tmp_path / "series"
    args = ["report", "accuracy", "--set", "public_monthly", "--workers", "1"]
    result = runner.invoke(app, [*args, "--out", str(out), "--series-dir", str(series)])
    assert result.exit_code == 0, result.output
    # Output that is not a terminal (a log) gets a line as each set starts and ends.
    for done in (0, 1):
        assert re.search(rf"^{SETS_STAGE}: {done} of 1 \(\d+ s\)$", result.output, re.M)
    report = out.read_text(encoding="utf-8")
    assert "### Public monthly series" in report
    metrics = pl.read_csv(series / "metrics.csv")
    assert {"chosen", "naive", "prophet"} <= set(metrics["model"])
