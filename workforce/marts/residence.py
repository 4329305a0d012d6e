"""Staff by place of residence: where the staff of each labour-market region live.

Two marts from the staff spells of the newest covered month (each person counted once per
region of work, however many contracts they hold there):

- ``staff_residence``: persons per region of work x municipality of residence, with the
  regions together (``work_region_code`` :data:`~workforce.privacy.TOTAL`) and every
  municipality together (``residence_municipality_code`` TOTAL);
- ``commuting``: persons per region of work x region of residence (TOTAL for all of them).

Both are disclosed before they are written (:func:`workforce.privacy.disclose`): a cell below
the threshold, and any cell that would reveal one from its totals, has ``suppressed`` set and
no count. Staff whose residence is not in the extract (an older extract, or an empty cell) count
under :data:`UNKNOWN_RESIDENCE`, so the cells add up to the region's staff.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from workforce.privacy import DEFAULT_K, TOTAL, disclose
from workforce.reference import Reference

RESIDENCE_MARTS = ("staff_residence", "commuting")
RESIDENCE_COLUMN = "residence_municipality_code"
UNKNOWN_RESIDENCE = "unknown"
"""Residence of staff whose extract does not say where they live."""


def staff_at_month(staff: pl.LazyFrame, months: pl.DataFrame) -> tuple[pl.DataFrame, dt.date]:
    """One row per person and work municipality with a contract in the newest covered month."""
    month = months["last_month"].max()
    if not isinstance(month, dt.date):
        raise ValueError("no staff months are covered")
    end = (month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    columns = staff.collect_schema().names()
    residence = pl.col(RESIDENCE_COLUMN) if RESIDENCE_COLUMN in columns else pl.lit(None, pl.String)
    current = (
        staff.filter(
            (pl.col("start_date") <= end)
            & (pl.col("end_date").is_null() | (pl.col("end_date") >= end))
        )
        .select("person_key", "municipality_code", residence.alias(RESIDENCE_COLUMN))
        .collect()
    )
    return current, month


def _places(staff: pl.DataFrame, reference: Reference) -> pl.DataFrame:
    """Persons per region of work with their residence municipality and region."""
    regions = reference.municipalities.select("municipality_code", "region_code")
    return (
        staff.join(
            regions.rename({"region_code": "work_region_code"}), on="municipality_code", how="left"
        )
        .join(
            regions.rename(
                {"municipality_code": RESIDENCE_COLUMN, "region_code": "residence_region_code"}
            ),
            on=RESIDENCE_COLUMN,
            how="left",
        )
        .with_columns(
            pl.col(RESIDENCE_COLUMN, "residence_region_code").fill_null(UNKNOWN_RESIDENCE)
        )
        .filter(pl.col("work_region_code").is_not_null())
        .unique(["person_key", "work_region_code"])  # once per region of work
    )


def _disclosed(people: pl.DataFrame, month: dt.date, column: str, *, k: int) -> pl.DataFrame:
    cells = people.group_by("work_region_code", column).agg(persons=pl.len().cast(pl.Int64))
    # Persons working in two regions count once in each and once together.
    together = (
        people.unique(["person_key", column]).group_by(column).agg(persons=pl.len().cast(pl.Int64))
    )
    everyone = people.unique("person_key").select(persons=pl.len().cast(pl.Int64))
    table = pl.concat(
        [
            cells,
            together.with_columns(work_region_code=pl.lit(TOTAL)),
            people.group_by("work_region_code")
            .agg(persons=pl.col("person_key").n_unique().cast(pl.Int64))
            .with_columns(pl.lit(TOTAL).alias(column)),
            everyone.with_columns(work_region_code=pl.lit(TOTAL), **{column: pl.lit(TOTAL)}),
        ],
        how="diagonal_relaxed",
    )
    return (
        disclose(
            table,
            dims=["work_region_code", column],
            count="persons",
            k=k,
            employer_column=[],
        )
        .with_columns(month=pl.lit(month, pl.Date))
        .select("month", "work_region_code", column, "persons", "suppressed")
        .sort("work_region_code", column)
    )


def residence_marts(
    staff: pl.LazyFrame, months: pl.DataFrame, reference: Reference, *, k: int = DEFAULT_K
) -> dict[str, pl.DataFrame]:
    """``staff_residence`` and ``commuting`` (see the module docstring), disclosed."""
    current, month = staff_at_month(staff, months)
    people = _places(current, reference)
    return {
        "staff_residence": _disclosed(people, month, RESIDENCE_COLUMN, k=k),
        "commuting": _disclosed(people, month, "residence_region_code", k=k),
    }
