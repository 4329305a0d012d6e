"""The ``workforce`` command: one verb per pipeline stage."""

from __future__ import annotations

import datetime as dt
import os
import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress

app = typer.Typer(
    help="Labour-market analytics and forecasting for care and welfare in the Utrecht region.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
console = Console()
report_app = typer.Typer(help="Reports on the loaded data.", no_args_is_help=True)
app.add_typer(report_app, name="report")

DataDir = Annotated[
    Path,
    typer.Option(
        "--data-dir",
        help="Data folder (staging, quarantine, marts); default $WORKFORCE_DATA or data.",
        default_factory=lambda: Path(os.environ.get("WORKFORCE_DATA", "data")),
        show_default=False,
    ),
]


class Scale(StrEnum):
    region = "region"
    national = "national"


@app.command()
def generate(
    out: Annotated[Path, typer.Option(help="Folder to write the raw files to.")] = Path("data/raw"),
    seed: Annotated[
        int, typer.Option(help="Random seed; the same seed gives identical files.")
    ] = 42,
    scale: Annotated[
        Scale, typer.Option(help="region: Midden-Utrecht; national: benchmark load.")
    ] = Scale.region,
) -> None:
    """Write a synthetic care labour market in the raw contract formats."""
    from workforce.synthetic import generate_national, generate_region

    started = time.perf_counter()
    try:
        if scale is Scale.region:
            summary = generate_region(out, seed=seed)
        else:
            with Progress(console=console, transient=True) as progress:
                task = progress.add_task("Generating blocks", total=None)
                summary = generate_national(
                    out,
                    seed=seed,
                    on_block=lambda done, total: progress.update(task, completed=done, total=total),
                )
    except OSError as error:
        console.print(f"[red]Cannot write to {out}: {error.strerror or error}[/red]")
        raise typer.Exit(2) from None
    seconds = time.perf_counter() - started
    console.print(summary.describe())
    console.print(f"Written to {out} in {seconds:.1f} s.")


@app.command()
def validate(
    paths: Annotated[list[Path], typer.Argument(help="Raw files or folders to check.")],
) -> None:
    """Check raw files against their contract; exit 1 when any row fails."""
    from workforce.validate import validate_paths

    exit_code = validate_paths(paths, console=console)
    raise typer.Exit(exit_code)


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Raw files or folders to load.")],
    data_dir: DataDir,
    extract_date: Annotated[
        dt.datetime | None,
        typer.Option(
            formats=["%Y-%m-%d"],
            help="Extract date for files whose name carries none (default: today).",
        ),
    ] = None,
) -> None:
    """Validate and load raw files; bad rows go to quarantine. Loading twice changes nothing."""
    from workforce.ingest.load import ingest_paths
    from workforce.ingest.report import print_ingest_report

    absent = [path for path in paths if not path.exists()]
    for path in absent:
        console.print(f"[red]Not found:[/red] {path}", soft_wrap=True)
    if absent:
        raise typer.Exit(2)
    try:
        report = ingest_paths(
            paths, data_dir, extract_date=extract_date.date() if extract_date else None
        )
    except OSError as error:
        console.print(f"[red]Cannot write to {data_dir}: {error.strerror or error}[/red]")
        raise typer.Exit(2) from None
    raise typer.Exit(print_ingest_report(report, data_dir, console=console))


@app.command()
def build(data_dir: DataDir) -> None:
    """Build the marts from everything ingested; the previous marts stay until the new are done."""
    from workforce.build import NothingToBuildError, build_marts

    try:
        result = build_marts(data_dir)
    except NothingToBuildError as error:
        console.print(f"[red]{error}[/red]", soft_wrap=True)
        raise typer.Exit(2) from None
    for name, rows in result.rows.items():
        console.print(f"  {name:<20} {rows:>10,} rows")
    console.print(
        f"Built {len(result.rows)} marts in {result.seconds:.1f} s: {data_dir / 'marts'} "
        f"(run {result.run_id})",
        soft_wrap=True,
    )


