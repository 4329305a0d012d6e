"""The regions side by side: region rows add up to the area, published figures beside the data."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from workforce.outlook.shortage import tension_band
from workforce.privacy import SUPPRESSED, TOTAL
from workforce.regional import load_marts
from workforce.regional.comparison import AREA, compare_regions, national_context
from workforce.regional.data import RegionalMarts
from workforce.regional.projection import ProjectedShortage
from workforce.regional.published import (
    AREA_REGIONS,
    PUBLISHED_2022,
    PUBLISHED_AREA_SHORTAGE_2022,
    PUBLISHED_AREA_SHORTAGE_2031,
)


@pytest.fixture(scope="module")
def marts(area_data: Path) -> RegionalMarts:
    return load_marts(area_data)


@pytest.fixture(scope="module")
def comparison(marts: RegionalMarts):
    return compare_regions(marts)


def _row(table: pl.DataFrame, code: str) -> dict:
    return table.filter(pl.col("region_code") == code).row(0, named=True)


def test_the_area_is_the_sum_of_its_regions(comparison) -> None:
    table = comparison.table
    assert table["region_code"].to_list() == [*AREA_REGIONS, AREA]
    regions = table.filter(pl.col("region_code") != AREA)
    area = _row(table, AREA)
    for column in ("headcount", "fte", "shortage_persons", "shortage_fte", "shortage_2022"):
        assert area[column] == pytest.approx(regions[column].sum()), column
    # Moves between the three are inside the area: none leave or join it.
    assert area["moves_out"] == area["moves_in"] == 0
    assert (
        regions["moves_out"].sum() == regions["moves_in"].sum() == comparison.moves["moves"].sum()
    )
    # Leaving a region is more than leaving the area, by the moves to the other regions.
    assert (regions["turnover_rate"] > area["turnover_rate"] - 0.005).all()


def test_the_data_meet_each_published_2022_share_within_one_and_a_half_points(comparison) -> None:
    """After ingest and build, the shortage the marts show at the end of 2022 (open posts of
    demand) is within 1.5 points of each region's published share."""
    for code, published in PUBLISHED_2022.items():
        row = _row(comparison.table, code)
        assert row["published_shortage_2022"] == published.shortage
        assert abs(row["shortage_share_2022"] - published.share_of_demand) <= 0.015, code
    area = _row(comparison.table, AREA)
    assert area["published_shortage_2022"] == PUBLISHED_AREA_SHORTAGE_2022
    assert area["published_shortage_2031"] == PUBLISHED_AREA_SHORTAGE_2031


def test_every_figure_a_region_shows_is_a_plausible_rate(comparison) -> None:
    for row in comparison.table.iter_rows(named=True):
        assert 0 < row["shortage_share"] < 0.25
        assert 0 < row["turnover_rate"] < 0.4
        assert 0 < row["retention_12"] <= 1
        assert 0 < row["median_days_to_fill"] < 365
        assert row["vacancies_per_1000_jobs"] == pytest.approx(
            1000 * row["shortage_persons"] / row["headcount"]
        )


def test_projected_shortage_comes_from_the_region_nodes_of_the_forecast(
    marts: RegionalMarts,
) -> None:
    rows = [
        {"level": level, "region_code": code, "resolution": resolution,
         "month": dt.date(year, 1, 1), "shortage_persons": persons, "shortage_fte": persons * 0.7}
        for code, persons in zip(AREA_REGIONS, (100.0, 40.0, 30.0), strict=True)
        for year in (2030, 2031)
        for level, resolution in (("region_code", "year"), ("region_code", "month"),
                                  ("region_code/sector_code", "year"))
    ]  # fmt: skip
    forecasts = pl.DataFrame(rows)
    table = compare_regions(marts, forecasts=forecasts).table
    assert _row(table, "AM13")["projected_shortage_persons"] == 100.0
    assert _row(table, AREA)["projected_shortage_persons"] == 170.0
    assert _row(table, AREA)["projected_year"] == 2031
    # Without a forecast the columns are there and empty.
    assert compare_regions(marts).table["projected_shortage_persons"].null_count() == 4
    # The regions' intervals come from their nodes; that of the three together only from a
    # simulation of their sum, for the same year and regions.
    bounded = forecasts.with_columns(
        shortage_persons_lo_80=pl.col("shortage_persons") - 10,
        shortage_persons_hi_80=pl.col("shortage_persons") + 10,
    )
    assert _row(compare_regions(marts, forecasts=bounded).table, "AM13")[
        "projected_shortage_persons_lo_80"
    ] == pytest.approx(90.0)
    assert (
        _row(compare_regions(marts, forecasts=bounded).table, AREA)[
            "projected_shortage_persons_lo_80"
        ]
        is None
    ), "the sum of the regions' bounds would overstate the interval"
    together = ProjectedShortage(
        regions=AREA_REGIONS, year=2031, persons=170, persons_lo_80=155, persons_hi_80=186, fte=119
    )
    area = _row(compare_regions(marts, forecasts=bounded, together=together).table, AREA)
    assert (area["projected_shortage_persons_lo_80"], area["projected_shortage_persons_hi_80"]) == (
        155,
        186,
    )
    other_year = ProjectedShortage(**{**vars(together), "year": 2030})
    area = _row(compare_regions(marts, forecasts=bounded, together=other_year).table, AREA)
    assert area["projected_shortage_persons_lo_80"] is None


def test_tension_hides_small_cells_and_follows_uwv_bands(comparison) -> None:
    tension = comparison.tension
    visible = tension.filter(~pl.col(SUPPRESSED) & (pl.col("profession_code") != TOTAL))
    assert (visible["headcount"] >= 10).all()
    hidden = tension.filter(pl.col(SUPPRESSED))
    assert hidden.height > 0, "the small region has professions of few staff or employers"
    assert hidden["open"].is_null().all()
    assert hidden["tension_ratio"].is_null().all()
    for row in visible.drop_nulls("tension_ratio").iter_rows(named=True):
        assert row["tension_band"] == tension_band(row["tension_ratio"])
    assert set(tension["region_code"]) == set(AREA_REGIONS)
    # The tightest region has the higher share of professions in the tight bands.
    tight = (
        visible.group_by("region_code")
        .agg(pl.col("tension_ratio").median())
        .sort("tension_ratio")["region_code"][-1]
    )
    assert tight == "AM12"


def test_national_context_carries_its_sources() -> None:
    context = national_context()
    assert {figure for _, figure, _ in context} >= {1_350_000, 266_000, 5617, 13_900}
    assert all(source.startswith("Bron:") for _, _, source in context)
