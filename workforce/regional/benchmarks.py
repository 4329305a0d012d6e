"""Each employer against the region, only through disclosure control.

One long table: ``metric, employer_id, value, people`` where ``people`` is the number of
people the value rests on (staff for rates of the workforce, leavers for the share staying
in the region, hires for retention, filled vacancies for time to fill). Every metric is its
own list of employers with the region as its total, passed through
:func:`~workforce.privacy.disclose`.
"""

from __future__ import annotations

import polars as pl

from workforce.marts.compute import FTE_HOURS
from workforce.privacy import DEFAULT_K, PUBLIC, SUPPRESSED, TOTAL, Viewer, disclose, employer_view
from workforce.regional.data import (
    INTERNAL_MOBILITY,
    NEW_TO_REGION,
    REGIONAL_TURNOVER,
    RegionalMarts,
    last_month,
)
from workforce.regional.kpis import regional_careers, weighted_median
from workforce.regional.network import window_start

METRICS = {
    "turnover_rate": "Left regional care per head of average staff",
    "internal_mobility_rate": "Moved to another regional employer (or job) per head",
    "stay_in_region_share": "Share of leavers who stayed in regional care",
    "retention_12": "New hires still in regional care after 12 months",
    "median_days_to_fill": "Median days to fill a vacancy",
    "contract_hours_avg": "Average contract hours per week",
    "share_55_plus": "Share of staff aged 55 or over",
    "vacancy_rate": "Open vacancies / (staff + open vacancies)",
}
"""Benchmark metrics and what they mean."""


def _ratio(metric: str, numerator: str, denominator: str, people: str) -> pl.Expr:
    return pl.struct(
        metric=pl.lit(metric),
        value=pl.col(numerator) / pl.col(denominator),
        people=pl.col(people).round(0).cast(pl.Int64),
    )


def _with_region(frame: pl.DataFrame) -> pl.DataFrame:
    """Employer rows plus a TOTAL row summing every column."""
    region = frame.drop("employer_id").sum().with_columns(employer_id=pl.lit(TOTAL))
    return pl.concat([frame, region.select(frame.columns)])


def _staff_bases(marts: RegionalMarts, months: int) -> pl.DataFrame:
    start = window_start(marts, months)
    end = last_month(marts)
    staff = marts.workforce_monthly.filter(pl.col("month") >= start)
    in_window = staff.select("month").n_unique()
    flows = staff.group_by("employer_id").agg(
        avg_headcount=pl.col("headcount").sum() / in_window,
        regional_leavers=pl.sum_horizontal(f"leavers_{d}" for d in REGIONAL_TURNOVER).sum(),
        internal_moves=pl.sum_horizontal(f"leavers_{d}" for d in INTERNAL_MOBILITY).sum(),
        leavers=pl.col("leavers").sum(),
    )
    now = (
        staff.filter(pl.col("month") == end)
        .group_by("employer_id")
        .agg(
            pl.sum("headcount"),
            hours=pl.col("fte").sum() * FTE_HOURS,
            aged_55_plus=pl.sum_horizontal(
                "headcount_55_59", "headcount_60_64", "headcount_65_plus"
            ).sum(),
        )
    )
    open_now = (
        marts.vacancies_monthly.filter(pl.col("month") == end)
        .group_by("employer_id")
        .agg(pl.sum("open"))
    )
    return (
        flows.join(now, on="employer_id", how="full", coalesce=True)
        .join(open_now, on="employer_id", how="left")
        .fill_null(0)
        .with_columns(staff_and_open=pl.col("headcount") + pl.col("open"))
    )


def _retention_bases(marts: RegionalMarts) -> pl.DataFrame:
    """New hires of the newest cohort year observable for 12 months, per hiring employer."""
    end = last_month(marts)
    year = end.year - 1 if end.month == 12 else end.year - 2
    hires = regional_careers(marts.spells).filter(
        pl.col("hire_origin").is_in(NEW_TO_REGION)
        & (pl.col("start_date").dt.year() == year)
        & (pl.col("start_date") >= pl.col("first_month"))
    )
    anniversary = pl.col("start_date").dt.offset_by("12mo")
    return hires.group_by("employer_id").agg(
        hires=pl.len().cast(pl.Int64),
        retained=(pl.col("career_exit").is_null() | (pl.col("career_exit") >= anniversary))
        .sum()
        .cast(pl.Int64),
    )


