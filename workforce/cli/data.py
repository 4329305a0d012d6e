"""Commands along the data flow: ``generate``, ``validate``, ``ingest``, ``build``."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.progress import Progress

from workforce.cli.options import DataDir, Scale
from workforce.cli.support import console, fail, writes_data
from workforce.store import Store

if TYPE_CHECKING:
    from workforce.ingest.load import IngestReport
    from workforce.ingest.readers import RawFileError
    from workforce.ingest.validate import SkippedFile, ValidationResult, ValidationRun


DEFAULT_REGIONS = "AM13,AM14,AM12"
"""The regions ``workforce generate`` writes by default: those of the Utrecht care employers
(:data:`workforce.regional.published.AREA_REGIONS`, kept literal here so the command starts
without loading the regional package)."""


def register(app: typer.Typer) -> None:
    """Add ``generate``, ``validate``, ``ingest`` and ``build`` to ``app``."""
    app.command()(generate)
    app.command()(validate)
    app.command()(ingest)
    app.command()(build)


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
            "(AM13 Midden-Utrecht, AM14 Amersfoort, AM12 Gooi en Vechtstreek); default the "
            "three regions of the Utrecht care employers."
        ),
    ] = DEFAULT_REGIONS,
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


def validate(
    paths: Annotated[list[Path], typer.Argument(help="Raw files or folders to check.")],
) -> None:
    """Check raw files against their contract; exit 1 when any row fails."""
    from workforce.ingest.readers import SUPPORTED_SUFFIXES
    from workforce.ingest.validate import validation_run

    run = validation_run(paths)
    for path in run.absent:
        console.print(f"[red]Not found:[/red] {escape(str(path))}", soft_wrap=True)
    print_skipped(run.skipped)
    if not run.files:
        if not run.absent:
            kinds = ", ".join(SUPPORTED_SUFFIXES)
            console.print(f"No {kinds} files found in the given paths.", soft_wrap=True)
        raise typer.Exit(run.exit_code)
    run.check(on_checked=_print_checked)
    if run.reference_error is not None:
        console.print(
            f"[red]Reference tables unusable:[/red] {escape(str(run.reference_error))}",
            soft_wrap=True,
        )
        raise typer.Exit(run.exit_code)
    _print_total(run)
    raise typer.Exit(run.exit_code)


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
    _print_ingest_report(report, data_dir)
    raise typer.Exit(report.exit_code)


@writes_data("build")
def build(data_dir: DataDir) -> None:
    """Build the marts from everything ingested; the previous marts stay until the new are done."""
    from workforce.marts.build import NothingToBuildError, build_marts

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


def print_skipped(skipped: Sequence[SkippedFile]) -> None:
    """One line per file or folder not read, with the reason; files of types that never hold
    an extract (``manifest.json``, ``README.md``) are counted per type on one line."""
    other: dict[str, int] = {}
    for item in skipped:
        if item.harmless and item.reason.startswith("unsupported file type"):
            suffix = item.path.suffix.lower() or "(no suffix)"
            other[suffix] = other.get(suffix, 0) + 1
            continue
        console.print(
            f"[yellow]NOT READ[/yellow] {escape(str(item.path))}: {escape(item.reason)}",
            soft_wrap=True,
        )
    if other:
        kinds = ", ".join(f"{count:,} {suffix}" for suffix, count in sorted(other.items()))
        console.print(f"Not read, not an extract type: {escape(kinds)} files.", soft_wrap=True)


def print_rule_counts(counts: dict[str, int]) -> None:
    """One indented line per rule: how many rows broke it."""
    for rule, rows in counts.items():
        console.print(f"  {rows:>8,}  {escape(rule)}", soft_wrap=True)


def _print_checked(outcome: ValidationResult | RawFileError) -> None:
    from workforce.ingest.readers import RawFileError

    if isinstance(outcome, RawFileError):
        console.print(
            f"[red]FAIL[/red] {escape(str(outcome.path))}: {escape(outcome.problem)}",
            soft_wrap=True,
        )
        return
    where = f"{escape(outcome.source_file)} ({outcome.contract})"
    if outcome.is_clean:
        console.print(
            f"[green]OK[/green]   {where}: {_count(outcome.rows_read, 'row')}, all valid",
            soft_wrap=True,
        )
    else:
        console.print(
            f"[red]FAIL[/red] {where}: {_count(outcome.rows_read, 'row')}, "
            f"{outcome.rows_valid:,} valid, {outcome.rows_rejected:,} rejected",
            soft_wrap=True,
        )
        print_rule_counts(outcome.rule_counts)
    if outcome.ignored_columns:
        ignored = ", ".join(outcome.ignored_columns)
        console.print(f"  ignored columns not in the contract: {escape(ignored)}", soft_wrap=True)


def _print_total(run: ValidationRun) -> None:
    valid, rejected = run.rows_valid, run.rows_rejected
    files = len(run.results) + len(run.file_errors)
    console.print(
        f"\nChecked {_count(files, 'file')}, {_count(valid + rejected, 'row')}: "
        f"{valid:,} valid, {rejected:,} rejected.",
        soft_wrap=True,
    )
    if run.file_errors:
        console.print(
            f"{_count(len(run.file_errors), 'file')} could not be checked.", soft_wrap=True
        )
    if not rejected:
        return
    if len(run.results) > 1:
        console.print("Rows failing per rule:")
        print_rule_counts(run.rule_counts())
    console.print("First failing rows:")
    for failure in run.first_failures().iter_rows(named=True):
        value = "(empty)" if failure["value"] is None else repr(failure["value"])
        console.print(
            f"  {escape(Path(failure['source_file']).name)} row {failure['row_number']}, "
            f"{escape(failure['column'])} = {escape(value)}: {escape(failure['rule'])}",
            soft_wrap=True,
        )


def _print_ingest_report(report: IngestReport, data_dir: Path) -> None:
    """One line per file that changed something or was not read, and a total."""
    print_skipped(report.skipped)
    for outcome in report.outcomes:
        name = escape(str(outcome.path))
        if outcome.status == "refused":
            console.print(
                f"[red]REFUSED[/red] {name}: {escape(outcome.problem or '')}", soft_wrap=True
            )
        elif outcome.status == "held":
            console.print(
                f"[red]HELD[/red]    {name} ({outcome.source}, {outcome.rows_read:,} rows): "
                f"{escape(outcome.problem or '')}",
                soft_wrap=True,
            )
        elif outcome.status == "loaded" and outcome.rows_quarantined:
            console.print(
                f"[yellow]PARTLY[/yellow]  {name} ({outcome.source}): {outcome.rows_kept:,} kept, "
                f"{outcome.rows_quarantined:,} quarantined",
                soft_wrap=True,
            )
            print_rule_counts(outcome.rule_counts)
    loaded, unchanged, refused, held = (
        report.count(s) for s in ("loaded", "unchanged", "refused", "held")
    )
    not_read = sum(not item.harmless for item in report.skipped)
    console.print(
        f"{loaded:,} files loaded, {unchanged:,} unchanged (already loaded), {refused:,} refused"
        f"{f', {held:,} held' if held else ''}{f', {not_read:,} not read' if not_read else ''}; "
        f"{report.rows_kept:,} rows kept, {report.rows_quarantined:,} quarantined.",
        soft_wrap=True,
    )
    if report.rows_quarantined:
        quarantine = escape(str(Store(data_dir).quarantine))
        console.print(f"Quarantined rows: {quarantine}", soft_wrap=True)
    if not loaded and not unchanged:
        console.print("[red]Nothing was loaded.[/red]", soft_wrap=True)


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"
