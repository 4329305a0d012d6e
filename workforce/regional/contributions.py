"""Each employer's share of a regional figure: what an employer knows about a regional cell.

A regional cell that only two employers contribute to lets each of them find the other's
contribution by subtracting its own. These frames feed
:func:`workforce.privacy.two_contributor_cells`, which marks such cells when the other
contribution is small.
"""

from __future__ import annotations

import polars as pl

from workforce.regional.data import RegionalMarts
from workforce.regional.flexpool import vacancies_opened
from workforce.regional.kpis import (
    COHORTS,
    DETAIL,
    PERIOD_EVERY,
    Period,
    at_every_level,
    current_staff,
    regional_careers,
)


def kpi_contributions(marts: RegionalMarts, *, period: Period = "month") -> pl.DataFrame:
    """Headcount per employer at each period's end, per cell of :func:`regional_kpis`.

    Columns: ``period, sector_code, profession_code, employer_id, headcount``.
    """
    staff = marts.workforce_monthly.with_columns(
        period=pl.col("month").dt.truncate(PERIOD_EVERY[period])
    )
    ends = staff.group_by("period").agg(end=pl.col("month").max())
    at_end = staff.join(ends, on="period").filter(pl.col("month") == pl.col("end"))
    return at_every_level(at_end, ["period", "employer_id"], ["headcount"], dims=DETAIL)


def retention_contributions(marts: RegionalMarts) -> pl.DataFrame:
    """New hires per hiring employer, per cell of :func:`retention`.

    Columns: ``cohort_year, cohort, profession_code, employer_id, hires``.
    """
    careers = regional_careers(marts.spells).filter(pl.col("start_date") >= pl.col("first_month"))
    parts = [
        at_every_level(
            careers.filter(pl.col("hire_origin").is_in(origins)).with_columns(
                cohort_year=pl.col("start_date").dt.year(),
                cohort=pl.lit(cohort),
                hires=pl.lit(1, pl.Int64),
            ),
            ["cohort_year", "cohort", "employer_id"],
            ["hires"],
            dims=("profession_code",),
        )
        for cohort, origins in COHORTS.items()
    ]
    return pl.concat(parts)


def retirement_contributions(marts: RegionalMarts) -> pl.DataFrame:
    """Today's staff per employer, per profession of :func:`retirement_wave`.

    Columns: ``profession_code, employer_id, stock``.
    """
    staff = current_staff(marts).with_columns(stock=pl.lit(1, pl.Int64))
    return at_every_level(staff, ["employer_id"], ["stock"], dims=("profession_code",))


def flex_pool_contributions(marts: RegionalMarts) -> pl.DataFrame:
    """Vacancies opened per employer, per profession of the flex pool (and their total).

    Columns: ``profession_code, employer_id, vacancies``.
    """
    return at_every_level(
        vacancies_opened(marts), ["employer_id"], ["vacancies"], dims=("profession_code",)
    )
