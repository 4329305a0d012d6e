"""The labour-market regions side by side, with the published figures and the national context.

Per region, and for the chosen regions together as one employer (:data:`AREA`), at the newest
month of the marts: staff, the shortage now (open vacancies: demand = filled + open posts) in
persons and FTE and its share of demand, vacancies per 1,000 jobs, the median time to fill,
turnover out of the region and retention of new hires, moves to and from the other regions; the
shortage the data show at the end of 2022 beside the published 2022 figure, and the projected
shortage of the forecast when there is one. The tension per profession follows UWV's indicator
as the outlook does: open vacancies per newcomer hired in the last quarter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl

from workforce.outlook.shortage import tension_band
from workforce.privacy import (
    DEFAULT_K,
    SUPPRESSED,
    TOTAL,
    disclose,
    two_contributor_cells,
)
from workforce.reference import Reference
from workforce.regional.data import (
    NEW_TO_REGION,
    REGIONAL_TURNOVER,
    RegionalMarts,
    last_month,
)
from workforce.regional.kpis import retention, weighted_median
from workforce.regional.published import (
    AREA_REGIONS,
    NATIONAL_EMPLOYEES_2020,
    NATIONAL_SHORTAGE_IN_TEN_YEARS,
    NATIONAL_SOURCE_EMPLOYEES,
    NATIONAL_SOURCE_SHORTAGE,
    PUBLISHED_2022,
    PUBLISHED_AREA_SHORTAGE_2022,
    PUBLISHED_AREA_SHORTAGE_2031,
    REGIONAL_SOURCE,
)
from workforce.regional.scope import for_regions, moves_between_regions

if TYPE_CHECKING:
    from workforce.regional.projection import ProjectedShortage

AREA = "area"
"""``region_code`` of the chosen regions together."""
PUBLISHED_MONTH = dt.date(2022, 12, 1)
"""The month the published 2022 shortages are compared with."""
WINDOW_MONTHS = 12
"""Flows (turnover, moves, time to fill) are summed over this many newest months."""


@dataclass(frozen=True)
class RegionComparison:
    """The comparison of some regions at ``month``."""

    month: dt.date
    table: pl.DataFrame
    """One row per region and one for :data:`AREA`; see :func:`compare_regions`."""
    tension: pl.DataFrame
    """Region x profession: ``open``, ``newcomers`` (last quarter), ``tension_ratio``,
    ``tension_band``, ``headcount``, ``suppressed`` (cells of fewer than k staff)."""
    moves: pl.DataFrame
    """Moves between the regions arriving in the four quarters up to ``month``'s: from, to,
    moves."""


def _months_back(month: dt.date, months: int) -> dt.date:
    index = month.year * 12 + month.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


def _at(frame: pl.DataFrame, month: dt.date, columns: Sequence[str]) -> dict[str, float]:
    row = frame.filter(pl.col("month") == month).select(pl.col(list(columns)).sum())
    return {name: float(value or 0) for name, value in row.row(0, named=True).items()}


def _retention_12(marts: RegionalMarts) -> float | None:
    """12-month retention of the newest fully followed cohort of people new to the region."""
    table = retention(marts, years=(1,)).filter(
        (pl.col("cohort") == "new_hires")
        & (pl.col("profession_code") == TOTAL)
        & pl.col("retention_12").is_not_null()
    )
    if table.is_empty():
        return None
    return float(table.sort("cohort_year")["retention_12"][-1])


def region_figures(marts: RegionalMarts, month: dt.date) -> dict[str, float | None]:
    """The comparison's figures of one scope (marts already cut by :func:`for_regions`)."""
    staff = _at(marts.workforce_monthly, month, ["headcount", "fte"])
    open_now = _at(marts.vacancies_monthly, month, ["open", "open_fte"])
    staff_2022 = _at(marts.workforce_monthly, PUBLISHED_MONTH, ["headcount"])
    open_2022 = _at(marts.vacancies_monthly, PUBLISHED_MONTH, ["open"])
    since = _months_back(month, WINDOW_MONTHS - 1)
    window = marts.workforce_monthly.filter(pl.col("month").is_between(since, month))
    leaving = window.select(
        pl.sum_horizontal(pl.col(f"leavers_{d}") for d in REGIONAL_TURNOVER).sum()
    ).item()
    average = window.group_by("month").agg(pl.sum("headcount").cast(pl.Float64))["headcount"].mean()
    fills = weighted_median(
        marts.vacancies_monthly.filter(pl.col("month").is_between(since, month)).with_columns(
            scope=pl.lit(1)
        ),
        ["scope"],
        value="median_days_to_fill",
        weight="filled",
    )
    demand = staff["headcount"] + open_now["open"]
    demand_2022 = staff_2022["headcount"] + open_2022["open"]
    return {
        "headcount": staff["headcount"],
        "fte": staff["fte"],
        "shortage_persons": open_now["open"],
        "shortage_fte": open_now["open_fte"],
        "demand_persons": demand,
        "shortage_share": open_now["open"] / demand if demand else None,
        "vacancies_per_1000_jobs": 1000 * open_now["open"] / staff["headcount"]
        if staff["headcount"]
        else None,
        "median_days_to_fill": float(fills["median_days_to_fill"][0]) if fills.height else None,
        "turnover_rate": float(leaving) / average
        if isinstance(average, float) and average
        else None,
        "retention_12": _retention_12(marts),
        "shortage_2022": open_2022["open"],
        "shortage_share_2022": open_2022["open"] / demand_2022 if demand_2022 else None,
    }


