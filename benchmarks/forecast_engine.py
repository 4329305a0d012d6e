"""Forecast engine against a plain loop of default Prophet fits, on the generated region's demand.

Generates the region as ``workforce generate`` does by default (its three labour-market
regions), builds its marts, and takes every demand series (region x sector x profession,
monthly). Both sides do the same job: a rolling-origin backtest (4 folds of 12 months) and a
36-month forecast of every series.

- engine: naive, seasonal naive, drift, damped ETS, Theta and Prophet per series, an inner
  backtest at every origin, one weighting per origin pooled over the series, calibrated intervals,
  fits shared between folds, the weighted models refitted on all data;
- plain: for each series in turn, default ``Prophet()`` fitted at each origin and on all data,
  predicting the future periods with its default intervals.

Per core: CPU seconds (this process and the CmdStan processes it waited for) of the plain loop
against the engine on one worker, in the same run, both in this process with one BLAS thread.
All cores: wall-clock seconds of the plain loop spread over ``--workers`` processes against the
engine on the same number of processes, so both sides use the same cores; on a shared machine
this ratio moves with the load, which is printed beside it.

    .venv/bin/python benchmarks/forecast_engine.py [--series N] [--workers W]
"""

from __future__ import annotations

import argparse
import logging
import os
import resource
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pandas as pd
import polars as pl
from threadpoolctl import threadpool_limits

from workforce.forecast.backtest import fold_cutoffs
from workforce.forecast.demand import demand_series
from workforce.forecast.engine_run import EngineSettings, run_engine
from workforce.forecast.frames import Frequency, Series, check_input, split_series

T = TypeVar("T")
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


def cpu_seconds() -> float:
    """CPU time of this process and of its finished child processes (CmdStan runs)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def plain_prophet(series: list[Series]) -> None:
    """The sequential default-Prophet backtest and forecast of every series."""
    from prophet import Prophet

    logging.getLogger("cmdstanpy").disabled = True
    for one in series:
        cutoffs = fold_cutoffs(len(one), horizon=BACKTEST_HORIZON, folds=FOLDS)
        for cutoff, horizon in [*((c, BACKTEST_HORIZON) for c in cutoffs), (len(one), HORIZON)]:
            model = Prophet()
            model.fit(pd.DataFrame({"ds": pd.to_datetime(one.ds[:cutoff]), "y": one.y[:cutoff]}))
            future = model.make_future_dataframe(horizon, freq="MS", include_history=False)
            model.predict(future)


def plain_prophet_parallel(series: list[Series], workers: int) -> None:
    """The plain loop with its series spread over ``workers`` processes (loky, as the engine)."""
    from joblib import Parallel, delayed

    chunks = [series[index::workers] for index in range(workers)]
    Parallel(n_jobs=workers, backend="loky")(delayed(plain_prophet)(chunk) for chunk in chunks)


def timed(work: Callable[..., T], *args: object, **kwargs: object) -> tuple[T, float, float]:
    """Result, CPU seconds and wall seconds of ``work(*args, **kwargs)``."""
    cpu, wall = cpu_seconds(), time.perf_counter()
    result = work(*args, **kwargs)
    return result, cpu_seconds() - cpu, time.perf_counter() - wall


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

    plain_prophet(series[:1])  # load Prophet and CmdStan once for both sides
    with threadpool_limits(limits=1):  # as the engine's per-series work
        _, plain_cpu, plain_wall = timed(plain_prophet, series)
    one, engine_cpu, one_wall = timed(run_engine, frame, frequency, settings, workers=1)
    _, _, plain_all_wall = timed(plain_prophet_parallel, series, args.workers)
    _, _, engine_wall = timed(run_engine, frame, frequency, settings, workers=args.workers)
    load = os.getloadavg()[0]
    print(f"plain default Prophet loop:    {plain_cpu:7.1f} CPU s, {plain_wall:7.1f} s wall")
    print(f"engine on one worker:          {engine_cpu:7.1f} CPU s, {one_wall:7.1f} s wall")
    print(f"plain loop on {args.workers} workers:        {plain_all_wall:16.1f} s wall")
    print(f"engine on {args.workers} workers:            {engine_wall:16.1f} s wall")
    print(f"per core (CPU s, plain / engine on one worker): {plain_cpu / engine_cpu:5.2f}x")
    print(
        f"all cores (wall, plain loop / engine, both on {args.workers} workers): "
        f"{plain_all_wall / engine_wall:5.2f}x (load average {load:.1f})"
    )
    averages = one.averages.filter(pl.col("model").is_in(["chosen", "prophet", "naive"]))
    for row in averages.iter_rows(named=True):
        print(
            f"  backtest {row['model']:>8}: MASE {row['mase']:.3f}, "
            f"coverage 80 % {row['coverage_80']:.0%}, 95 % {row['coverage_95']:.0%}"
        )
    saved = sum(result.prophet_json is not None for result in one.results)
    print(f"Prophet refitted on all data and saved for {saved} of {len(series)} series")
    if one.failures:
        print(f"{len(one.failures)} problem(s), e.g. {one.failures[0]}")


if __name__ == "__main__":
    main()
