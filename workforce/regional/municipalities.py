"""Municipality drill-down of the chosen regions: staff by place of work, inflow and outflow.

Each cell is a municipality of a region; each region's total is published beside its
municipalities (region total = sum of its municipalities). Every cell passes disclosure
control: fewer than ``k`` people, or people of one employer (or of two, one below ``k``), hide
the cell, and a second cell is hidden where the region's total would reveal it.

Inflow and outflow are those of the chosen regions as one employer (:mod:`workforce.regional.
scope`): moves between the chosen regions are neither. The drill-down is by place of work;
where the staff live is in :mod:`workforce.regional.residence`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import polars as pl

from workforce.privacy import DEFAULT_K, disclose, employer_view
from workforce.reference import Reference
from workforce.regional.comparison import WINDOW_MONTHS, dominated_cells
from workforce.regional.data import NEW_TO_REGION, REGIONAL_TURNOVER, RegionalMarts, last_month
from workforce.regional.published import AREA_REGIONS
from workforce.regional.scope import for_regions, municipality_regions

MEASURES = ("headcount", "inflow", "outflow")
"""Staff at the newest month (by place of work); people new to the chosen regions and people
leaving them, over the last :data:`WINDOW_MONTHS` months."""


def _measure(name: str) -> pl.Expr:
    if name == "headcount":
        return pl.col("headcount")
    origins = NEW_TO_REGION if name == "inflow" else REGIONAL_TURNOVER
    prefix = "hires" if name == "inflow" else "leavers"
    return pl.sum_horizontal(pl.col(f"{prefix}_{o}") for o in origins)


def municipality_contributions(
    marts: RegionalMarts,
    *,
    regions: Sequence[str],
    measure: str,
    month: dt.date | None = None,
    reference: Reference | None = None,
) -> pl.DataFrame:
    """``region_code, municipality_code, employer_id, people`` before any suppression."""
    if measure not in MEASURES:
        raise ValueError(f"unknown measure {measure!r}; one of {', '.join(MEASURES)}")
    month = month or last_month(marts)
    staff = for_regions(marts, regions, reference).workforce_monthly
    if measure == "headcount":
        staff = staff.filter(pl.col("month") == month)
    else:
        first = month.year * 12 + month.month - WINDOW_MONTHS
        since = dt.date(first // 12, first % 12 + 1, 1)
        staff = staff.filter(pl.col("month").is_between(since, month))
    return (
        staff.join(municipality_regions(reference), on="municipality_code")
        .group_by("region_code", "municipality_code", "employer_id")
        .agg(people=_measure(measure).sum().cast(pl.Int64))
    )


@employer_view(count="people", dims=("municipality_code",), by=("region_code",))
def municipality_figures(
    marts: RegionalMarts,
    *,
    regions: Sequence[str] = AREA_REGIONS,
    measure: str = "headcount",
    month: dt.date | None = None,
    reference: Reference | None = None,
    k: int = DEFAULT_K,
) -> pl.DataFrame:
    """Per municipality of ``regions`` (every one, also those without staff) and per region
    (``municipality_code`` = ``total``): ``people`` of ``measure``, ``suppressed``."""
    contributions = municipality_contributions(
        marts, regions=regions, measure=measure, month=month, reference=reference
    )
    keys = ["region_code", "municipality_code"]
    places = municipality_regions(reference).filter(pl.col("region_code").is_in(list(regions)))
    cells = (
        places.select(keys)
        .join(contributions.group_by(keys).agg(pl.sum("people")), on=keys, how="left")
        .join(dominated_cells(contributions, keys, count="people", k=k), on=keys, how="left")
        .with_columns(pl.col("people").fill_null(0), pl.col("sensitive").fill_null(False))
    )
    return disclose(
        cells,
        dims=["municipality_code"],
        by=["region_code"],
        count="people",
        sums=["people"],
        values=["people"],
        employer_column=[],
        sensitive="sensitive",
        k=k,
    ).drop("sensitive")
