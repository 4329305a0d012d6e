"""The regional-employer tables per region and for the regions together, disclosed as one."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from workforce.privacy import DEFAULT_K, SUPPRESSED, TOTAL
from workforce.regional import load_marts
from workforce.regional.data import RegionalMarts
from workforce.regional.kpis import regional_kpis
from workforce.regional.network import flows
from workforce.regional.outputs import compute_regional, disclosed_flex_pool
from workforce.regional.published import AREA_REGIONS
from workforce.regional.scope import for_regions
from workforce.regional.split import REGIONS_TOGETHER, region_part, split_regions

CELL = ["period", "period_type", "sector_code", "profession_code"]


@pytest.fixture(scope="module")
def marts(area_data: Path) -> RegionalMarts:
    return load_marts(area_data)


@pytest.fixture(scope="module")
def outputs(marts: RegionalMarts) -> dict[str, pl.DataFrame]:
    return compute_regional(marts)


def test_the_kpis_hold_each_region_and_the_regions_together(
    outputs: dict[str, pl.DataFrame],
) -> None:
    kpis = outputs["kpis"]
    assert sorted(kpis["region_code"].unique()) == sorted([*AREA_REGIONS, REGIONS_TOGETHER])
    for name in ("retention", "retirement_wave", "sector_flows", "flex_pool"):
        assert set(outputs[name]["region_code"].unique()) == {*AREA_REGIONS, REGIONS_TOGETHER}


def test_a_regions_published_kpis_are_those_of_the_region_alone(
    marts: RegionalMarts, outputs: dict[str, pl.DataFrame]
) -> None:
    """Moves to another region are outflow of the region alone: its own KPIs, not a share of
    the regions together."""
    region = "AM14"
    alone = regional_kpis(for_regions(marts, [region]), period="year")
    published = (
        region_part(outputs["kpis"], region)
        .filter((pl.col("period_type") == "year") & ~pl.col(SUPPRESSED))
        .drop(SUPPRESSED)
    )
    assert published.height > 0.5 * alone.height
    joined = published.join(alone, on=["period", "sector_code", "profession_code"], suffix="_a")
    assert joined.height == published.height
    for column in ("headcount", "regional_leavers", "internal_moves", "leavers", "open"):
        assert (joined[column] == joined[f"{column}_a"]).all(), column
    total = joined.filter((pl.col("sector_code") == TOTAL) & (pl.col("profession_code") == TOTAL))
    together = region_part(outputs["kpis"], REGIONS_TOGETHER).filter(
        (pl.col("period_type") == "year")
        & (pl.col("sector_code") == TOTAL)
        & (pl.col("profession_code") == TOTAL)
    )
    # A move from Amersfoort to Midden-Utrecht is a regional leaver of Amersfoort alone.
    crossing = marts.mobility.filter(
        (pl.col("from_region_code") == region) & (pl.col("to_region_code") != region)
    )
    assert crossing.height > 0
    assert (total["internal_moves"] < together["internal_moves"]).all()


def test_no_cell_below_k_and_no_lone_hidden_region_beside_the_regions_together(
    outputs: dict[str, pl.DataFrame],
) -> None:
    """Staff add up over the regions: one hidden region in a cell whose other regions and
    total are shown would be found by subtraction."""
    kpis = outputs["kpis"]
    shown = kpis.filter(~pl.col(SUPPRESSED))
    assert (shown["headcount"] >= DEFAULT_K).all()
    hidden_per_cell = kpis.group_by(CELL).agg(hidden=pl.col(SUPPRESSED).sum())
    assert hidden_per_cell.filter(pl.col("hidden") == 1).is_empty()
    assert hidden_per_cell.filter(pl.col("hidden") >= 2).height > 0  # the rule is exercised


def test_moves_between_regions_cannot_be_found_from_the_sector_flows(
    marts: RegionalMarts, outputs: dict[str, pl.DataFrame]
) -> None:
    """The regions together hold the moves between two regions on top of each region's own:
    a sector pair with such moves never shows every region and the total."""
    regions = split_regions(marts)
    together = flows(marts, level="sector").rename({"moves": "together"})
    inside = (
        pl.concat([flows(for_regions(marts, [r]), level="sector") for r in regions])
        .group_by("source", "target")
        .agg(inside=pl.col("moves").sum())
    )
    between = (
        together.join(inside, on=["source", "target"], how="left")
        .with_columns(between=pl.col("together") - pl.col("inside").fill_null(0))
        .filter(pl.col("between") > 0)
    )
    assert between.height > 0
    matrix = outputs["sector_flows"]
    for source, target in between.select("source", "target").iter_rows():
        cells = matrix.filter((pl.col("source_id") == source) & (pl.col("target_id") == target))
        assert cells.filter(pl.col(SUPPRESSED)).height >= 1, (source, target)
    assert "between_regions" not in matrix["region_code"].to_list()


@pytest.mark.parametrize("k", [DEFAULT_K, 40])
def test_the_flex_pool_hides_a_regions_small_cell_and_every_cell_that_would_reveal_it(
    marts: RegionalMarts, outputs: dict[str, pl.DataFrame], k: int
) -> None:
    """A profession with few vacancies in one region is hidden there; neither the other
    regions beside the regions together nor the other professions beside the region's total
    give it away."""
    pool = (
        outputs["flex_pool"]
        if k == DEFAULT_K
        else disclosed_flex_pool(marts, k=k, regions=split_regions(marts))
    )
    start = pl.date(2023, 1, 1)  # the 36-month window up to the marts' last month, 2025-12
    assert marts.vacancies_monthly["month"].max() == dt.date(2025, 12, 1)
    opened = pl.concat(
        [
            for_regions(marts, [region])
            .vacancies_monthly.filter(pl.col("month") >= start)
            .group_by("profession_code")
            .agg(expected=pl.col("opened").sum())
            .with_columns(region_code=pl.lit(region))
            for region in AREA_REGIONS
        ]
    )
    cells = pool.join(opened, on=["region_code", "profession_code"])
    small = cells.filter(pl.col("expected") < k)
    assert small[SUPPRESSED].all()
    assert pool[SUPPRESSED].any()  # the rule is exercised
    if k > DEFAULT_K:
        assert small.height > 0
    shown = pool.filter(~pl.col(SUPPRESSED))
    assert (shown["vacancies"] >= k).all()
    assert (
        pool.filter(pl.col(SUPPRESSED)).select("separate_fte", "pooled_fte").null_count().row(0)
        == (pool[SUPPRESSED].sum(),) * 2
    )
    for dim in ("region_code", "profession_code"):
        other = "profession_code" if dim == "region_code" else "region_code"
        hidden = pool.group_by(other).agg(pl.col(SUPPRESSED).sum())
        assert not (hidden[SUPPRESSED] == 1).any(), dim
