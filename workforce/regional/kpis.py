"""KPIs of the region as one employer: a move between regional employers is no loss.

Every table has ``sector_code`` and ``profession_code`` at each level of detail: the region
(both :data:`~workforce.privacy.TOTAL`), per sector, per profession, and per sector x profession.
Rates are per period (a month, quarter or year), not annualised; ``months`` says how many
months a period holds.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import polars as pl

from workforce.marts.compute import BAND_COLUMNS, FTE_HOURS
from workforce.privacy import TOTAL
from workforce.regional.data import (
    INTERNAL_MOBILITY,
    NEW_TO_REGION,
    REGIONAL_TURNOVER,
    RegionalMarts,
    employer_sectors,
    last_month,
)

Period = Literal["month", "quarter", "year"]
PERIOD_EVERY: dict[str, str] = {"month": "1mo", "quarter": "3mo", "year": "1y"}
DETAIL = ("sector_code", "profession_code")
PENSION_AGE = 67

_FLOWS = (
    "hires",
    *(f"hires_{origin}" for origin in ("internal", "other_care_employer", *NEW_TO_REGION)),
    "leavers",
    *(f"leavers_{destination}" for destination in (*INTERNAL_MOBILITY, *REGIONAL_TURNOVER)),
)
_STOCKS = ("headcount", "fte", *BAND_COLUMNS)
_VACANCY_FLOWS = ("opened", "filled", "withdrawn")
_VACANCY_STOCKS = ("open", "open_fte", "hard_to_fill")


def at_every_level(
    frame: pl.DataFrame, keys: Sequence[str], sums: Sequence[str], dims: Sequence[str] = DETAIL
) -> pl.DataFrame:
    """Sums of ``sums`` per ``keys`` and each subset of ``dims`` (the others set to TOTAL)."""
    parts = []
    for size in range(len(dims) + 1):
        for kept in itertools.combinations(dims, size):
            totalled = [d for d in dims if d not in kept]
            parts.append(
                frame.group_by([*keys, *kept])
                .agg(pl.col(sums).sum())
                .with_columns(pl.lit(TOTAL, pl.String).alias(d) for d in totalled)
                .select(*keys, *dims, *sums)
            )
    return pl.concat(parts).sort([*keys, *dims])


def _period(column: str, period: Period) -> pl.Expr:
    return pl.col(column).dt.truncate(PERIOD_EVERY[period]).alias("period")


def regional_kpis(marts: RegionalMarts, *, period: Period = "month") -> pl.DataFrame:
    """Headcount, FTE, hours, hires, leavers, regional turnover, mobility, vacancies, age.

    Stocks (headcount, FTE, open vacancies, age bands) are at the period's last month;
    ``avg_headcount`` is the mean over its months and is the denominator of the rates.
    ``regional_leavers`` leave regional care, ``internal_moves`` stay in it (another regional
    employer or the same one): together they are all ``leavers``.
    """
    staff = at_every_level(
        marts.workforce_monthly.with_columns(pl.col(_STOCKS).cast(pl.Float64)),
        ["month"],
        [*_STOCKS, *_FLOWS],
    )
    staff = staff.with_columns(_period("month", period))
    months_per_period = (
        staff.select("period", "month").unique().group_by("period").agg(months=pl.len())
    )
    keys = ["period", *DETAIL]
    flows = staff.group_by(keys).agg(pl.col(_FLOWS).sum(), avg_headcount=pl.col("headcount").sum())
    ends = (
        staff.sort("month")
        .group_by(keys)
        .agg(pl.col(_STOCKS).last(), last=pl.col("month").last())
        .join(staff.group_by("period").agg(period_end=pl.col("month").max()), on="period")
        # a cell without staff in the period's last month has no stock then
        .with_columns(
            pl.when(pl.col("last") == pl.col("period_end"))
            .then(pl.col(_STOCKS))
            .otherwise(0.0)
            .name.keep()
        )
        .drop("last", "period_end")
    )
    vacancies = _vacancy_kpis(marts, period)
    table = (
        ends.join(flows, on=keys)
        .join(months_per_period, on="period")
        .join(vacancies, on=keys, how="left")
        .with_columns(pl.col(*_VACANCY_FLOWS, *_VACANCY_STOCKS).fill_null(0))
    )
    regional = pl.sum_horizontal(f"leavers_{d}" for d in REGIONAL_TURNOVER)
    internal = pl.sum_horizontal(f"leavers_{d}" for d in INTERNAL_MOBILITY)
    avg = pl.col("avg_headcount") / pl.col("months")
    return (
        table.with_columns(
            pl.col("headcount", *BAND_COLUMNS).cast(pl.Int64),
            avg_headcount=avg,
            contract_hours_avg=pl.col("fte") * FTE_HOURS / pl.col("headcount"),
            hires_new_to_region=pl.sum_horizontal(f"hires_{o}" for o in NEW_TO_REGION),
            regional_leavers=regional,
            internal_moves=internal,
        )
        .with_columns(
            turnover_rate=pl.col("regional_leavers") / pl.col("avg_headcount"),
            internal_mobility_rate=pl.col("internal_moves") / pl.col("avg_headcount"),
            stay_in_region_share=pl.col("internal_moves") / pl.col("leavers"),
            vacancy_rate=pl.col("open") / (pl.col("headcount") + pl.col("open")),
            vacancy_rate_fte=pl.col("open_fte") / (pl.col("fte") + pl.col("open_fte")),
            hard_to_fill_share=pl.col("hard_to_fill") / pl.col("open"),
            share_55_plus=pl.sum_horizontal(BAND_COLUMNS[-3:]) / pl.col("headcount"),
        )
        .with_columns(pl.selectors.float().fill_nan(None))
        .select(
            "period",
            pl.lit(period).alias("period_type"),
            "months",
            *DETAIL,
            "headcount",
            "fte",
            "avg_headcount",
            "contract_hours_avg",
            *_FLOWS,
            "hires_new_to_region",
            "regional_leavers",
            "internal_moves",
            "turnover_rate",
            "internal_mobility_rate",
            "stay_in_region_share",
            *_VACANCY_STOCKS,
            *_VACANCY_FLOWS,
            "vacancy_rate",
            "vacancy_rate_fte",
            "hard_to_fill_share",
            "median_days_to_fill",
            "share_55_plus",
            *BAND_COLUMNS,
        )
        .sort(keys)
    )


def _vacancy_kpis(marts: RegionalMarts, period: Period) -> pl.DataFrame:
    """Open and hard-to-fill stocks at period end, flows summed, median time to fill."""
    cells = marts.vacancies_monthly.join(employer_sectors(marts), on="employer_id", how="left")
    monthly = at_every_level(cells, ["month"], [*_VACANCY_STOCKS, *_VACANCY_FLOWS]).with_columns(
        _period("month", period)
    )
    keys = ["period", *DETAIL]
    period_end = monthly.group_by("period").agg(period_end=pl.col("month").max())
    stocks = (
        monthly.join(period_end, on="period")
        .filter(pl.col("month") == pl.col("period_end"))
        .select(*keys, *_VACANCY_STOCKS)
    )
    flows = monthly.group_by(keys).agg(pl.col(_VACANCY_FLOWS).sum())
    fills = cells.filter(pl.col("median_days_to_fill").is_not_null()).with_columns(
        _period("month", period)
    )
    fill_days = pl.concat(
        [
            weighted_median(
                fills.with_columns(
                    pl.lit(TOTAL, pl.String).alias(d) for d in DETAIL if d not in kept
                ),
                keys,
                value="median_days_to_fill",
                weight="filled",
            )
            for size in range(len(DETAIL) + 1)
            for kept in itertools.combinations(DETAIL, size)
        ]
    )
    return flows.join(stocks, on=keys, how="full", coalesce=True).join(
        fill_days, on=keys, how="left"
    )


def weighted_median(
    frame: pl.DataFrame, keys: Sequence[str], *, value: str, weight: str
) -> pl.DataFrame:
    """Per ``keys`` the lowest ``value`` at which the cumulative ``weight`` reaches half.

    The marts hold a median time to fill per cell and month; weighting the cell medians by
    the vacancies filled approximates the median over all filled vacancies.
    """
    return (
        frame.filter(pl.col(weight) > 0)
        .sort([*keys, value])
        .with_columns(
            share=pl.col(weight).cum_sum().over(list(keys)) / pl.col(weight).sum().over(list(keys))
        )
        .filter(pl.col("share") >= 0.5)
        .group_by(list(keys))
        .agg(pl.col(value).first())
    )


# -- retention ----------------------------------------------------------------------------------

COHORTS: dict[str, tuple[str, ...]] = {
    "new_hires": NEW_TO_REGION,
    "new_graduates": ("education",),
}
"""Which hire origins make up each retention cohort."""


def regional_careers(spells: pl.DataFrame) -> pl.DataFrame:
    """Each spell with ``career_exit``: when the person left regional care after it.

    Consecutive spells linked as a move (``previous_employer_id`` set) form one regional
    career; it ends with the last spell's end date (null while any spell is ongoing).
    """
    ordered = spells.sort("person_key", "start_date", "employer_id").with_columns(
        career=pl.col("previous_employer_id").is_null().cum_sum().over("person_key")
    )
    ends = ordered.group_by("person_key", "career").agg(
        career_exit=pl.when(pl.col("end_date").is_null().any())
        .then(None)
        .otherwise(pl.col("end_date").max())
    )
    return ordered.join(ends, on=["person_key", "career"], how="left")


def retention(marts: RegionalMarts, *, years: Sequence[int] = (1, 2)) -> pl.DataFrame:
    """Share of a hiring cohort still in regional care 12 and 24 months after starting.

    A cohort is the people new to regional care (``new_hires``; new graduates separately)
    starting in a calendar year at a covered employer; moves between regional employers
    keep them in. A rate is given only when the whole cohort can be followed that long.
    Columns: ``cohort_year, cohort, profession_code, hires``, and per horizon N months
    ``observed_N, retained_N, retention_N``.
    """
    observed_until = last_month(marts) + dt.timedelta(days=31)
    observed_until = observed_until.replace(day=1) - dt.timedelta(days=1)
    careers = regional_careers(marts.spells).filter(pl.col("start_date") >= pl.col("first_month"))
    parts = []
    for cohort, origins in COHORTS.items():
        hires = careers.filter(pl.col("hire_origin").is_in(origins)).with_columns(
            cohort_year=pl.col("start_date").dt.year(), cohort=pl.lit(cohort)
        )
        columns = {}
        for year in years:
            months = 12 * year
            anniversary = pl.col("start_date").dt.offset_by(f"{months}mo")
            seen = anniversary <= observed_until
            stayed = pl.col("career_exit").is_null() | (pl.col("career_exit") >= anniversary)
            columns[f"observed_{months}"] = seen.cast(pl.Int64)
            columns[f"retained_{months}"] = (seen & stayed).cast(pl.Int64)
        flags = hires.with_columns(hires=pl.lit(1, pl.Int64), **columns)
        counted = at_every_level(
            flags,
            ["cohort_year", "cohort"],
            ["hires", *columns],
            dims=("profession_code",),
        )
        parts.append(counted)
    table = pl.concat(parts)
    rates = {
        f"retention_{12 * y}": pl.when(pl.col(f"observed_{12 * y}") == pl.col("hires"))
        .then(pl.col(f"retained_{12 * y}") / pl.col(f"observed_{12 * y}"))
        .otherwise(None)
        for y in years
    }
    ordered = ["hires"]
    for y in years:
        ordered += [f"observed_{12 * y}", f"retained_{12 * y}", f"retention_{12 * y}"]
    return (
        table.with_columns(**rates)
        .select("cohort_year", "cohort", "profession_code", *ordered)
        .sort("cohort", "cohort_year", "profession_code")
    )


# -- retirement wave ----------------------------------------------------------------------------


def current_staff(marts: RegionalMarts) -> pl.DataFrame:
    """One row per person working in the region in the last month (their newest spell)."""
    month = last_month(marts)
    return (
        marts.spells.filter(
            (pl.col("start_date").dt.truncate("1mo") <= month)
            & (pl.col("end_date").is_null() | (pl.col("end_date").dt.truncate("1mo") > month))
        )
        .sort("start_date", descending=True)
        .unique("person_key", keep="first")
    )


def retirement_wave(
    marts: RegionalMarts, *, years: int = 10, pension_age: int = PENSION_AGE
) -> pl.DataFrame:
    """People of today's stock reaching ``pension_age`` in each of the next ``years`` years.

    Anyone already past it counts in the first year. Columns: ``year, profession_code,
    reaching_pension_age, stock, share_of_stock, cumulative, cumulative_share``.
    """
    first_year = last_month(marts).year + 1
    staff = current_staff(marts).with_columns(
        year=pl.max_horizontal(pl.col("birth_year") + pension_age, pl.lit(first_year)),
        one=pl.lit(1, pl.Int64),
    )
    stock = at_every_level(staff, [], ["one"], dims=("profession_code",)).rename({"one": "stock"})
    grid = stock.join(
        pl.DataFrame({"year": list(range(first_year, first_year + years))}), how="cross"
    )
    reaching = at_every_level(
        staff.filter(pl.col("year") < first_year + years),
        ["year"],
        ["one"],
        dims=("profession_code",),
    ).rename({"one": "reaching_pension_age"})
    return (
        grid.join(reaching, on=["year", "profession_code"], how="left")
        .with_columns(pl.col("reaching_pension_age").fill_null(0))
        .sort("profession_code", "year")
        .with_columns(cumulative=pl.col("reaching_pension_age").cum_sum().over("profession_code"))
        .with_columns(
            share_of_stock=pl.col("reaching_pension_age") / pl.col("stock"),
            cumulative_share=pl.col("cumulative") / pl.col("stock"),
        )
        .select(
            "year",
            "profession_code",
            "reaching_pension_age",
            "stock",
            "share_of_stock",
            "cumulative",
            "cumulative_share",
        )
    )


# -- sick leave (CBS 80072ned, sector level) ------------------------------------------------------

SICK_LEAVE_SBI: dict[str, str] = {
    "umc": "86 Gezondheidszorg",
    "hospitals": "86 Gezondheidszorg",
    "mental_health": "86 Gezondheidszorg",
    "general_practice": "86 Gezondheidszorg",
    "elderly_home_care": "87 Verpleging en zorg met overnachting",
    "disability_care": "87 Verpleging en zorg met overnachting",
    "youth_care": "88 Welzijnszorg zonder overnachting",
    "social_work": "88 Welzijnszorg zonder overnachting",
    "childcare": "88 Welzijnszorg zonder overnachting",
    "other_care_welfare": "Q Gezondheids- en welzijnszorg",
}
"""Closest CBS sick-leave branch (SBI 2008) of each care sector; an approximation."""


def sick_leave(path: Path | None = None) -> pl.DataFrame:
    """Sick-leave percentage per care sector and quarter, from the nearest SBI branch.

    ``period, sector_code, sbi_label, sick_leave_pct``; national CBS figures, not regional.
    """
    from workforce.ingest.cbs import read_sick_leave

    cbs = read_sick_leave(path).filter(pl.col("frequency") == "quarter")
    mapping = pl.DataFrame(
        {"sector_code": list(SICK_LEAVE_SBI), "sbi_label": list(SICK_LEAVE_SBI.values())}
    )
    labels = cbs.select("sector_label").unique()["sector_label"].to_list()
    prefixes = {label: _label_for(label, labels) for label in set(SICK_LEAVE_SBI.values())}
    mapping = mapping.with_columns(
        sector_label=pl.col("sbi_label").replace_strict(prefixes, return_dtype=pl.String)
    )
    return (
        mapping.join(cbs, on="sector_label", how="inner")
        .select("period", "sector_code", "sbi_label", sick_leave_pct="value")
        .sort("sector_code", "period")
    )


def _label_for(wanted: str, labels: Sequence[str]) -> str | None:
    """The CBS label starting like ``wanted`` (CBS labels are sometimes cut short)."""
    head = wanted[:20]
    matches = [label for label in labels if label is not None and label.startswith(head)]
    return matches[0] if matches else None
