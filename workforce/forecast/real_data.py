"""Real CBS series for accuracy checks: open vacancies and sick leave in care, as long frames."""

from __future__ import annotations

import polars as pl

CARE_SECTORS = {"422400": "Q", "422500": "86", "422600": "861", "425300": "87", "426600": "88"}
"""SBI keys of care and welfare (Q) and its branches, with their short codes."""

VACANCY_SECTORS = ("422400", "422600", "425300", "426600")
SICK_LEAVE_SECTORS = ("422400", "422500", "422600", "425300", "426600")
PROVINCES = tuple(f"PV{number}" for number in range(20, 32))


def _quarterly(frame: pl.DataFrame, measure: str) -> pl.DataFrame:
    return frame.filter(
        pl.col("frequency") == "quarter",
        pl.col("measure") == measure,
        pl.col("value").is_not_null(),
    )


def vacancy_series() -> pl.DataFrame:
    """Open vacancies per quarter: Q, 861, 87, 88 nationally and Q in each of the 12 provinces."""
    from workforce.ingest.cbs import read_regional_vacancies, read_vacancies_by_sector

    national = _quarterly(read_vacancies_by_sector(), "open_vacancies").filter(
        pl.col("sector_key").is_in(VACANCY_SECTORS)
    )
    regional = _quarterly(read_regional_vacancies(), "open_vacancies").filter(
        pl.col("sector_key") == "422400", pl.col("region_key").is_in(PROVINCES)
    )
    return pl.concat(
        [
            national.select(
                unique_id=pl.lit("vacancies/NL/")
                + pl.col("sector_key").replace_strict(CARE_SECTORS),
                ds="period",
                y="value",
            ),
            regional.select(
                unique_id=pl.lit("vacancies/") + pl.col("region_key") + pl.lit("/Q"),
                ds="period",
                y="value",
            ),
        ]
    ).sort("unique_id", "ds")


def sick_leave_series() -> pl.DataFrame:
    """Sick-leave percentage per quarter for Q, 86, 861, 87 and 88 nationally (80072ned)."""
    from workforce.ingest.cbs import read_sick_leave

    frame = _quarterly(read_sick_leave(), "sick_leave_pct").filter(
        pl.col("sector_key").is_in(SICK_LEAVE_SECTORS)
    )
    return frame.select(
        unique_id=pl.lit("sick_leave/NL/") + pl.col("sector_key").replace_strict(CARE_SECTORS),
        ds="period",
        y="value",
    ).sort("unique_id", "ds")


def after_last_gap(series: pl.DataFrame) -> pl.DataFrame:
    """Each quarterly series from its last missing quarter on, so that periods are contiguous.

    CBS leaves some branches blank for years (86 in 2004-2007); models that count steps must not
    bridge such a gap silently.
    """
    months = pl.col("ds").dt.year() * 12 + pl.col("ds").dt.month()
    return (
        series.sort("unique_id", "ds")
        .with_columns(
            gap=(months.diff().over("unique_id") > 3).fill_null(False).cum_sum().over("unique_id")
        )
        .filter(pl.col("gap") == pl.col("gap").max().over("unique_id"))
        .drop("gap")
    )


def real_series() -> pl.DataFrame:
    """All real series of the accuracy report, long format (``unique_id, ds, y``)."""
    return after_last_gap(pl.concat([vacancy_series(), sick_leave_series()]))
