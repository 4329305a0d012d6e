"""Every employer-comparing view passes disclosure control; benchmarks against the region."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

import workforce.regional  # noqa: F401  (registers the employer views)
from workforce.privacy import (
    EMPLOYER_VIEWS,
    SUPPRESSED,
    TOTAL,
    UndisclosedViewError,
    Viewer,
    employer_view,
)
from workforce.regional import RegionalMarts, compare_to_region, employer_benchmarks, load_marts
from workforce.regional.benchmarks import METRICS


@pytest.fixture(scope="module")
def region_marts(region_data: Path) -> RegionalMarts:
    return load_marts(region_data)


def test_registry_lists_the_employer_views() -> None:
    assert {
        "employer_benchmarks",
        "employer_flow_matrix",
        "employer_net_flows",
        "pooled_vacancies",
        "sector_flow_matrix",
    } <= set(EMPLOYER_VIEWS)


@pytest.mark.parametrize("k", [10, 80])
@pytest.mark.parametrize("name", sorted(EMPLOYER_VIEWS))
def test_every_employer_view_suppresses_small_cells(
    region_marts: RegionalMarts, name: str, k: int
) -> None:
    view = EMPLOYER_VIEWS[name]

    table = view.function(region_marts, k=k)

    assert SUPPRESSED in table.columns
    visible = table.filter(~pl.col(SUPPRESSED))
    assert (visible[view.count] >= k).all(), name
    hidden = table.filter(pl.col(SUPPRESSED))
    assert hidden[view.count].is_null().all()
    if k == 80:
        assert hidden.height > 0, f"{name} was fed cells below {k}"
    for dim in view.dims:
        others = [d for d in view.dims if d != dim]
        per_group = table.group_by([*view.by, *others]).agg(pl.col(SUPPRESSED).sum())
        assert not (per_group[SUPPRESSED] == 1).any(), (name, dim)


def test_a_view_that_skips_disclosure_is_refused(region_marts: RegionalMarts) -> None:
    @employer_view(count="headcount", dims=("employer_id",))
    def leaky_view(marts: RegionalMarts) -> pl.DataFrame:
        return marts.workforce_monthly.with_columns(suppressed=pl.lit(False))

    try:
        with pytest.raises(UndisclosedViewError, match="leaky_view"):
            leaky_view(region_marts)
    finally:
        EMPLOYER_VIEWS.pop("leaky_view")


def test_benchmarks_compare_every_employer_with_the_region(region_marts: RegionalMarts) -> None:
    table = employer_benchmarks(region_marts)

    assert set(table["metric"]) == set(METRICS)
    region = table.filter(pl.col("employer_id") == TOTAL)
    assert not region[SUPPRESSED].any()
    rates = region.filter(pl.col("metric").is_in(["turnover_rate", "retention_12"]))
    assert rates["value"].is_between(0, 1, closed="none").all()
    compared = compare_to_region(table)
    assert (
        compared["employer_id"].n_unique()
        == region_marts.workforce_monthly["employer_id"].n_unique()
    )
    published = compared.filter(~pl.col(SUPPRESSED))
    assert (published["difference"] == published["value"] - published["region_value"]).all()


def test_an_employer_sees_its_own_row_but_not_other_small_ones(
    region_marts: RegionalMarts,
) -> None:
    small = (
        region_marts.workforce_monthly.filter(
            pl.col("month") == region_marts.workforce_monthly["month"].max()
        )
        .group_by("employer_id")
        .agg(pl.sum("headcount"))
        .sort("headcount")
    )
    viewer = small["employer_id"][0]
    k = int(small["headcount"][0]) + 1

    table = employer_benchmarks(region_marts, k=k, viewer=Viewer(viewer))

    own = table.filter(pl.col("employer_id") == viewer)
    assert not own[SUPPRESSED].any()
    assert own.filter(metric="share_55_plus")["people"].item() == k - 1
    others = table.filter(~pl.col("employer_id").is_in([viewer, TOTAL]) & ~pl.col(SUPPRESSED))
    assert (others["people"] >= k).all()
    public = employer_benchmarks(region_marts, k=k)
    assert public.filter(pl.col("employer_id") == viewer)[SUPPRESSED].any()