@report_app.command("quality")
def report_quality(
    data_dir: DataDir,
    out: Annotated[
        Path | None, typer.Option(help="Markdown file to write (default <data-dir>/reports).")
    ] = None,
) -> None:
    """Rows kept and quarantined per source and party, gaps, stale extracts, headcount jumps."""
    from workforce.ingest.report import print_quality_report
    from workforce.quality import quality_report

    report = quality_report(data_dir)
    target = out or data_dir / "reports" / "quality.md"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(report.to_markdown(), encoding="utf-8")
    print_quality_report(report, console=console)
    console.print(f"Written to {target}", soft_wrap=True)


def _month(text: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(f"{text}-01")
    except ValueError:
        console.print(f"[red]{option} {text!r}: expected a month as YYYY-MM[/red]", soft_wrap=True)
        raise typer.Exit(2) from None


@report_app.command("outlook-backtest")
def report_outlook_backtest(
    data_dir: DataDir,
    out: Annotated[
        Path | None,
        typer.Option(help="Folder for outlook_backtest.csv (default <data-dir>/reports)."),
    ] = None,
    page: Annotated[
        Path | None,
        typer.Option(help="Markdown page to write (default <out>/outlook-backtest.md)."),
    ] = None,
    first: Annotated[str, typer.Option(help="First evaluated origin, YYYY-MM.")] = "2018-12",
    last: Annotated[str, typer.Option(help="Last evaluated origin, YYYY-MM.")] = "2022-12",
    years: Annotated[int, typer.Option(min=1, help="Years ahead to score.")] = 5,
    paths: Annotated[int, typer.Option(min=50, help="Joint sample paths per origin.")] = 300,
    baselines_only: Annotated[
        bool, typer.Option(help="Demand engine without Prophet (quick, for tests).")
    ] = False,
    inner_folds: Annotated[
        int | None,
        typer.Option(min=2, help="Folds of the engine's inner backtest (default: the engine's)."),
    ] = None,
    live: Annotated[
        bool,
        typer.Option(
            help="Also run the origins after --last, for the calibration workforce forecast uses."
        ),
    ] = True,
    reuse: Annotated[
        bool,
        typer.Option(
            help="Reuse the outlooks a previous run stored for the same marts and settings; "
            "only calibration and report are redone."
        ),
    ] = False,
) -> None:
    """Outlooks from past Decembers against what happened; calibrates the shortage intervals."""
    from workforce.forecast.outlook_backtest import BacktestSettings, NoOriginError
    from workforce.forecast.outlook_backtest_report import write_backtest

    if not (data_dir / "marts" / "demand.parquet").exists():
        console.print(
            f"[red]{data_dir / 'marts'}: no demand mart; run `workforce build` first[/red]",
            soft_wrap=True,
        )
        raise typer.Exit(2)
    settings = BacktestSettings(
        first=_month(first, "--first"),
        last=_month(last, "--last"),
        years=years,
        paths=paths,
        baselines_only=baselines_only,
        inner_folds=inner_folds,
        live=live,
    )
    target = out or data_dir / "reports"
    try:
        summary = write_backtest(
            data_dir,
            target,
            settings,
            page=page or target / "outlook-backtest.md",
            command=" ".join(
                [
                    "workforce report outlook-backtest",
                    *(["--baselines-only"] if baselines_only else []),
                    *([f"--inner-folds {inner_folds}"] if inner_folds else []),
                    *([] if live else ["--no-live"]),
                    f"--last {last} --paths {paths}",
                    *(["--reuse"] if reuse else []),
                ]
            ),
            reuse=reuse,
        )
    except NoOriginError as error:
        console.print(f"[red]{data_dir / 'marts'}: {error}[/red]", soft_wrap=True)
        raise typer.Exit(2) from None
    console.print(summary, soft_wrap=True)


def _register_command_groups() -> None:
    from workforce.dashboards.cli import register as register_dashboard
    from workforce.forecast.cli import register as register_forecast
    from workforce.ingest.cli import register as register_open_data
    from workforce.regional_cli import register as register_regional
    from workforce.scenario_cli import register as register_scenario

    register_forecast(app)
    register_open_data(app)
    register_dashboard(app)
    register_regional(app)
    register_scenario(app)


_register_command_groups()

if __name__ == "__main__":
    app()
