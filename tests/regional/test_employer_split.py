"""The tables per employer of each region alone and the regions together, disclosed as one."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from workforce.privacy import DEFAULT_K, SUPPRESSED, TOTAL
from workforce.regional import load_marts
from workforce.regional.benchmarks import AVERAGE_PEOPLE, benchmark_table
from workforce.regional.data import RegionalMarts
from workforce.regional.employer_split import (
    benchmarks_by_region,
    employer_flows_by_region,
    pooled_vacancies_by_region,
)
from workforce.regional.published import AREA_REGIONS
from workforce.regional.scope import for_regions
from workforce.regional.split import REGIONS_TOGETHER, region_part


@pytest.fixture(scope="module")
def marts(area_data: Path) -> RegionalMarts:
    return load_marts(area_data)


@pytest.fixture(scope="module")
def benchmarks(marts: RegionalMarts) -> pl.DataFrame:
    return benchmarks_by_region(marts)


def test_a_regions_benchmarks_are_those_of_the_region_alone(
    marts: RegionalMarts, benchmarks: pl.DataFrame
) -> None:
    """A move to an employer in another region is outflow of the region alone: its employers'
    turnover and the region's value (the reference line) are the region's own."""
    for region in AREA_REGIONS:
        alone = benchmark_table(for_regions(marts, [region]))
        shown = region_part(benchmarks, region).filter(~pl.col(SUPPRESSED))
        assert shown.filter(pl.col("employer_id") != TOTAL).height > 0
        assert shown.filter(pl.col("employer_id") == TOTAL).height > 0
        joined = shown.join(alone, on=["metric", "employer_id"], suffix="_alone")
        assert joined.height == shown.height
        assert joined["value"].to_list() == pytest.approx(
            joined["value_alone"].to_list(), nan_ok=True
        )
        assert (joined["people"] == joined["people_alone"]).all()


def test_no_small_cell_is_shown_or_found_between_a_region_and_the_regions_together(
    benchmarks: pl.DataFrame,
) -> None:
    shown = benchmarks.filter(~pl.col(SUPPRESSED))
    assert (shown["people"] >= DEFAULT_K).all()
    assert benchmarks.filter(pl.col(SUPPRESSED))["value"].is_null().all()
    # Inside a region the employers add up to the region's value.
    per_region = benchmarks.group_by("region_code", "metric").agg(pl.col(SUPPRESSED).sum())
    assert not (per_region[SUPPRESSED] == 1).any()
    # Staff, leavers and filled vacancies add up over the regions to the regions together.
    additive = benchmarks.filter(pl.col("metric") != "retention_12")
    per_employer = additive.group_by("metric", "employer_id").agg(pl.col(SUPPRESSED).sum())
    assert not (per_employer[SUPPRESSED] == 1).any()
    # A hire from another region is new to the region alone: the regions' hires exceed the
    # regions together's by the hires between regions, never a published difference below k.
    exact = benchmarks.filter(~pl.col("metric").is_in(AVERAGE_PEOPLE))
    published = exact.group_by("metric", "employer_id").agg(
        every=(~pl.col(SUPPRESSED)).all(),
        regions=pl.col("people").filter(pl.col("region_code") != REGIONS_TOGETHER).sum(),
        together=pl.col("people").filter(pl.col("region_code") == REGIONS_TOGETHER).sum(),
    )
    differences = published.filter("every").select(
        (pl.col("regions") - pl.col("together")).abs().alias("difference")
    )["difference"]
    assert ((differences == 0) | (differences >= DEFAULT_K)).all()
    assert benchmarks[SUPPRESSED].sum() > 0  # the rule is exercised


def test_a_regions_employer_flows_show_only_the_cells_the_regions_together_publish(
    marts: RegionalMarts,
) -> None:
    table = employer_flows_by_region(marts)
    together = region_part(table, REGIONS_TOGETHER)
    published = together.filter(~pl.col(SUPPRESSED)).select("source_id", "target_id", "moves")
    for region in AREA_REGIONS:
        alone = region_part(table, region)
        assert alone.height > 0
        assert not alone.filter(
            (pl.col("source_id") == TOTAL) | (pl.col("target_id") == TOTAL)
        ).height
        shown = alone.filter(~pl.col(SUPPRESSED)).select("source_id", "target_id", "moves")
        assert shown.height > 0
        assert shown.join(published, on=["source_id", "target_id", "moves"]).height == shown.height
        assert (shown["moves"] >= DEFAULT_K).all()


def test_pooled_vacancies_per_region_hide_small_cells_across_regions(
    marts: RegionalMarts,
) -> None:
    table = pooled_vacancies_by_region(marts)
    assert set(table["region_code"]) == {*AREA_REGIONS, REGIONS_TOGETHER}
    assert (table.filter(~pl.col(SUPPRESSED))["headcount"] >= DEFAULT_K).all()
    for dim in ("region_code", "employer_id", "profession_code"):
        others = [d for d in ("region_code", "employer_id", "profession_code") if d != dim]
        per_group = table.group_by(others).agg(pl.col(SUPPRESSED).sum())
        assert not (per_group[SUPPRESSED] == 1).any(), dim
