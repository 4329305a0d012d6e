"""Mobility network: flows between employers and sectors, net gains, Sankey data."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from workforce.privacy import SUPPRESSED, TOTAL, Viewer
from workforce.regional import (
    RegionalMarts,
    employer_flow_matrix,
    employer_net_flows,
    flows,
    load_marts,
    net_gain,
    sankey,
    sector_flow_matrix,
)


@pytest.fixture(scope="module")
def region_marts(region_data: Path) -> RegionalMarts:
    return load_marts(region_data)


@pytest.fixture(scope="module")
def public_matrix(region_marts: RegionalMarts) -> pl.DataFrame:
    return employer_flow_matrix(region_marts)


@pytest.fixture(scope="module")
def all_flows(region_marts: RegionalMarts) -> pl.DataFrame:
    return flows(region_marts, months=None)


def test_flows_out_of_a_to_b_equal_hires_of_b_from_a(
    region_marts: RegionalMarts, all_flows: pl.DataFrame
) -> None:
    spells = region_marts.spells
    arrived = spells.filter(
        (pl.col("hire_origin") == "other_care_employer")
        & pl.col("start_date").dt.truncate("1mo").is_between("first_month", "last_month")
    )
    hires_from = arrived.group_by(source="previous_employer_id", target="employer_id").agg(
        hires=pl.len().cast(pl.Int64)
    )

    compared = all_flows.join(hires_from, on=["source", "target"], how="full", coalesce=True)

    assert compared.height > 100
    assert (compared["moves"] == compared["hires"]).all()
    hires_per_employer = region_marts.workforce_monthly.group_by(target="employer_id").agg(
        pl.sum("hires_other_care_employer")
    )
    inflow = all_flows.group_by("target").agg(pl.sum("moves")).join(hires_per_employer, on="target")
    assert (inflow["moves"] == inflow["hires_other_care_employer"]).all()


def test_net_gains_add_up_to_zero_over_the_region(region_marts: RegionalMarts) -> None:
    balance = net_gain(employer_net_flows(region_marts, k=1, months=None))

    employers = balance.filter(pl.col("employer_id") != TOTAL)
    assert employers["net"].sum() == 0
    assert employers["gained"].sum() == employers["lost"].sum()


def test_sector_matrix_totals_are_outflows_and_inflows(
    region_marts: RegionalMarts,
) -> None:
    matrix = sector_flow_matrix(region_marts, k=1, months=None)
    by_sector = flows(region_marts, level="sector", months=None)

    lost = matrix.filter((pl.col("target_id") == TOTAL) & (pl.col("source_id") != TOTAL))
    expected = by_sector.group_by(source_id="source").agg(pl.sum("moves"))
    assert dict(lost.select("source_id", "moves").iter_rows()) == dict(expected.iter_rows())


def test_sankey_shows_only_published_flows(public_matrix: pl.DataFrame) -> None:
    matrix = public_matrix
    nodes, links = sankey(matrix)

    published = matrix.filter(
        ~pl.col(SUPPRESSED) & (pl.col("source_id") != TOTAL) & (pl.col("target_id") != TOTAL)
    )
    assert matrix[SUPPRESSED].any()
    assert links.height == published.height
    assert links["value"].sum() == published["moves"].sum()
    assert (links["value"] >= 10).all()
    assert set(links["source"]) <= set(nodes.filter(side="from")["index"])
    assert set(links["target"]) <= set(nodes.filter(side="to")["index"])


def test_an_employer_sees_its_own_small_flows_only(
    region_marts: RegionalMarts, public_matrix: pl.DataFrame
) -> None:
    hidden = public_matrix.filter(pl.col(SUPPRESSED) & (pl.col("source_id") != TOTAL))
    viewer = hidden["source_id"][0]

    own_view = employer_flow_matrix(region_marts, viewer=Viewer(viewer))

    mine = own_view.filter((pl.col("source_id") == viewer) | (pl.col("target_id") == viewer))
    assert not mine[SUPPRESSED].any()
    others = own_view.filter(
        ~pl.col("source_id").is_in([viewer, TOTAL])
        & ~pl.col("target_id").is_in([viewer, TOTAL])
        & ~pl.col(SUPPRESSED)
    )
    assert (others["moves"] >= 10).all()
