"""Small literal marts for the regional-employer tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from workforce.marts.compute import BAND_COLUMNS, SPELL_COLUMNS
from workforce.regional import RegionalMarts

STAFF_COUNTS = (
    "headcount",
    "hires",
    "hires_internal",
    "hires_other_care_employer",
    "hires_education",
    "hires_outside",
    "leavers",
    "leavers_internal",
    "leavers_other_care_employer",
    "leavers_care_outside_region",
    "leavers_outside_sector",
    "leavers_retirement",
    "leavers_unknown",
    *BAND_COLUMNS,
)
VACANCY_SCHEMA = {
    "month": pl.Date,
    "employer_id": pl.String,
    "profession_code": pl.String,
    "municipality_code": pl.String,
    "open": pl.Int64,
    "open_fte": pl.Float64,
    "opened": pl.Int64,
    "filled": pl.Int64,
    "withdrawn": pl.Int64,
    "hard_to_fill": pl.Int64,
    "mean_days_open": pl.Float64,
    "median_days_to_fill": pl.Float64,
}
SPELL_DATES = ("start_date", "end_date", "next_start_date", "first_month", "last_month")


def staff(rows: list[dict[str, Any]]) -> pl.DataFrame:
    """``workforce_monthly`` rows; counts not given are zero, ``leavers`` and ``hires`` summed."""
    filled = []
    for row in rows:
        full: dict[str, Any] = {
            "municipality_code": "GM0344",
            "sector_code": "hospitals",
            "fte": 0.0,
            **{name: 0 for name in STAFF_COUNTS},
        }
        full.update(row)
        full["hires"] = sum(v for k, v in full.items() if k.startswith("hires_"))
        full["leavers"] = sum(v for k, v in full.items() if k.startswith("leavers_"))
        filled.append(full)
    return pl.DataFrame(filled).with_columns(
        pl.col(list(STAFF_COUNTS)).cast(pl.Int64), pl.col("fte").cast(pl.Float64)
    )


def vacancies(rows: list[dict[str, Any]]) -> pl.DataFrame:
    """``vacancies_monthly`` rows; missing values are zero (or null for day measures)."""
    defaults = {name: 0 if dtype == pl.Int64 else 0.0 for name, dtype in VACANCY_SCHEMA.items()}
    defaults.update(municipality_code="GM0344", mean_days_open=None, median_days_to_fill=None)
    return pl.DataFrame([{**defaults, **row} for row in rows], schema=VACANCY_SCHEMA)


def spells(rows: list[dict[str, Any]]) -> pl.DataFrame:
    """``spells`` rows with the mart's columns (unlisted ones null)."""
    types = {"birth_year": pl.Int64, "contract_hours_week": pl.Float64}
    schema = {
        name: pl.Date if name in SPELL_DATES else types.get(name, pl.String)
        for name in SPELL_COLUMNS
    }
    return pl.DataFrame(
        [{name: row.get(name) for name in SPELL_COLUMNS} for row in rows], schema=schema
    )


def marts(
    *,
    workforce_monthly: pl.DataFrame,
    vacancies_monthly: pl.DataFrame | None = None,
    spell_rows: pl.DataFrame | None = None,
) -> RegionalMarts:
    """A bundle of literal marts (empty mobility and demand)."""
    empty_spells = spells([]) if spell_rows is None else spell_rows
    return RegionalMarts(
        workforce_monthly=workforce_monthly,
        vacancies_monthly=vacancies_monthly
        if vacancies_monthly is not None
        else pl.DataFrame(schema=VACANCY_SCHEMA),
        mobility=pl.DataFrame(),
        spells=empty_spells,
        demand=pl.DataFrame(),
    )


def month(year: int, number: int) -> dt.date:
    return dt.date(year, number, 1)
