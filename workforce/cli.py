"""The ``workforce`` command: one verb per pipeline stage."""

from __future__ import annotations

import datetime as dt
import os
import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress

from workforce.cli_support import console, fail, writes_data
from workforce.store import Store, write_text

app = typer.Typer(
    help="Labour-market analytics and forecasting for care and welfare in the Utrecht region.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
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
        Scale, typer.Option(help="region: the chosen regions; national: benchmark load.")
    ] = Scale.region,
    regions: Annotated[
        str,
        typer.Option(
            help="Labour-market regions to generate together, comma-separated "
            "(AM13 Midden-Utrecht, AM14 Amersfoort, AM12 Gooi en Vechtstreek)."
        ),
    ] = "AM13,AM14,AM12",
) -> None:
    """Write a synthetic care labour market in the raw contract formats."""
    from workforce.synthetic import RegionParams, generate_national, generate_region

    started = time.perf_counter()
    try:
        if scale is Scale.region:
            codes = [code.strip().upper() for code in regions.split(",") if code.strip()]
            try:
                params = RegionParams().with_regions(*codes)
            except ValueError as error:
                raise fail(f"--regions {regions}: {error}") from None
            summary = generate_region(out, seed=seed, params=params)
        else:
            with Progress(console=console, transient=True) as progress:
                task = progress.add_task("Generating blocks", total=None)
                summary = generate_national(
                    out,
                    seed=seed,
                    on_block=lambda done, total: progress.update(task, completed=done, total=total),
                )
    except OSError as error:
        raise fail(f"Cannot write to {out}: {error.strerror or error}") from None
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
@writes_data("ingest")
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
    accept_changes: Annotated[
        bool,
        typer.Option(
            "--accept-changes",
            help="Load files held because they would remove an employer's history, most of "
            "its current staff, or count its staff twice.",
        ),
    ] = False,
) -> None:
    """Validate and load raw files; bad rows go to quarantine. Loading twice changes nothing."""
    from workforce.ingest.load import ingest_paths
    from workforce.ingest.report import print_ingest_report
    from workforce.reference import ReferenceError

    absent = [path for path in paths if not path.exists()]
    if absent:
        raise fail("; ".join(f"Not found: {path}" for path in absent))
    try:
        report = ingest_paths(
            paths,
            data_dir,
            extract_date=extract_date.date() if extract_date else None,
            accept_changes=accept_changes,
        )
    except ReferenceError as error:
        raise fail(f"Reference tables unusable: {error}") from None
    except OSError as error:
        raise fail(f"Cannot write to {data_dir}: {error.strerror or error}") from None
    raise typer.Exit(print_ingest_report(report, data_dir, console=console))


@app.command()
@writes_data("build")
def build(data_dir: DataDir) -> None:
    """Build the marts from everything ingested; the previous marts stay until the new are done."""
    from workforce.build import NothingToBuildError, build_marts

    try:
        result = build_marts(data_dir)
    except NothingToBuildError as error:
        raise fail(str(error)) from None
    for name, rows in result.rows.items():
        console.print(f"  {name:<20} {rows:>10,} rows")
    console.print(
        f"Built {len(result.rows)} marts in {result.seconds:.1f} s: {Store(data_dir).marts} "
        f"(run {result.run_id})",
        soft_wrap=True,
    )


@report_app.command("quality")
@writes_data("report quality")
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
    target = out or Store(data_dir).reports / "quality.md"
    write_text(report.to_markdown(), target)
    print_quality_report(report, console=console)
    console.print(f"Written to {target}", soft_wrap=True)


@report_app.command("accuracy")
def report_accuracy(
    out: Annotated[Path, typer.Option(help="Markdown report to write.")] = Path("docs/accuracy.md"),
    series_dir: Annotated[
        Path, typer.Option(help="Folder for each set's series CSV and metrics.csv.")
    ] = Path("data/accuracy"),
    workers: Annotated[int | None, typer.Option(min=1, help="Parallel processes.")] = None,
    only: Annotated[
        list[str] | None, typer.Option("--set", help="Run only this evaluation set (repeatable).")
    ] = None,
) -> None:
    """Backtest the forecast engine on real series, set by set, and write the accuracy report."""
    from workforce.forecast.accuracy import write_report

    write_report(out, series_dir, workers=workers, sets=tuple(only or ()))
    console.print(f"Written to {out}; series and metrics in {series_dir}", soft_wrap=True)


def _month(text: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(f"{text}-01")
    except ValueError:
        raise fail(f"{option} {text!r}: expected a month as YYYY-MM") from None


@report_app.command("outlook-backtest")
@writes_data("report outlook-backtest")
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

    store = Store(data_dir)
    if not store.mart_path("demand").exists():
        raise fail(f"{store.marts}: no demand mart; run `workforce build` first")
    settings = BacktestSettings(
        first=_month(first, "--first"),
        last=_month(last, "--last"),
        years=years,
        paths=paths,
        baselines_only=baselines_only,
        inner_folds=inner_folds,
        live=live,
    )
    target = out or store.reports
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
        raise fail(f"{store.marts}: {error}") from None
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
