"""Regions chosen alone or together: the same moves are internal or outflow, totals add up."""

from __future__ import annotations

import itertools
from pathlib import Path

import polars as pl
import pytest

from workforce.regional import load_marts
from workforce.regional.data import RegionalMarts
from workforce.regional.published import AREA_REGIONS
from workforce.regional.scope import for_regions, moves_between_regions

SCOPES = [combo for size in (1, 2, 3) for combo in itertools.combinations(AREA_REGIONS, size)]
STOCKS = ("headcount", "fte", "hires", "leavers")


@pytest.fixture(scope="module")
def marts(area_data: Path) -> RegionalMarts:
    return load_marts(area_data)


def _totals(frame: pl.DataFrame, columns: tuple[str, ...] | list[str]) -> dict[str, float]:
    return frame.select(pl.col(list(columns)).sum()).row(0, named=True)


def _crossing_moves(marts: RegionalMarts, scope: tuple[str, ...]) -> int:
    """Moves between two different regions of ``scope``."""
    pairs = moves_between_regions(marts.mobility)
    return int(
        pairs.filter(
            pl.col("from_region_code").is_in(scope)
            & pl.col("to_region_code").is_in(scope)
            & (pl.col("from_region_code") != pl.col("to_region_code"))
        )["moves"].sum()
    )


@pytest.mark.parametrize("scope", SCOPES, ids="+".join)
def test_a_scope_is_the_sum_of_its_regions(marts: RegionalMarts, scope: tuple[str, ...]) -> None:
    """Stocks and all hires and leavers add up over the regions of any choice; moves between
    the chosen regions are internal together and outflow/inflow apart."""
    together = for_regions(marts, scope)
    apart = [for_regions(marts, [code]) for code in scope]
    staff = together.workforce_monthly
    sums = _totals(staff, STOCKS)
    for column, value in sums.items():
        assert value == pytest.approx(
            sum(_totals(r.workforce_monthly, [column])[column] for r in apart)
        )
    crossing = _crossing_moves(marts, scope)
    moved_together = _totals(staff, ["hires_other_care_employer", "hires_internal"])
    moved_apart = sum(
        sum(_totals(r.workforce_monthly, ["hires_other_care_employer", "hires_internal"]).values())
        for r in apart
    )
    assert sum(moved_together.values()) == moved_apart + crossing
    if len(scope) > 1:
        assert crossing > 0
    demand = together.demand["required_fte"].sum()
    assert demand == pytest.approx(sum(r.demand["required_fte"].sum() for r in apart))
    opened = together.vacancies_monthly["open"].sum()
    assert opened == sum(r.vacancies_monthly["open"].sum() for r in apart)


def test_the_whole_area_is_the_marts_as_built(marts: RegionalMarts) -> None:
    """All three regions together change nothing: every move of the data is inside the area."""
    assert set(marts.demand["region_code"]) == set(AREA_REGIONS)
    area = for_regions(marts, AREA_REGIONS)
    columns = [c for c in marts.workforce_monthly.columns if c.startswith(("hires", "leavers"))]
    assert _totals(area.workforce_monthly, columns) == _totals(marts.workforce_monthly, columns)
    assert area.spells.height == marts.spells.height
    assert area.mobility["moves"].sum() == marts.mobility["moves"].sum()


def test_no_count_goes_negative_and_moves_out_become_outflow(marts: RegionalMarts) -> None:
    one = for_regions(marts, ["AM12"])
    staff = one.workforce_monthly
    counts = [c for c in staff.columns if c.startswith(("hires_", "leavers_"))]
    assert staff.select(pl.min_horizontal(pl.col(counts).min())).item() >= 0
    spells = one.spells
    out = spells.filter(pl.col("leaver_destination") == "other_care_employer")
    assert out["next_region_code"].is_in(["AM12"]).all()
    assert set(one.mobility["from_region_code"]) | set(one.mobility["to_region_code"]) == {"AM12"}
    left = for_regions(marts, AREA_REGIONS).workforce_monthly.join(
        staff.select("municipality_code").unique(), on="municipality_code"
    )
    assert staff["leavers_care_outside_region"].sum() > left["leavers_care_outside_region"].sum()