def _projected(forecasts: pl.DataFrame | None, regions: Sequence[str], year: int) -> pl.DataFrame:
    """Projected shortage (persons, FTE) per region in ``year`` from the shortage forecast."""
    empty = pl.DataFrame(
        schema={
            "region_code": pl.String,
            "projected_year": pl.Int64,
            "projected_shortage_persons": pl.Float64,
            "projected_shortage_persons_lo_80": pl.Float64,
            "projected_shortage_persons_hi_80": pl.Float64,
            "projected_shortage_fte": pl.Float64,
        }
    )
    if forecasts is None or forecasts.is_empty():
        return empty
    yearly = forecasts.filter(pl.col("resolution") == "year")
    rows = yearly.filter(
        (pl.col("level") == "region_code") & pl.col("region_code").is_in(list(regions))
    )
    if rows.is_empty():
        return empty
    forecast_regions = set(yearly.filter(pl.col("level") == "region_code")["region_code"])
    if set(regions) == forecast_regions:
        # All the forecast's regions: the area node, with its own (joint) interval.
        area = yearly.filter(pl.col("level") == "total").with_columns(region_code=pl.lit(AREA))
        rows = pl.concat([rows, area.select(rows.columns)])
    last = int(rows["month"].dt.year().max())  # type: ignore[arg-type]
    at = min(year, last)
    return rows.filter(pl.col("month").dt.year() == at).select(
        "region_code",
        projected_year=pl.lit(at, dtype=pl.Int64),
        projected_shortage_persons="shortage_persons",
        **{
            f"projected_shortage_persons_{bound}": pl.col(f"shortage_persons_{bound}")
            if f"shortage_persons_{bound}" in rows.columns
            else pl.lit(None, pl.Float64)
            for bound in ("lo_80", "hi_80")
        },
        projected_shortage_fte="shortage_fte",
    )


