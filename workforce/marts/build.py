"""``workforce build``: compute the marts from what was ingested and swap them in atomically.

A build writes every mart into a new folder ``<data>/builds/<run_id>/`` together with a run
manifest (``run.json``: input files and their hashes, code version, rows per mart), and only
then points ``<data>/marts`` at it by replacing a symbolic link in one rename
(:func:`workforce.store.new_version`). Every mart is checked against its contract as it is
written. A build that is killed halfway leaves the previous marts untouched; the next writer
removes its partial folder; the newest few builds are kept.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from workforce import __version__
from workforce.ingest.load import Staging, effective_rows
from workforce.marts.compute import FTE_HOURS, MART_NAMES, MartInputs, mart_frames
from workforce.marts.population import population_mart
from workforce.marts.residence import RESIDENCE_MARTS, residence_marts
from workforce.reference import Reference, load_reference
from workforce.store import (
    Store,
    holds_lock,
    new_version,
    version_stamp,
    write_frame,
    write_json,
)
from workforce.version import git_commit

KEEP_BUILDS = 3


class NothingToBuildError(RuntimeError):
    """No staff files have been loaded yet (vacancies and education are optional)."""


@dataclass(frozen=True)
class BuildResult:
    """Where the marts went and how many rows each has."""

    run_id: str
    folder: Path
    rows: dict[str, int]
    seconds: float


def mart_inputs(data_dir: Path, reference: Reference | None = None) -> MartInputs:
    """Effective rows and coverage of every source loaded into ``data_dir``."""
    staging = Staging(data_dir)
    coverage = staging.coverage()
    if coverage.filter(pl.col("source") == "staff").is_empty():
        raise NothingToBuildError(
            f"no staff files loaded in {staging.root}; run `workforce ingest PATH...` first"
        )
    return MartInputs(
        staff=effective_rows(data_dir, "staff"),
        vacancies=effective_rows(data_dir, "vacancies"),
        education=effective_rows(data_dir, "education"),
        staff_months=_covered_months(coverage, "staff"),
        vacancy_months=_covered_months(coverage, "vacancies"),
        education_extract=coverage.filter(pl.col("source") == "education")
        .group_by(pl.col("party").alias("institution_code"))
        .agg(extract_date=pl.col("covers_to").max()),
        reference=reference or load_reference(),
    )


def _covered_months(coverage: pl.DataFrame, source: str) -> pl.DataFrame:
    return (
        coverage.filter(pl.col("source") == source)
        .group_by(pl.col("party").alias("employer_id"))
        .agg(
            first_month=pl.col("covers_from").min().dt.truncate("1mo"),
            last_month=pl.col("covers_to").max().dt.truncate("1mo"),
        )
        .sort("employer_id")
    )


@holds_lock("build")
def build_marts(data_dir: Path, *, now: dt.datetime | None = None) -> BuildResult:
    """Compute every mart from ``data_dir``'s staging area and publish them as ``marts/``."""
    started = dt.datetime.now()
    now = now or started
    inputs = mart_inputs(data_dir)
    run_id = version_stamp(now)
    store = Store(data_dir)
    rows: dict[str, int] = {}
    with new_version(store.marts, store.builds, run_id, keep=KEEP_BUILDS) as folder:
        # The marts share their common work (reading and linking the spells once) and come one
        # at a time, so only one is held in memory while it is written.
        for name, frame in mart_frames(inputs):
            write_frame(frame, folder / f"{name}.parquet", what=f"mart {name}")
            rows[name] = frame.height
            del frame
        for name, frame in residence_marts(
            inputs.staff, inputs.staff_months, inputs.reference
        ).items():
            write_frame(frame, folder / f"{name}.parquet", what=f"mart {name}")
            rows[name] = frame.height
        population = population_mart(
            effective_rows(data_dir, "population"), inputs.reference
        ).collect()
        write_frame(population, folder / "population.parquet", what="mart population")
        rows["population"] = population.height
        del population
        rows = {**{name: rows[name] for name in MART_NAMES if name in rows}, **rows}
        write_json(_run_manifest(data_dir, run_id, now, rows), folder / "run.json")
    seconds = (dt.datetime.now() - started).total_seconds()
    return BuildResult(run_id=run_id, folder=store.builds / run_id, rows=rows, seconds=seconds)


def _run_manifest(
    data_dir: Path, run_id: str, now: dt.datetime, rows: dict[str, int]
) -> dict[str, Any]:
    files = Staging(data_dir).files().filter(pl.col("status") == "loaded").sort("sequence")
    return {
        "run_id": run_id,
        "built_at": now.isoformat(timespec="seconds"),
        "code_version": {"package": __version__, "git_commit": git_commit()},
        "parameters": {"fte_hours": FTE_HOURS},
        "rows": {name: rows[name] for name in (*MART_NAMES, "population", *RESIDENCE_MARTS)},
        "inputs": [
            {
                "file_id": row["file_id"],
                "path": row["path"],
                "source": row["source"],
                "extract_date": row["extract_date"].isoformat(),
                "rows_kept": row["rows_kept"],
                "rows_quarantined": row["rows_quarantined"],
            }
            for row in files.iter_rows(named=True)
        ],
    }
