"""``workforce report quality|accuracy|outlook-backtest``: reports on the data and the models."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from workforce.cli.options import DataDir
from workforce.cli.support import console, fail, progress_bars, writes_data
from workforce.store import Store, write_text

if TYPE_CHECKING:
    from workforce.ingest.quality import QualityReport

report_app = typer.Typer(help="Reports on the loaded data.", no_args_is_help=True)

QUALITY_ROWS_SHOWN = 40
"""Rows of each quality table printed; the Markdown report holds them all."""


def register(app: typer.Typer) -> None:
    """Add the ``report`` group to ``app``."""
    app.add_typer(report_app, name="report")


@report_app.command("quality")
@writes_data("report quality")
def quality(
    data_dir: DataDir,
    out: Annotated[
        Path | None, typer.Option(help="Markdown file to write (default <data-dir>/reports).")
    ] = None,
) -> None:
    """Rows kept and quarantined per source and party, gaps, stale extracts, headcount jumps."""
    from workforce.ingest.quality import quality_report

    report = quality_report(data_dir)
    target = out or Store(data_dir).reports / "quality.md"
    write_text(report.to_markdown(), target)
    _print_quality_report(report)
    console.print(f"Written to {target}", soft_wrap=True)


@report_app.command("accuracy")
def accuracy(
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
    from workforce.evaluation.accuracy import write_report

    with progress_bars() as progress:
        write_report(out, series_dir, workers=workers, sets=tuple(only or ()), progress=progress)
    console.print(f"Written to {out}; series and metrics in {series_dir}", soft_wrap=True)


def _month(text: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(f"{text}-01")
    except ValueError:
        raise fail(f"{option} {text!r}: expected a month as YYYY-MM") from None


@report_app.command("outlook-backtest")
@writes_data("report outlook-backtest")
def outlook_backtest(
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
    from workforce.evaluation.outlook_backtest import BacktestSettings, NoOriginError
    from workforce.evaluation.outlook_backtest_report import write_backtest

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
        with progress_bars() as progress:
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
                progress=progress,
            )
    except NoOriginError as error:
        raise fail(f"{store.marts}: {error}") from None
    console.print(summary, soft_wrap=True)


def _print_quality_report(report: QualityReport) -> None:
    """The report's tables as rich tables, skipping the empty ones."""
    for title, frame in (
        ("Rows kept and quarantined", report.rows),
        ("Quarantined rows by rule", report.rules),
        ("Files refused or held whole", report.refused),
        ("Gaps between delivered periods", report.gaps),
        ("Extracts older than the region's latest", report.stale),
        ("Headcount jumps month on month", report.jumps),
    ):
        if frame.is_empty():
            console.print(f"{title}: none.")
            continue
        table = Table(title=title, title_justify="left")
        for column in frame.columns:
            table.add_column(
                column, justify="right" if frame[column].dtype.is_numeric() else "left"
            )
        for row in frame.head(QUALITY_ROWS_SHOWN).iter_rows():
            table.add_row(
                *(
                    "" if value is None else f"{value:,}" if isinstance(value, int) else str(value)
                    for value in row
                )
            )
        console.print(table)
        if frame.height > QUALITY_ROWS_SHOWN:
            console.print(
                f"  ... {frame.height - QUALITY_ROWS_SHOWN:,} more rows in the Markdown report"
            )