def compare_regions(
    marts: RegionalMarts,
    *,
    regions: Sequence[str] = AREA_REGIONS,
    forecasts: pl.DataFrame | None = None,
    projected_year: int = 2031,
    together: ProjectedShortage | None = None,
    reference: Reference | None = None,
    k: int = DEFAULT_K,
) -> RegionComparison:
    """Each of ``regions`` and all of them together, at the newest month of the marts.

    ``forecasts`` is the shortage forecast (``forecasts/shortage.parquet``), if any: its region
    nodes give the projected shortage in ``projected_year`` (or its last year), persons with
    the 80 % interval. When ``regions`` are all the forecast's regions, its area node gives
    the regions together; for another choice they are the regions' sum, with the interval of
    ``together`` (:func:`workforce.regional.projection.projected_together`, for the same
    year) when given, else unknown: the sum of the regions' intervals would overstate it.
    Table columns: ``region_code`` (or :data:`AREA`), the figures of :func:`region_figures`,
    ``moves_out`` and ``moves_in`` (to and from the other chosen regions),
    ``published_shortage_2022``, ``published_share_2022`` and the projected shortage.
    """
    regions = list(regions)
    month = last_month(marts)
    # The mobility mart counts arrivals per quarter: the four quarters up to the newest month's.
    quarter = month.replace(month=(month.month - 1) // 3 * 3 + 1)
    pairs = moves_between_regions(
        marts.mobility.filter(
            pl.col("from_region_code").is_in(regions) & pl.col("to_region_code").is_in(regions)
        ),
        since=_months_back(quarter, WINDOW_MONTHS - 3),
    ).filter(pl.col("from_region_code") != pl.col("to_region_code"))
    rows = []
    for code in [*regions, AREA]:
        scope = regions if code == AREA else [code]
        figures = region_figures(for_regions(marts, scope, reference), month)
        out = pairs.filter(
            pl.col("from_region_code").is_in(scope) & ~pl.col("to_region_code").is_in(scope)
        )["moves"].sum()
        into = pairs.filter(
            ~pl.col("from_region_code").is_in(scope) & pl.col("to_region_code").is_in(scope)
        )["moves"].sum()
        published = PUBLISHED_2022.get(code)
        whole_area = code == AREA and set(regions) == set(AREA_REGIONS)
        rows.append(
            {
                "region_code": code,
                **figures,
                "moves_out": int(out),
                "moves_in": int(into),
                "published_shortage_2022": published.shortage
                if published
                else (PUBLISHED_AREA_SHORTAGE_2022 if whole_area else None),
                "published_share_2022": published.share_of_demand if published else None,
                "published_shortage_2031": PUBLISHED_AREA_SHORTAGE_2031 if whole_area else None,
            }
        )
    table = pl.DataFrame(rows, infer_schema_length=None)
    projected = _projected(forecasts, regions, projected_year)
    if projected.height and AREA not in projected["region_code"]:
        same_year = (
            together is not None
            and together.year == projected["projected_year"][0]
            and set(together.regions) == set(projected["region_code"])
        )
        total = projected.select(
            region_code=pl.lit(AREA),
            projected_year=pl.col("projected_year").first(),
            projected_shortage_persons=pl.sum("projected_shortage_persons"),
            projected_shortage_persons_lo_80=pl.lit(
                together.persons_lo_80 if together and same_year else None, pl.Float64
            ),
            projected_shortage_persons_hi_80=pl.lit(
                together.persons_hi_80 if together and same_year else None, pl.Float64
            ),
            projected_shortage_fte=pl.sum("projected_shortage_fte"),
        )
        projected = pl.concat([projected, total])
    table = table.join(projected, on="region_code", how="left", maintain_order="left")
    return RegionComparison(
        month=month,
        table=table,
        tension=profession_tension(marts, regions=regions, month=month, reference=reference, k=k),
        moves=pairs,
    )


def profession_tension(
    marts: RegionalMarts,
    *,
    regions: Sequence[str] = AREA_REGIONS,
    month: dt.date | None = None,
    reference: Reference | None = None,
    k: int = DEFAULT_K,
) -> pl.DataFrame:
    """Open vacancies per newcomer of the last quarter, per region and profession, with UWV's
    band. A cell of fewer than ``k`` staff, or whose staff work for one or two employers (one
    of them below ``k``), is hidden with any cell that would reveal it."""
    month = month or last_month(marts)
    since = _months_back(month, 2)
    parts, contributions = [], []
    for code in regions:
        scope = for_regions(marts, [code], reference)
        recent = scope.workforce_monthly.filter(pl.col("month").is_between(since, month))
        staff = recent.group_by("profession_code").agg(
            headcount=pl.col("headcount").filter(pl.col("month") == month).sum(),
            newcomers=pl.sum_horizontal(pl.col(f"hires_{o}") for o in NEW_TO_REGION).sum(),
        )
        vacancies = (
            scope.vacancies_monthly.filter(pl.col("month") == month)
            .group_by("profession_code")
            .agg(pl.sum("open"))
        )
        parts.append(
            staff.join(vacancies, on="profession_code", how="full", coalesce=True).with_columns(
                region_code=pl.lit(code)
            )
        )
        contributions.append(
            recent.filter(pl.col("month") == month)
            .group_by("profession_code", "employer_id")
            .agg(pl.sum("headcount"))
            .with_columns(region_code=pl.lit(code))
        )
    keys = ["region_code", "profession_code"]
    cells = (
        pl.concat(parts)
        .with_columns(pl.col("headcount", "newcomers", "open").fill_null(0))
        .join(dominated_cells(pl.concat(contributions), keys, count="headcount", k=k), on=keys)
    )
    shown = disclose(
        cells.select(*keys, "headcount", "newcomers", "open", "sensitive"),
        dims=["profession_code"],
        by=["region_code"],
        count="headcount",
        sums=["newcomers", "open"],
        values=["headcount", "newcomers", "open"],
        employer_column=[],
        sensitive="sensitive",
        k=k,
    )
    ratio = pl.when(pl.col("newcomers") > 0).then(pl.col("open") / pl.col("newcomers"))
    return (
        shown.with_columns(tension_ratio=ratio)
        .with_columns(
            tension_band=pl.col("tension_ratio").map_elements(tension_band, return_dtype=pl.String)
        )
        .select(
            *keys, "headcount", "open", "newcomers", "tension_ratio", "tension_band", SUPPRESSED
        )
    )


def dominated_cells(
    contributions: pl.DataFrame, keys: Sequence[str], *, count: str, k: int = DEFAULT_K
) -> pl.DataFrame:
    """``keys`` and ``sensitive``: cells whose people work for one employer, or for two of
    which one has fewer than ``k`` (each could find the other's figure by subtraction)."""
    keys = list(keys)
    two = two_contributor_cells(contributions, keys, count=count, k=k)
    employers = (
        contributions.filter(pl.col(count) > 0)
        .group_by(keys)
        .agg(employers=pl.col("employer_id").n_unique())
    )
    return (
        contributions.select(keys)
        .unique()
        .join(employers, on=keys, how="left")
        .join(two, on=keys, how="left")
        .select(
            *keys,
            sensitive=(pl.col("employers").fill_null(0) == 1)
            | pl.col("sensitive").fill_null(False),
        )
    )


def national_context() -> list[tuple[str, int, str]]:
    """(what, figure, source line) of the national figures a comparison is read against."""
    return [
        ("employees in care and welfare", NATIONAL_EMPLOYEES_2020, NATIONAL_SOURCE_EMPLOYEES),
        (
            "expected shortage within ten years",
            NATIONAL_SHORTAGE_IN_TEN_YEARS,
            NATIONAL_SOURCE_SHORTAGE,
        ),
        ("shortage in the three regions, 2022", PUBLISHED_AREA_SHORTAGE_2022, REGIONAL_SOURCE),
        (
            "expected shortage in the three regions, 2031",
            PUBLISHED_AREA_SHORTAGE_2031,
            REGIONAL_SOURCE,
        ),
    ]