def _time_to_fill(marts: RegionalMarts, months: int) -> pl.DataFrame:
    start = window_start(marts, months)
    fills = marts.vacancies_monthly.filter(
        (pl.col("month") >= start) & pl.col("median_days_to_fill").is_not_null()
    )
    per_employer = weighted_median(
        fills, ["employer_id"], value="median_days_to_fill", weight="filled"
    ).join(fills.group_by("employer_id").agg(pl.sum("filled")), on="employer_id")
    region = weighted_median(
        fills.with_columns(employer_id=pl.lit(TOTAL)),
        ["employer_id"],
        value="median_days_to_fill",
        weight="filled",
    ).with_columns(filled=pl.lit(int(fills["filled"].sum()), pl.Int64))
    return pl.concat([per_employer, region.select(per_employer.columns)]).select(
        "employer_id",
        metric=pl.lit("median_days_to_fill"),
        value=pl.col("median_days_to_fill").cast(pl.Float64),
        people=pl.col("filled").cast(pl.Int64),
    )


AVERAGE_PEOPLE = ("turnover_rate", "internal_mobility_rate")
"""Metrics whose ``people`` is a rounded average of staff: regions add up to the regions
together only up to that rounding."""


def benchmark_table(marts: RegionalMarts, *, months: int = 12) -> pl.DataFrame:
    """Every employer's metrics and the region's (``employer_id == total``), before
    disclosure control: ``metric, employer_id, value, people``."""
    staff = _with_region(_staff_bases(marts, months))
    retention = _with_region(_retention_bases(marts))
    ratios = [
        _ratio("turnover_rate", "regional_leavers", "avg_headcount", "avg_headcount"),
        _ratio("internal_mobility_rate", "internal_moves", "avg_headcount", "avg_headcount"),
        _ratio("stay_in_region_share", "internal_moves", "leavers", "leavers"),
        _ratio("contract_hours_avg", "hours", "headcount", "headcount"),
        _ratio("share_55_plus", "aged_55_plus", "headcount", "headcount"),
        _ratio("vacancy_rate", "open", "staff_and_open", "headcount"),
    ]
    long = pl.concat(
        [
            staff.select("employer_id", metrics=pl.concat_list(ratios)).explode("metrics"),
            retention.select(
                "employer_id", metrics=_ratio("retention_12", "retained", "hires", "hires")
            ),
        ]
    ).unnest("metrics")
    return pl.concat([long, _time_to_fill(marts, months).select(long.columns)]).with_columns(
        pl.col("value").fill_nan(None)
    )


@employer_view(count="people", dims=("employer_id",), by=("metric",))
def employer_benchmarks(
    marts: RegionalMarts, *, k: int = DEFAULT_K, viewer: Viewer = PUBLIC, months: int = 12
) -> pl.DataFrame:
    """Every employer against the region over the last ``months`` months (see METRICS).

    Columns: ``metric, employer_id, value, people, suppressed``; the region is
    ``employer_id == total``. Retention is for the newest cohort year followed 12 months.
    """
    return disclose(
        benchmark_table(marts, months=months),
        dims=["employer_id"],
        by=["metric"],
        count="people",
        values=["value", "people"],
        k=k,
        viewer=viewer,
    ).select("metric", "employer_id", "value", "people", SUPPRESSED)


def compare_to_region(benchmarks: pl.DataFrame) -> pl.DataFrame:
    """Employer rows with the region's value beside them and the difference."""
    region = benchmarks.filter(pl.col("employer_id") == TOTAL).select(
        "metric", region_value="value"
    )
    return (
        benchmarks.filter(pl.col("employer_id") != TOTAL)
        .join(region, on="metric", how="left")
        .with_columns(difference=pl.col("value") - pl.col("region_value"))
    )
