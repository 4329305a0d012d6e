"""The regional-employer tables split by labour-market region, each region alone and together.

Each region alone is seen through :func:`~workforce.regional.scope.for_regions`: a move to an
employer in another region is outflow there, while with the regions together it is a flow
inside the one regional employer. Tables carry ``region_code``, :data:`REGIONS_TOGETHER` for
the regions together.

Disclosure control runs once over every scope together, with the region as one more dimension
whose total is the regions together: a cell hidden in one region cannot be found by taking the
other regions from the regions together. Where the regions together are more than the sum of
the regions (moves between two regions count only there), the difference is a hidden cell of
its own (:data:`BETWEEN_REGIONS`), so it is protected as any small cell is, and never shown.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import polars as pl

from workforce.privacy import DEFAULT_K, TOTAL, disclose, two_contributor_cells
from workforce.reference import Reference
from workforce.regional.data import RegionalMarts
from workforce.regional.network import DEFAULT_WINDOW_MONTHS, flows
from workforce.regional.scope import for_regions

REGIONS_TOGETHER = TOTAL
"""``region_code`` of the chosen regions together (the region as one employer)."""
BETWEEN_REGIONS = "between_regions"
"""``region_code`` of moves between two regions: part of the regions together only; never shown."""


def marts_regions(marts: RegionalMarts) -> list[str]:
    """The labour-market regions the marts hold staff in, sorted."""
    if "region_code" not in marts.spells.columns:
        return []
    return sorted(marts.spells["region_code"].drop_nulls().unique().to_list())


def split_regions(marts: RegionalMarts) -> list[str]:
    """The regions to split by: none when the marts hold fewer than two."""
    regions = marts_regions(marts)
    return regions if len(regions) > 1 else []


def by_region(
    marts: RegionalMarts,
    compute: Callable[[RegionalMarts], pl.DataFrame],
    regions: Sequence[str],
    reference: Reference | None = None,
) -> pl.DataFrame:
    """``compute`` of each region alone and of ``regions`` together (all of ``marts`` when
    ``regions`` is empty), with ``region_code`` first."""
    together = compute(for_regions(marts, regions, reference) if regions else marts)
    parts = [together.with_columns(region_code=pl.lit(REGIONS_TOGETHER, pl.String))]
    for region in regions:
        alone = compute(for_regions(marts, [region], reference))
        parts.append(alone.with_columns(region_code=pl.lit(region, pl.String)))
    frame = pl.concat(parts, how="diagonal_relaxed")
    return frame.select("region_code", *together.columns)


def region_scope(
    table: pl.DataFrame, dims: Sequence[str], by: Sequence[str]
) -> tuple[list[str], list[str]]:
    """``dims`` and ``by`` of a table split by region for :func:`~workforce.privacy.disclose`:
    with several regions, the region is a dimension (the regions together its total); with
    one, it only groups."""
    if table["region_code"].n_unique() > 1:
        return ["region_code", *dims], list(by)
    return list(dims), ["region_code", *by]


def disclose_by_region(
    table: pl.DataFrame,
    contributions: pl.DataFrame,
    *,
    dims: Sequence[str],
    by: Sequence[str],
    count: str,
    k: int = DEFAULT_K,
    values: Sequence[str] | None = None,
) -> pl.DataFrame:
    """A table of :func:`by_region` under one disclosure control over every scope.

    Hidden: cells below ``k`` people, cells of two employers one of which has fewer than
    ``k`` (``contributions``: per cell and employer), and every cell that would reveal one,
    across sector, profession and region (a region against the regions together).
    ``values`` are the columns hidden with a cell (default: all but the cell's keys).
    """
    keys = [c for c in ("region_code", *by, *dims) if c in contributions.columns]
    flags = two_contributor_cells(contributions, keys, count=count, k=k)
    flagged = table.join(flags, on=keys, how="left").with_columns(
        pl.col("sensitive").fill_null(False)
    )
    scope_dims, scope_by = region_scope(table, dims, by)
    return disclose(
        flagged,
        dims=scope_dims,
        by=scope_by,
        count=count,
        values=values,
        k=k,
        sensitive="sensitive",
    ).drop("sensitive")


def sector_flows_by_region(
    marts: RegionalMarts,
    regions: Sequence[str],
    *,
    k: int = DEFAULT_K,
    months: int | None = DEFAULT_WINDOW_MONTHS,
    reference: Reference | None = None,
) -> pl.DataFrame:
    """Moves between sectors per region and for the regions together, disclosed as one table.

    ``region_code, source_id, target_id, moves, suppressed`` with outflow and inflow totals
    (:data:`~workforce.privacy.TOTAL`) as :func:`~workforce.regional.sector_flow_matrix`.
    A sector may be one employer, so each sector is treated as one.
    """
    table = by_region(marts, lambda m: flows(m, level="sector", months=months), regions, reference)
    if regions:
        inside = (
            table.filter(pl.col("region_code") != REGIONS_TOGETHER)
            .group_by("source", "target")
            .agg(inside=pl.col("moves").sum())
        )
        between = (
            table.filter(pl.col("region_code") == REGIONS_TOGETHER)
            .join(inside, on=["source", "target"], how="left")
            .select(
                region_code=pl.lit(BETWEEN_REGIONS, pl.String),
                source="source",
                target="target",
                moves=pl.col("moves") - pl.col("inside").fill_null(0),
            )
            .filter(pl.col("moves") > 0)
        )
        table = pl.concat([table, between.cast(table.schema)])
    disclosed = disclose(
        table.rename({"source": "source_id", "target": "target_id"}).with_columns(
            sensitive=pl.col("region_code") == BETWEEN_REGIONS
        ),
        dims=["region_code", "source_id", "target_id"] if regions else ["source_id", "target_id"],
        by=[] if regions else ["region_code"],
        count="moves",
        k=k,
        employer_column=("source_id", "target_id"),
        sensitive="sensitive",
    )
    return disclosed.filter(pl.col("region_code") != BETWEEN_REGIONS).drop("sensitive")


def employer_regions(marts: RegionalMarts) -> pl.DataFrame:
    """``employer_id`` with the ``region_code`` where most of its staff work."""
    if "region_code" not in marts.spells.columns:
        return pl.DataFrame(schema={"employer_id": pl.String, "region_code": pl.String})
    return (
        marts.spells.group_by("employer_id", "region_code")
        .agg(spells=pl.len())
        .sort("spells", "region_code", descending=[True, False])
        .unique("employer_id", keep="first")
        .select("employer_id", "region_code")
        .sort("employer_id")
    )


def region_part(frame: pl.DataFrame, region: str = REGIONS_TOGETHER) -> pl.DataFrame:
    """The rows of one scope of a table split by region, without ``region_code``; a table
    without the column is the regions together."""
    if "region_code" not in frame.columns:
        return frame
    return frame.filter(pl.col("region_code") == region).drop("region_code")
