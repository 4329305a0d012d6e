"""Forecast engine against a plain loop of default Prophet fits, on the generated region's demand.

Generates the Midden-Utrecht region, builds its marts, and takes every demand series
(region x sector x profession, monthly). Both sides do the same job: a rolling-origin backtest
(4 folds of 12 months) and a 36-month forecast of every series.

- engine: baselines + Prophet per series, inner-backtest choice, calibrated intervals, fits shared
  between origins, in parallel processes;
- plain: for each series in turn, default ``Prophet()`` fitted at each origin and on all data,
  predicting the future periods with its default intervals.

    .venv/bin/python benchmarks/forecast_engine.py [--series N] [--workers W]
"""

from __future__ import annotations

import argparse
import logging
import os
import tempfile
import time
from pathlib import Path

import pandas as pd
import polars as pl

from workforce.forecast.backtest import fold_cutoffs
from workforce.forecast.demand import demand_series
from workforce.forecast.frames import Frequency, Series, check_input, split_series
from workforce.forecast.pipeline import EngineSettings
from workforce.forecast.run import run_engine

HORIZON = 36
BACKTEST_HORIZON = 12
FOLDS = 4


def build_demand(folder: Path) -> Path:
    """Generate the region, ingest it and build the marts; return the demand mart."""
    from typer.testing import CliRunner

    from workforce.cli import app

    runner = CliRunner()
    for args in (
        ["generate", "--out", str(folder / "raw")],
        ["ingest", str(folder / "raw"), "--data-dir", str(folder)],
        ["build", "--data-dir", str(folder)],
    ):
        result = runner.invoke(app, args)
        if result.exit_code != 0:
            raise SystemExit(f"workforce {args[0]} failed:\n{result.output}")
    return folder / "marts" / "demand.parquet"


def plain_prophet(series: list[Series]) -> float:
    """Seconds for the sequential default-Prophet backtest and forecast of every series."""
    from prophet import Prophet

    logging.getLogger("cmdstanpy").disabled = True
    started = time.perf_counter()
    for one in series:
        cutoffs = fold_cutoffs(len(one), horizon=BACKTEST_HORIZON, folds=FOLDS)
        for cutoff, horizon in [*((c, BACKTEST_HORIZON) for c in cutoffs), (len(one), HORIZON)]:
            model = Prophet()
            model.fit(pd.DataFrame({"ds": pd.to_datetime(one.ds[:cutoff]), "y": one.y[:cutoff]}))
            future = model.make_future_dataframe(horizon, freq="MS", include_history=False)
            model.predict(future)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--series", type=int, default=0, help="Use only the first N series.")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        demand = pl.read_parquet(build_demand(Path(tmp)))
    frame, frequency = check_input(demand_series(demand), frequency=Frequency.month)
    if args.series:
        keep = frame["unique_id"].unique(maintain_order=True).head(args.series)
        frame = frame.filter(pl.col("unique_id").is_in(keep.to_list()))
    series = list(split_series(frame, frequency))
    print(f"{len(series)} demand series, {len(series[0])} months each; {args.workers} workers")

    settings = EngineSettings(horizon=HORIZON, backtest_horizon=BACKTEST_HORIZON, folds=FOLDS)
    started = time.perf_counter()
    output = run_engine(frame, frequency, settings, workers=args.workers)
    engine_seconds = time.perf_counter() - started
    averages = output.averages.filter(pl.col("model").is_in(["chosen", "prophet", "naive"]))

    plain_seconds = plain_prophet(series)
    print(f"engine (backtest + forecast, parallel): {engine_seconds:7.1f} s")
    print(f"plain default Prophet loop:            {plain_seconds:7.1f} s")
    print(f"ratio plain / engine:                  {plain_seconds / engine_seconds:7.2f}x")
    for row in averages.iter_rows(named=True):
        print(
            f"  backtest {row['model']:>8}: MASE {row['mase']:.3f}, "
            f"coverage 80 % {row['coverage_80']:.0%}, 95 % {row['coverage_95']:.0%}"
        )
    if output.failures:
        print(f"{len(output.failures)} problem(s), e.g. {output.failures[0]}")


if __name__ == "__main__":
    main()
