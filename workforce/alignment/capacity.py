"""How fast intake can grow: placement capacity per programme x institution x year, or a
stated growth limit.

Placement capacity (BPV / stage places) is a source like the others: a CSV or Excel file
``programme_code, institution_code, year, placements`` checked against the
:class:`~workforce.schemas.PlacementCapacity` contract. Rows that break it go to a quarantine
file with their row number, column and rule; the clean rows cap the advice (a cohort's
intake may not exceed its placements). For cohorts without placements, intake may grow by at
most :data:`DEFAULT_GROWTH_LIMIT` a year, compounding from the origin's intake.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import polars as pl

DEFAULT_GROWTH_LIMIT = 0.20
"""How much a programme's yearly intake can grow per year without a placements file."""
PLACEMENT_COLUMNS = ("programme_code", "institution_code", "year", "placements")


class CapacityError(ValueError):
    """A placements file cannot be read or follows no contract."""


@dataclass(frozen=True)
class Placements:
    """The clean rows of a placements file and what was quarantined."""

    frame: pl.DataFrame
    rows_read: int
    rejected: pl.DataFrame
    quarantine: Path | None


def read_placements(path: Path, quarantine_dir: Path | None = None) -> Placements:
    """Placements per programme, institution and cohort year, checked against the contract.

    Rejected rows are written to ``<quarantine_dir>/<file name>.rejected.csv`` (with their
    row number, column, rule and original values) when ``quarantine_dir`` is given.
    """
    # Loaded here, not with the module: the advice pages read placements already checked and
    # need neither the readers nor the contracts (pandera, pandas).
    from workforce.ingest.readers import RawFileError, read_raw_table
    from workforce.ingest.validate import ContractMismatchError, validate_frame
    from workforce.schemas import PlacementCapacity
    from workforce.store import write_frame

    try:
        raw, header_row = read_raw_table(path)
    except RawFileError as error:
        raise CapacityError(f"{path}: {error.problem}") from None
    missing = [c for c in PLACEMENT_COLUMNS if c not in raw.columns]
    if missing:
        raise CapacityError(
            f"{path}: missing column(s) {', '.join(missing)}; expected "
            f"{', '.join(PLACEMENT_COLUMNS)}"
        )
    try:
        result = validate_frame(
            raw, PlacementCapacity, source_file=str(path), first_row=header_row + 1
        )
    except ContractMismatchError as error:
        raise CapacityError(f"{path}: {error}") from None
    written = None
    if quarantine_dir is not None and not result.is_clean:
        written = write_frame(result.rejected, quarantine_dir / f"{path.stem}.rejected.csv")
    frame = result.valid.select(
        "programme_code",
        "institution_code",
        pl.col("year").cast(pl.Int64),
        pl.col("placements").cast(pl.Float64),
    )
    return Placements(frame, result.rows_read, result.rejected, written)


def growth_caps(
    current: float, cohort_years: list[int], origin_year: int, growth_limit: float
) -> list[float]:
    """Whole extra students each cohort year may take in under the yearly growth limit.

    Intake may grow by ``growth_limit`` a year, compounding: the cohort ``k`` years after the
    origin may be ``(1 + growth_limit) ** k`` times today's intake.
    """
    return [
        float(math.floor(current * ((1 + growth_limit) ** (year - origin_year) - 1) + 1e-9))
        for year in cohort_years
    ]
