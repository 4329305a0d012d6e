"""Data-quality report: what was kept, what was quarantined and why, what looks wrong.

Per source and per employer or institution: rows kept and quarantined by rule, files refused
whole, gaps between the periods their extracts cover, extracts older than the region's latest,
and month-on-month headcount jumps of more than ``JUMP_SHARE`` in the marts.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from workforce.ingest.load import PARTY_COLUMN, Staging, iter_quarantine
from workforce.markdown import markdown_table as render_markdown
from workforce.store import Store

JUMP_SHARE = 0.20
"""A headcount change larger than this share of the previous month is flagged."""

JUMP_MINIMUM_HEADCOUNT = 20
"""Employers smaller than this are not checked for jumps: one person is already 5 %."""


@dataclass(frozen=True)
class QualityReport:
    """The report's tables; each is empty when there is nothing to say."""

    rows: pl.DataFrame  # source, party, files, rows_read, rows_kept, rows_quarantined
    rules: pl.DataFrame  # source, party, rule, rows
    refused: pl.DataFrame  # path, problem
    gaps: pl.DataFrame  # source, party, gap_from, gap_to
    stale: pl.DataFrame  # source, party, last_extract, latest_in_region
    jumps: pl.DataFrame  # employer_id, month, previous, headcount, change

    def to_markdown(self) -> str:
        """The report as Markdown, one section per table."""
        sections = [
            ("Rows kept and quarantined", self.rows),
            ("Quarantined rows by rule", self.rules),
            ("Files refused or held whole", self.refused),
            ("Gaps between delivered periods", self.gaps),
            ("Extracts older than the region's latest", self.stale),
            (f"Headcount jumps over {JUMP_SHARE:.0%} month on month", self.jumps),
        ]
        parts = ["# Data quality\n"]
        for title, frame in sections:
            parts.append(f"## {title}\n")
            parts.append(markdown_table(frame) if frame.height else "None.\n")
        return "\n".join(parts)


def quality_report(data_dir: Path) -> QualityReport:
    """Build the report from the load manifest, the quarantine files and the marts."""
    staging = Staging(data_dir)
    files = staging.files()
    coverage = staging.coverage()
    per_file_party = coverage.join(
        files.select("file_id", "rows_read", "rows_quarantined"), on="file_id"
    )
    quarantined = _quarantined_by_rule(data_dir)
    rows = (
        per_file_party.group_by("source", "party")
        .agg(files=pl.len(), rows_kept=pl.sum("rows_kept"))
        .join(
            quarantined.group_by("source", "party").agg(rows_quarantined=pl.col("rows").sum()),
            on=["source", "party"],
            how="full",
            coalesce=True,
        )
        .with_columns(pl.col("files", "rows_kept", "rows_quarantined").fill_null(0))
        .sort("source", "party")
    )
    refused = (
        files.filter(pl.col("status").is_in(["refused", "held"]))
        .select("path", "problem")
        .sort("path")
    )
    # Population files are releases (counts, projection vintages), not periods of a party:
    # gaps between them or an older vintage say nothing about missing deliveries.
    periods = coverage.filter(pl.col("source") != "population")
    return QualityReport(
        rows=rows,
        rules=quarantined.sort("source", "party", "rows", descending=[False, False, True]),
        refused=refused,
        gaps=_gaps(periods),
        stale=_stale(periods),
        jumps=_jumps(Store(data_dir).mart_path("workforce_monthly")),
    )


def _quarantined_by_rule(data_dir: Path) -> pl.DataFrame:
    """Distinct quarantined rows per source, party and rule, from the quarantine files."""
    schema = {"source": pl.String, "party": pl.String, "rule": pl.String, "rows": pl.Int64}
    parts = []
    for path in iter_quarantine(data_dir):
        source = path.parent.name
        party_column = PARTY_COLUMN.get(source)
        frame = pl.read_csv(path, infer_schema=False)
        party = (
            pl.col(party_column).fill_null("(empty)")
            if party_column in frame.columns
            else pl.lit("(unknown)")
        )
        parts.append(
            frame.group_by(party.alias("party"), "rule")
            .agg(rows=pl.col("row_number").n_unique().cast(pl.Int64))
            .select(pl.lit(source).alias("source"), "party", "rule", "rows")
        )
    if not parts:
        return pl.DataFrame(schema=schema)
    return (
        pl.concat(parts)
        .group_by("source", "party", "rule")
        .agg(pl.sum("rows"))
        .select(list(schema))
    )


def _gaps(coverage: pl.DataFrame) -> pl.DataFrame:
    """Stretches between a party's covered periods that no extract covers."""
    ordered = coverage.sort("source", "party", "covers_from")
    reach = pl.col("covers_to").cum_max().shift(1).over("source", "party")
    return (
        ordered.with_columns(reached=reach)
        .filter(pl.col("reached").is_not_null() & (pl.col("covers_from") > pl.col("reached")))
        .select(
            "source",
            "party",
            gap_from=pl.col("reached") + pl.duration(days=1),
            gap_to=pl.col("covers_from") - pl.duration(days=1),
        )
        .filter(pl.col("gap_to") >= pl.col("gap_from"))
    )


def _stale(coverage: pl.DataFrame) -> pl.DataFrame:
    """Parties whose latest extract ends before the latest extract of their source."""
    latest = coverage.group_by("source", "party").agg(last_extract=pl.col("covers_to").max())
    return (
        latest.with_columns(latest_in_region=pl.col("last_extract").max().over("source"))
        .filter(pl.col("last_extract") < pl.col("latest_in_region"))
        .sort("source", "party")
    )


def _jumps(path: Path) -> pl.DataFrame:
    """Month-on-month headcount changes over ``JUMP_SHARE`` per employer."""
    schema = {
        "employer_id": pl.String,
        "month": pl.Date,
        "previous": pl.Int64,
        "headcount": pl.Int64,
        "change": pl.Float64,
    }
    if not path.exists():
        return pl.DataFrame(schema=schema)
    per_employer = (
        pl.scan_parquet(path)
        .group_by("employer_id", "month")
        .agg(pl.sum("headcount"))
        .sort("employer_id", "month")
        .with_columns(previous=pl.col("headcount").shift(1).over("employer_id"))
    )
    change = (pl.col("headcount") - pl.col("previous")) / pl.col("previous")
    return (
        per_employer.filter(pl.col("previous") >= JUMP_MINIMUM_HEADCOUNT)
        .with_columns(change=change.round(3))
        .filter(pl.col("change").abs() > JUMP_SHARE)
        .select(list(schema))
        .collect()
    )


def markdown_table(frame: pl.DataFrame) -> str:
    """A GitHub-flavoured Markdown table of a small frame; cell text is shown, never rendered."""
    return render_markdown(frame, inert=True) + "\n"
