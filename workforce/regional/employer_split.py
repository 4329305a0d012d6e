"""The tables per employer (flows, benchmarks, pooled vacancies) of each region alone and of
the regions together, disclosed as one table (the flows see :func:`employer_flows_by_region`).

A region alone is seen through :func:`~workforce.regional.scope.for_regions`: a move to an
employer in another region is outflow there (and a hire from one is new to the region), so an
employer's figures in its region differ from its figures in the regions together. Each table
carries ``region_code`` (:data:`~workforce.regional.split.REGIONS_TOGETHER` for the regions
together) and passes :func:`~workforce.privacy.disclose` once, with the region as one more
dimension whose total is the regions together: a region's hidden cell cannot be found from
the other regions and the regions together, nor from an employer's own figures.

Where the regions together and the sum of the regions differ (moves between two regions count
only in the regions together; a hire from another region counts as new in that region alone),
the difference per cell is a cell of its own (:data:`~workforce.regional.split.BETWEEN_REGIONS`),
held to the same threshold and never shown: a difference of k people or more may be found by
subtraction, a smaller one is hidden with the cells that would reveal it. (A move between two
employers of different regions is itself a cell of the regions together; its difference is
that same cell.)
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from workforce.privacy import (
    DEFAULT_K,
    PUBLIC,
    SUPPRESSED,
    TOTAL,
    Viewer,
    disclose,
    employer_view,
)
from workforce.reference import Reference
from workforce.regional.benchmarks import AVERAGE_PEOPLE, benchmark_table
from workforce.regional.data import RegionalMarts
from workforce.regional.flexpool import POOLED_VACANCY_SUMS, vacancy_cells, with_vacancy_rates
from workforce.regional.network import DEFAULT_WINDOW_MONTHS, employer_flow_matrix, flows
from workforce.regional.scope import for_regions
from workforce.regional.split import (
    BETWEEN_REGIONS,
    REGIONS_TOGETHER,
    by_region,
    region_scope,
    split_regions,
)


def between_regions(
    table: pl.DataFrame, *, cell: Sequence[str], count: str, where: pl.Expr | None = None
) -> pl.DataFrame:
    """Rows of :data:`BETWEEN_REGIONS`: per ``cell`` (of the rows ``where`` selects), how many
    people the regions together and the sum of the regions differ by, where they differ."""
    cell = list(cell)
    rows = table if where is None else table.filter(where)
    regions = (
        rows.filter(pl.col("region_code") != REGIONS_TOGETHER)
        .group_by(cell)
        .agg(_regions=pl.col(count).sum())
    )
    together = rows.filter(pl.col("region_code") == REGIONS_TOGETHER).select(
        *cell, _together=pl.col(count)
    )
    return (
        together.join(regions, on=cell, how="full", coalesce=True)
        .select(
            pl.lit(BETWEEN_REGIONS, pl.String).alias("region_code"),
            *cell,
            (pl.col("_together").fill_null(0) - pl.col("_regions").fill_null(0))
            .abs()
            .cast(table.schema[count])
            .alias(count),
        )
        .filter(pl.col(count) > 0)
    )


def disclose_across_regions(
    table: pl.DataFrame,
    *,
    dims: Sequence[str],
    count: str,
    by: Sequence[str] = (),
    k: int = DEFAULT_K,
    viewer: Viewer = PUBLIC,
    between_where: pl.Expr | None = None,
    values: Sequence[str] | None = None,
    sums: Sequence[str] = (),
    employer_column: str | Sequence[str] = "employer_id",
) -> pl.DataFrame:
    """A table of :func:`~workforce.regional.split.by_region` per employer under one
    disclosure control over every scope (see the module docstring); ``between_where`` picks
    the rows whose count adds up over the regions exactly enough to be compared."""
    split = table["region_code"].n_unique() > 1
    if split:
        between = between_regions(table, cell=[*by, *dims], count=count, where=between_where)
        table = pl.concat([table, between], how="diagonal_relaxed")
    scope_dims, scope_by = region_scope(table, dims, by)
    disclosed = disclose(
        table,
        dims=scope_dims,
        by=scope_by,
        count=count,
        k=k,
        viewer=viewer,
        values=values,
        sums=sums,
        employer_column=employer_column,
    )
    return disclosed.filter(pl.col("region_code") != BETWEEN_REGIONS)


@employer_view(count="moves", dims=("source_id", "target_id"), by=("region_code",))
def employer_flows_by_region(
    marts: RegionalMarts,
    *,
    k: int = DEFAULT_K,
    viewer: Viewer = PUBLIC,
    regions: Sequence[str] | None = None,
    months: int | None = DEFAULT_WINDOW_MONTHS,
    reference: Reference | None = None,
) -> pl.DataFrame:
    """Moves from employer ``source_id`` to ``target_id`` for the regions together (with
    outflow and inflow totals, as :func:`~workforce.regional.employer_flow_matrix`) and per
    region alone (``regions``, default every region of the marts): ``region_code, source_id,
    target_id, moves, suppressed``.

    A region alone holds the moves between two of its employers. Such a pair is shown only
    when its moves in the region alone are the very cell the regions together publish (the
    same moves, so nothing new can be derived); a pair whose moves differ (an employer with
    sites in two regions) is hidden. A region alone has no totals: the moves to the other
    regions are outflow there, and its totals would give them away beside the regions
    together's.
    """
    regions = split_regions(marts) if regions is None else list(regions)
    scope = for_regions(marts, regions, reference) if regions else marts
    together = employer_flow_matrix(scope, k=k, viewer=viewer, months=months)
    parts = [together.with_columns(region_code=pl.lit(REGIONS_TOGETHER, pl.String))]
    pairs = together.filter((pl.col("source_id") != TOTAL) & (pl.col("target_id") != TOTAL)).select(
        "source_id", "target_id", together="moves", shown=~pl.col(SUPPRESSED)
    )
    for region in regions:
        alone = flows(for_regions(marts, [region], reference), level="employer", months=months)
        same = (
            alone.rename({"source": "source_id", "target": "target_id"})
            .join(pairs, on=["source_id", "target_id"], how="left")
            .with_columns(
                shown=pl.col("shown").fill_null(False)
                & (pl.col("moves") == pl.col("together")).fill_null(False)
            )
        )
        parts.append(
            same.select(
                region_code=pl.lit(region, pl.String),
                source_id="source_id",
                target_id="target_id",
                moves=pl.when("shown").then("moves").cast(together.schema["moves"]),
                suppressed=~pl.col("shown"),
            )
        )
    columns = ["region_code", "source_id", "target_id", "moves", SUPPRESSED]
    return pl.concat([part.select(columns) for part in parts])


@employer_view(count="people", dims=("employer_id",), by=("region_code", "metric"))
def benchmarks_by_region(
    marts: RegionalMarts,
    *,
    k: int = DEFAULT_K,
    viewer: Viewer = PUBLIC,
    regions: Sequence[str] | None = None,
    months: int = 12,
    reference: Reference | None = None,
) -> pl.DataFrame:
    """Every employer against its region, per region alone and for the regions together:
    ``region_code, metric, employer_id, value, people, suppressed`` (the region's value is
    ``employer_id == total``), as :func:`~workforce.regional.employer_benchmarks`."""
    regions = split_regions(marts) if regions is None else list(regions)
    table = by_region(marts, lambda m: benchmark_table(m, months=months), regions, reference)
    return disclose_across_regions(
        table,
        dims=["employer_id"],
        by=["metric"],
        count="people",
        k=k,
        viewer=viewer,
        between_where=~pl.col("metric").is_in(AVERAGE_PEOPLE),
        values=["value", "people"],
    ).select("region_code", "metric", "employer_id", "value", "people", SUPPRESSED)


@employer_view(count="headcount", dims=("employer_id", "profession_code"), by=("region_code",))
def pooled_vacancies_by_region(
    marts: RegionalMarts,
    *,
    k: int = DEFAULT_K,
    viewer: Viewer = PUBLIC,
    regions: Sequence[str] | None = None,
    reference: Reference | None = None,
) -> pl.DataFrame:
    """Open vacancies per employer and profession in the last month, per region alone and
    for the regions together, as :func:`~workforce.regional.pooled_vacancies`."""
    regions = split_regions(marts) if regions is None else list(regions)
    table = by_region(marts, vacancy_cells, regions, reference)
    return with_vacancy_rates(
        disclose_across_regions(
            table,
            dims=["employer_id", "profession_code"],
            count="headcount",
            k=k,
            viewer=viewer,
            sums=POOLED_VACANCY_SUMS,
        )
    )
