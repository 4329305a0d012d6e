"""The mobility network: who loses staff to whom inside the region.

Flows come from the ``mobility`` mart (moves between two employers of the region, counted in
the quarter of arrival). Between employers they pass :func:`~workforce.privacy.disclose`
before anyone sees them; a Sankey diagram is drawn only from published flows.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import polars as pl

from workforce.privacy import DEFAULT_K, PUBLIC, SUPPRESSED, TOTAL, Viewer, disclose, employer_view
from workforce.regional.data import RegionalMarts, last_month

Level = Literal["employer", "sector"]
DEFAULT_WINDOW_MONTHS = 36


def window_start(marts: RegionalMarts, months: int | None) -> dt.date | None:
    """First month of the last ``months`` months of data (None: all of it)."""
    if months is None:
        return None
    end = last_month(marts)
    index = end.year * 12 + end.month - 1 - (months - 1)
    return dt.date(index // 12, index % 12 + 1, 1)


def flows(
    marts: RegionalMarts, *, level: Level = "employer", months: int | None = DEFAULT_WINDOW_MONTHS
) -> pl.DataFrame:
    """Moves between employers (or sectors) over the window: ``source, target, moves``.

    Moves inside one employer (a new contract there) are left out: they are not a flow.
    """
    start = window_start(marts, months)
    moves = marts.mobility
    if start is not None:
        moves = moves.filter(
            pl.col("quarter") >= start.replace(month=(start.month - 1) // 3 * 3 + 1)
        )
    column = "employer_id" if level == "employer" else "sector_code"
    return (
        moves.filter(pl.col("from_employer_id") != pl.col("to_employer_id"))
        .group_by(source=f"from_{column}", target=f"to_{column}")
        .agg(pl.sum("moves"))
        .filter(pl.col("source") != pl.col("target"))
        .sort("source", "target")
    )


def _disclosed_matrix(moves: pl.DataFrame, *, k: int, viewer: Viewer) -> pl.DataFrame:
    """Flows with both margins (a source's outflow, a target's inflow) under disclosure.

    A viewing employer sees the flows it is part of, as source or as target.
    """
    return disclose(
        moves.rename({"source": "source_id", "target": "target_id"}),
        dims=["source_id", "target_id"],
        count="moves",
        k=k,
        viewer=viewer,
        employer_column=("source_id", "target_id"),
    )


@employer_view(count="moves", dims=("source_id", "target_id"))
def employer_flow_matrix(
    marts: RegionalMarts,
    *,
    k: int = DEFAULT_K,
    viewer: Viewer = PUBLIC,
    months: int | None = DEFAULT_WINDOW_MONTHS,
) -> pl.DataFrame:
    """Moves from employer ``source_id`` to ``target_id``, with outflow and inflow totals.

    Long format with :data:`~workforce.privacy.TOTAL` rows: ``(A, total)`` is everything A
    lost to other regional employers, ``(total, B)`` everything B gained from them.
    """
    return _disclosed_matrix(flows(marts, level="employer", months=months), k=k, viewer=viewer)


@employer_view(count="moves", dims=("source_id", "target_id"))
def sector_flow_matrix(
    marts: RegionalMarts,
    *,
    k: int = DEFAULT_K,
    viewer: Viewer = PUBLIC,
    months: int | None = DEFAULT_WINDOW_MONTHS,
) -> pl.DataFrame:
    """Moves between sectors with totals; a sector may be one employer, so it is disclosed."""
    return _disclosed_matrix(flows(marts, level="sector", months=months), k=k, viewer=PUBLIC)


@employer_view(count="moves", dims=("employer_id",), by=("direction",))
def employer_net_flows(
    marts: RegionalMarts,
    *,
    k: int = DEFAULT_K,
    viewer: Viewer = PUBLIC,
    months: int | None = DEFAULT_WINDOW_MONTHS,
) -> pl.DataFrame:
    """Per employer: staff gained from and lost to other regional employers.

    Long: ``direction`` in (gained, lost), ``employer_id`` (the region is ``total``),
    ``moves``, ``suppressed``. Taken from the margins of :func:`employer_flow_matrix`, so
    the two tables hide the same figures; :func:`net_gain` gives the net per employer.
    """
    matrix = employer_flow_matrix(marts, k=k, viewer=viewer, months=months)
    gained = matrix.filter(pl.col("source_id") == TOTAL).select(
        direction=pl.lit("gained"), employer_id="target_id", moves="moves", suppressed=SUPPRESSED
    )
    lost = matrix.filter(pl.col("target_id") == TOTAL).select(
        direction=pl.lit("lost"), employer_id="source_id", moves="moves", suppressed=SUPPRESSED
    )
    return pl.concat([gained, lost]).sort("direction", "employer_id")


def net_gain(net_flows: pl.DataFrame, *, node: str = "employer_id") -> pl.DataFrame:
    """``gained, lost, net`` per node from a long gained/lost table (null when either is)."""
    wide = net_flows.pivot(on="direction", index=node, values="moves")
    for direction in ("gained", "lost"):
        if direction not in wide.columns:
            wide = wide.with_columns(pl.lit(None, pl.Int64).alias(direction))
    return wide.with_columns(net=pl.col("gained") - pl.col("lost")).sort(node)


def sector_net_flows(
    marts: RegionalMarts, *, months: int | None = DEFAULT_WINDOW_MONTHS, k: int = DEFAULT_K
) -> pl.DataFrame:
    """Per sector: ``gained, lost, net`` from the disclosed sector flow matrix's totals."""
    return net_flows_of_matrix(sector_flow_matrix(marts, k=k, months=months))


