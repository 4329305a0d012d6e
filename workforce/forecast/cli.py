"""Commands of the forecast engine, registered on the ``workforce`` app."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from workforce.cli_support import console, fail, warn, writes_data
from workforce.store import Store, StoreError

if TYPE_CHECKING:
    import polars as pl

DATA_DIR_HELP = "Data folder (default data/, or $WORKFORCE_DATA)."


def register(app: typer.Typer) -> None:
    """Add the forecast commands to ``app``."""
    app.command()(forecast)
    app.command()(backtest)


def _default_data_dir() -> Path:
    return Path(os.environ.get("WORKFORCE_DATA", "data"))


def backtest(
    input: Annotated[Path, typer.Option(help="Long Parquet or CSV file: unique_id, ds, y.")],
    horizon: Annotated[int, typer.Option(min=1, help="Periods ahead per fold.")] = 4,
    folds: Annotated[int, typer.Option(min=1, help="Rolling origins.")] = 4,
    out: Annotated[Path, typer.Option(help="Folder for metrics.csv.")] = Path("backtest"),
    workers: Annotated[int, typer.Option(min=1, help="Parallel processes.")] = os.cpu_count() or 1,
) -> None:
    """Backtest the engine and every baseline by rolling origin; write DIR/metrics.csv."""
    from workforce.forecast.frames import InputError, read_long_file
    from workforce.forecast.pipeline import EngineSettings
    from workforce.forecast.registry import markdown_table
    from workforce.forecast.run import run_engine

    started = time.perf_counter()
    try:
        frame, frequency = read_long_file(input, min_length=horizon * folds + 8)
    except InputError as error:
        raise fail(str(error)) from None
    settings = EngineSettings(
        horizon=horizon, backtest_horizon=horizon, folds=folds, keep_prophet=False
    )
    output = run_engine(frame, frequency, settings, workers=workers, console=console)
    out.mkdir(parents=True, exist_ok=True)
    metrics = output.metrics
    from workforce.csv_safety import write_csv

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
    data_dir: Annotated[Path | None, typer.Option(help=DATA_DIR_HELP)] = None,
    models_dir: Annotated[Path, typer.Option(help="Registry folder for this run.")] = Path(
        "models"
    ),
    horizon: Annotated[int, typer.Option(min=12, help="Months ahead (10 years: 120).")] = 120,
    backtest_horizon: Annotated[int, typer.Option(min=1, help="Months per backtest fold.")] = 12,
    folds: Annotated[int, typer.Option(min=1, help="Backtest folds.")] = 4,
    paths: Annotated[int, typer.Option(min=50, help="Simulated paths for intervals.")] = 500,
    executor: Annotated[str, typer.Option(help="local (processes) or dask.")] = "local",
    scheduler: Annotated[
        str | None, typer.Option(help="Dask scheduler address, e.g. tcp://host:8786.")
    ] = None,
    workers: Annotated[int, typer.Option(min=1, help="Local processes.")] = os.cpu_count() or 1,
) -> None:
    """Forecast demand, supply and shortage for every region x sector x profession.

    Demand per node of the hierarchy with backtests; supply by stock-flow projection;
    shortage with 80 % and 95 % intervals from joint simulation; marts in <data>/forecasts.
    """
    import polars as pl

    from workforce.forecast.executor import ExecutorKind
    from workforce.forecast.frames import InputError
    from workforce.forecast.pipeline import EngineSettings
    from workforce.forecast.region import forecast_region, outlook_summary

    started = time.perf_counter()
    data_dir = data_dir or _default_data_dir()
    if executor not in ("local", "dask"):
        raise fail(f"--executor must be local or dask, not {executor!r}")
    if executor == "dask" and not scheduler:
        raise fail("--executor dask needs --scheduler ADDRESS")
    for name in ("demand", "spells", "education_pipeline"):
        source = Store(data_dir).mart_path(name)
        if not source.exists():
            raise fail(f"{source}: not found; run `workforce build` first")
    settings = EngineSettings(horizon=horizon, backtest_horizon=backtest_horizon, folds=folds)
    try:
        run = forecast_region(
            data_dir,
            settings,
            models_dir=models_dir,
            executor=ExecutorKind(executor),
            workers=workers,
            scheduler=scheduler,
            paths=paths,
            console=console,
        )
    except StoreError as error:
        raise fail(str(error)) from None
    except (InputError, ValueError) as error:
        raise fail(f"{Store(data_dir).marts}: {error}") from None
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
        f"marts in {Store(data_dir).forecasts}; registry {run.run_folder}; "
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
