"""Console summaries of ``workforce ingest`` and ``workforce report quality``."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from workforce.ingest.load import IngestReport
from workforce.quality import QualityReport
from workforce.store import Store
from workforce.validate import print_rule_counts, print_skipped


def print_ingest_report(report: IngestReport, data_dir: Path, *, console: Console) -> int:
    """Print one line per file that changed something or was not read, and a total; return
    the exit code.

    0: everything loaded or already there; 1: a file was refused, held or not read, rows were
    quarantined, or nothing at all was loaded.
    """
    print_skipped(console, report.skipped)
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
            print_rule_counts(console, outcome.rule_counts)
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
        return 1
    problems = refused or held or not_read or report.rows_quarantined
    return 1 if problems else 0


def print_quality_report(report: QualityReport, *, console: Console) -> None:
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
        for row in frame.head(40).iter_rows():
            table.add_row(
                *(
                    "" if value is None else f"{value:,}" if isinstance(value, int) else str(value)
                    for value in row
                )
            )
        console.print(table)
        if frame.height > 40:
            console.print(f"  ... {frame.height - 40:,} more rows in the Markdown report")
