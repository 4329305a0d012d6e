"""``workforce forecast`` (the region's demand, supply and shortage) and ``workforce backtest``."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from workforce.cli.options import DataDir, Executor
from workforce.cli.support import console, fail, progress_bars, warn, writes_data
from workforce.store import Store, StoreError

if TYPE_CHECKING:
    import polars as pl

WORKERS_DEFAULT = os.cpu_count() or 1


def register(app: typer.Typer) -> None:
    """Add ``forecast`` and ``backtest`` to ``app``."""
    app.command()(forecast)
    app.command()(backtest)


def backtest(
    input: Annotated[Path, typer.Option(help="Long Parquet or CSV file: unique_id, ds, y.")],
    horizon: Annotated[int, typer.Option(min=1, help="Periods ahead per fold.")] = 4,
    folds: Annotated[int, typer.Option(min=1, help="Rolling origins.")] = 4,
    out: Annotated[Path, typer.Option(help="Folder for metrics.csv.")] = Path("backtest"),
    workers: Annotated[int, typer.Option(min=1, help="Parallel processes.")] = WORKERS_DEFAULT,
) -> None:
    """Backtest the engine and every baseline by rolling origin; write DIR/metrics.csv."""
    from workforce.csv_safety import write_csv
    from workforce.forecast.engine_run import EngineSettings, run_engine
    from workforce.forecast.frames import InputError, read_long_file
    from workforce.forecast.registry import markdown_table

    started = time.perf_counter()
    try:
        frame, frequency = read_long_file(input, min_length=horizon * folds + 8)
    except InputError as error:
        raise fail(str(error)) from None
    settings = EngineSettings(
        horizon=horizon, backtest_horizon=horizon, folds=folds, keep_prophet=False
    )
    with progress_bars() as progress:
        output = run_engine(frame, frequency, settings, workers=workers, progress=progress)
    out.mkdir(parents=True, exist_ok=True)
    metrics = output.metrics
    write_csv(metrics, out / "metrics.csv")
    write_csv(output.choices, out / "choices.csv")
    for message in output.failures:
        warn(message)
    console.print(
        markdown_table(
            output.averages.select("model", "series", "mase", "smape", "coverage_80", "coverage_95")
        )
    )
    seconds = time.perf_counter() - started
    console.print(
        f"{metrics['unique_id'].n_unique()} series, {folds} folds of {horizon}: "
        f"{out / 'metrics.csv'} in {seconds:.1f} s."
    )


@writes_data("forecast")
def forecast(
    data_dir: DataDir,
    models_dir: Annotated[Path, typer.Option(help="Registry folder for this run.")] = Path(
        "models"
    ),
    horizon: Annotated[int, typer.Option(min=12, help="Months ahead (10 years: 120).")] = 120,
    backtest_horizon: Annotated[int, typer.Option(min=1, help="Months per backtest fold.")] = 12,
    folds: Annotated[int, typer.Option(min=1, help="Backtest folds.")] = 4,
    paths: Annotated[int, typer.Option(min=50, help="Simulated paths for intervals.")] = 500,
    executor: Annotated[Executor, typer.Option(help="local (processes) or dask.")] = Executor.local,
    scheduler: Annotated[
        str | None, typer.Option(help="Dask scheduler address, e.g. tcp://host:8786.")
    ] = None,
    workers: Annotated[int, typer.Option(min=1, help="Local processes.")] = WORKERS_DEFAULT,
) -> None:
    """Forecast demand, supply and shortage for every region x sector x profession.

    Demand per node of the hierarchy with backtests; supply by stock-flow projection;
    shortage with 80 % and 95 % intervals from joint simulation; marts in <data>/forecasts.
    """
    import polars as pl

    from workforce.alignment.stored import write_default_advice
    from workforce.forecast.engine_run import EngineSettings
    from workforce.forecast.executor import ExecutorKind
    from workforce.forecast.frames import InputError
    from workforce.outlook.region_forecast import forecast_region, outlook_summary
    from workforce.regional.data import MissingMartsError
    from workforce.regional.stored_comparison import write_comparison

    started = time.perf_counter()
    if executor is Executor.dask and not scheduler:
        raise fail("--executor dask needs --scheduler ADDRESS")
    store = Store(data_dir)
    for name in ("demand", "spells", "education_pipeline"):
        source = store.mart_path(name)
        if not source.exists():
            raise fail(f"{source}: not found; run `workforce build` first")
    settings = EngineSettings(horizon=horizon, backtest_horizon=backtest_horizon, folds=folds)
    try:
        with progress_bars() as progress:
            run = forecast_region(
                data_dir,
                settings,
                models_dir=models_dir,
                executor=ExecutorKind(executor.value),
                workers=workers,
                scheduler=scheduler,
                paths=paths,
                progress=progress,
            )
    except StoreError as error:
        raise fail(str(error)) from None
    except (InputError, ValueError) as error:
        raise fail(f"{store.marts}: {error}") from None
    advice_started = time.perf_counter()
    try:
        write_default_advice(data_dir, run.outlook)
    except ValueError as error:  # an outlook too short for any cohort to graduate
        warn(f"{store.alignment}: no default intake advice stored ({error})")
    run.seconds["intake advice"] = time.perf_counter() - advice_started
    comparison_started = time.perf_counter()
    try:
        write_comparison(data_dir)
    except MissingMartsError as error:  # marts built before the regional ones
        warn(f"{store.regional}: no comparison of the regions stored ({error})")
    run.seconds["regions comparison"] = time.perf_counter() - comparison_started
    for message in run.engine.failures:
        warn(message)
    averages = run.engine.averages.filter(pl.col("model").is_in(["chosen", "naive"]))
    accuracy = ", ".join(
        f"{row['model']} MASE {row['mase']:.3f}" for row in averages.iter_rows(named=True)
    )
    summary = outlook_summary(run.marts["shortage"], run.marts["decomposition"])
    console.print(markdown_summary(summary))
    stages = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in run.seconds.items())
    calibration = run.outlook.calibration
    console.print(
        f"Shortage intervals calibrated on past origins up to {calibration.learned_until:%Y-%m}."
        if calibration
        else "Shortage intervals uncalibrated: run `workforce report outlook-backtest` to "
        "calibrate them on past origins.",
        soft_wrap=True,
    )
    console.print(
        f"{run.engine.metrics['unique_id'].n_unique()} demand series ({accuracy}); "
        f"origin {run.outlook.origin:%Y-%m}, {horizon} months, {paths} paths; "
        f"marts in {store.forecasts}; registry {run.run_folder}; "
        f"{stages}; total {time.perf_counter() - started:.1f} s."
    )


def markdown_summary(summary: pl.DataFrame) -> str:
    """The region's shortage per year as a Markdown table (FTE, 80 % interval, share)."""
    split = "demand_demography_fte" in summary.columns
    header = "| region | year | demand FTE | supply FTE | shortage FTE | 80 % interval | share |"
    rule = "|---|---|---:|---:|---:|---|---:|"
    if split:
        header += " demand growth: demography | other |"
        rule += "---:|---:|"
    lines = [header, rule]
    for row in summary.iter_rows(named=True):
        line = (
            f"| {row['region_code']} | {row['year']} | {row['demand_fte']:,.0f} | "
            f"{row['supply_fte']:,.0f} | {row['shortage_fte']:,.0f} | "
            f"{row['shortage_fte_lo_80']:,.0f} to {row['shortage_fte_hi_80']:,.0f} | "
            f"{row['shortage_share']:.1%} |"
        )
        if split:
            line += (
                f" {_signed(row['demand_demography_fte'])} | {_signed(row['demand_other_fte'])} |"
            )
        lines.append(line)
    return "\n".join(lines)


def _signed(value: float | None) -> str:
    return "n/a" if value is None or value != value else f"{value:+,.0f}"