def net_flows_of_matrix(matrix: pl.DataFrame) -> pl.DataFrame:
    """Per sector: ``gained, lost, net`` from a disclosed sector flow matrix's totals."""
    gained = matrix.filter((pl.col("source_id") == TOTAL) & (pl.col("target_id") != TOTAL))
    lost = matrix.filter((pl.col("target_id") == TOTAL) & (pl.col("source_id") != TOTAL))
    return (
        gained.select(sector_code="target_id", gained="moves")
        .join(
            lost.select(sector_code="source_id", lost="moves"),
            on="sector_code",
            how="full",
            coalesce=True,
        )
        .with_columns(net=pl.col("gained") - pl.col("lost"))
        .sort("sector_code")
    )


def flow_matrix_wide(matrix: pl.DataFrame) -> pl.DataFrame:
    """The long disclosed flow matrix as a grid: one row per source, one column per target."""
    return matrix.pivot(on="target_id", index="source_id", values="moves", sort_columns=True).sort(
        "source_id"
    )


def sankey(matrix: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Nodes and links for a Plotly Sankey from published flows (totals and hidden cells out).

    Sources sit on the left, targets on the right (a node may be both, so each side gets
    its own node). ``nodes``: ``index, node_id, side, label``; ``links``: ``source, target,
    value`` as node indices, ready for ``go.Sankey(node=..., link=...)``.
    """
    published = matrix.filter(
        ~pl.col(SUPPRESSED) & (pl.col("source_id") != TOTAL) & (pl.col("target_id") != TOTAL)
    )
    left = (
        published.select(node_id="source_id")
        .unique()
        .sort("node_id")
        .with_columns(side=pl.lit("from"))
    )
    right = (
        published.select(node_id="target_id")
        .unique()
        .sort("node_id")
        .with_columns(side=pl.lit("to"))
    )
    nodes = (
        pl.concat([left, right])
        .with_row_index("index")
        .with_columns(pl.col("index").cast(pl.Int64), label=pl.col("node_id"))
    )
    links = (
        published.join(
            nodes.filter(side="from").select(source_id="node_id", source="index"), on="source_id"
        )
        .join(nodes.filter(side="to").select(target_id="node_id", target="index"), on="target_id")
        .select("source", "target", value="moves")
        .sort("source", "target")
    )
    return nodes.select("index", "node_id", "side", "label"), links


def regional_stay_share(marts: RegionalMarts, *, months: int | None = 12) -> float:
    """Share of leavers in the window who stayed in regional care (moved within the region)."""
    start = window_start(marts, months)
    staff = marts.workforce_monthly
    if start is not None:
        staff = staff.filter(pl.col("month") >= start)
    totals = staff.select(
        stayed=pl.col("leavers_internal").sum() + pl.col("leavers_other_care_employer").sum(),
        leavers=pl.col("leavers").sum(),
    ).row(0)
    return totals[0] / totals[1] if totals[1] else float("nan")
