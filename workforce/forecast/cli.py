"""Commands of the forecast engine, registered on the ``workforce`` app."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

console = Console()

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
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from None
    settings = EngineSettings(
        horizon=horizon, backtest_horizon=horizon, folds=folds, keep_prophet=False
    )
    output = run_engine(frame, frequency, settings, workers=workers, console=console)
    out.mkdir(parents=True, exist_ok=True)
    metrics = output.metrics
    metrics.write_csv(out / "metrics.csv")
    output.choices.write_csv(out / "choices.csv")
    for message in output.failures:
        console.print(f"[yellow]{message}[/yellow]")
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


def forecast(
    data_dir: Annotated[Path | None, typer.Option(help=DATA_DIR_HELP)] = None,
    models_dir: Annotated[Path, typer.Option(help="Registry folder for this run.")] = Path(
        "models"
    ),
    horizon: Annotated[int, typer.Option(min=1, help="Months ahead.")] = 36,
    backtest_horizon: Annotated[int, typer.Option(min=1, help="Months per backtest fold.")] = 12,
    folds: Annotated[int, typer.Option(min=1, help="Backtest folds.")] = 4,
    executor: Annotated[str, typer.Option(help="local (processes) or dask.")] = "local",
    scheduler: Annotated[
        str | None, typer.Option(help="Dask scheduler address, e.g. tcp://host:8786.")
    ] = None,
    workers: Annotated[int, typer.Option(min=1, help="Local processes.")] = os.cpu_count() or 1,
) -> None:
    """Forecast demand for every region x sector x profession, with backtests and a registry run."""
    import polars as pl

    from workforce.forecast.demand import demand_series, with_hierarchy_keys
    from workforce.forecast.executor import ExecutorKind
    from workforce.forecast.frames import ForecastOutput, Frequency, InputError, check_input
    from workforce.forecast.pipeline import EngineSettings
    from workforce.forecast.registry import save_run
    from workforce.forecast.run import run_engine

    started = time.perf_counter()
    data_dir = data_dir or _default_data_dir()
    source = data_dir / "marts" / "demand.parquet"
    if executor not in ("local", "dask"):
        console.print(f"[red]--executor must be local or dask, not {executor!r}[/red]")
        raise typer.Exit(2)
    if executor == "dask" and not scheduler:
        console.print("[red]--executor dask needs --scheduler ADDRESS[/red]")
        raise typer.Exit(2)
    if not source.exists():
        console.print(f"[red]{source}: not found; run `workforce build` first[/red]")
        raise typer.Exit(2)
    try:
        series = demand_series(pl.read_parquet(source))
        frame, frequency = check_input(
            series,
            source=str(source),
            frequency=Frequency.month,
            min_length=backtest_horizon * folds + 8,
        )
    except (InputError, ValueError) as error:
        console.print(f"[red]{source}: {error}[/red]")
        raise typer.Exit(2) from None
    settings = EngineSettings(horizon=horizon, backtest_horizon=backtest_horizon, folds=folds)
    output = run_engine(
        frame,
        frequency,
        settings,
        executor=ExecutorKind(executor),
        workers=workers,
        scheduler=scheduler,
        console=console,
    )
    target = data_dir / "forecasts" / "demand.parquet"
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".parquet.tmp")
    forecasts = ForecastOutput.validate(with_hierarchy_keys(output.forecasts))
    forecasts.write_parquet(partial)
    partial.replace(target)
    run = save_run(
        output,
        models_dir=models_dir,
        input_frame=frame,
        settings={"horizon": horizon, "backtest_horizon": backtest_horizon, "folds": folds},
    )
    for message in output.failures:
        console.print(f"[yellow]{message}[/yellow]")
    averages = output.averages.filter(pl.col("model").is_in(["chosen", "naive"]))
    summary = ", ".join(
        f"{row['model']} MASE {row['mase']:.3f}" for row in averages.iter_rows(named=True)
    )
    console.print(
        f"{frame['unique_id'].n_unique()} series forecast {horizon} months ahead ({summary}); "
        f"{target}; registry {run} in {time.perf_counter() - started:.1f} s."
    )
