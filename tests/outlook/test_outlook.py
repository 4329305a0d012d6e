"""The region's outlook marts: coherent along the hierarchy, decomposed, plausible."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from workforce.outlook.outlook import Outlook
from workforce.outlook.shortage import TENSION_BANDS

LEVELS = {
    "region": "region_code",
    "sector": "region_code/sector_code",
    "profession": "region_code/profession_code",
    "bottom": "region_code/sector_code/profession_code",
}
POINT_COLUMNS = {
    "shortage": ["demand_fte", "supply_fte", "shortage_fte", "shortage_persons"],
    "supply": ["headcount", "fte"],
    "decomposition": [
        "shortage_start_fte",
        "demand_growth_fte",
        "retirements_fte",
        "leavers_fte",
        "graduates_fte",
        "other_inflow_fte",
        "shortage_fte",
    ],
    "demand_reconciled": ["yhat"],
}


def mart(region_forecast: Path, name: str) -> pl.DataFrame:
    return pl.read_parquet(region_forecast / "forecasts" / f"{name}.parquet")


@pytest.mark.parametrize("name", list(POINT_COLUMNS))
def test_every_level_adds_up_to_the_region(region_forecast: Path, name: str) -> None:
    frame = mart(region_forecast, name)
    columns = POINT_COLUMNS[name]
    keys = ["region_code", "resolution", "month"]
    region = frame.filter(pl.col("level") == LEVELS["region"]).select(*keys, *columns).sort(keys)
    for level in ("sector", "profession", "bottom"):
        summed = (
            frame.filter(pl.col("level") == LEVELS[level])
            .group_by(keys)
            .agg(pl.col(columns).sum())
            .sort(keys)
        )
        assert summed.height == region.height
        for column in columns:
            np.testing.assert_allclose(summed[column], region[column], rtol=1e-9, atol=1e-6)


def test_sectors_and_professions_add_up_within_each_other(region_forecast: Path) -> None:
    frame = mart(region_forecast, "shortage")
    sector = frame.filter(pl.col("level") == LEVELS["sector"])
    bottom = frame.filter(pl.col("level") == LEVELS["bottom"])
    keys = ["region_code", "sector_code", "resolution", "month"]
    summed = bottom.group_by(keys).agg(pl.col("shortage_fte").sum()).sort(keys)
    np.testing.assert_allclose(summed["shortage_fte"], sector.sort(keys)["shortage_fte"], rtol=1e-9)


def test_the_decomposition_explains_the_whole_change(region_forecast: Path) -> None:
    parts = mart(region_forecast, "decomposition")
    explained = parts.select(
        pl.sum_horizontal(
            "shortage_start_fte",
            "demand_growth_fte",
            "retirements_fte",
            "leavers_fte",
            "graduates_fte",
            "other_inflow_fte",
            "hours_fte",
        )
    ).to_series()
    np.testing.assert_allclose(explained, parts["shortage_fte"], rtol=1e-9, atol=1e-6)
    assert (parts["retirements_fte"] >= 0).all()
    assert (parts["graduates_fte"] <= 0).all()


def test_intervals_are_ordered_and_widen_with_the_horizon(region_forecast: Path) -> None:
    shortage = mart(region_forecast, "shortage").filter(pl.col("resolution") == "year")
    prefix = "shortage_fte"
    ordered = shortage.select(
        (pl.col(f"{prefix}_lo_95") <= pl.col(f"{prefix}_lo_80"))
        & (pl.col(f"{prefix}_lo_80") <= pl.col(f"{prefix}_p50"))
        & (pl.col(f"{prefix}_p50") <= pl.col(f"{prefix}_hi_80"))
        & (pl.col(f"{prefix}_hi_80") <= pl.col(f"{prefix}_hi_95"))
    ).to_series()
    assert ordered.all()
    region = shortage.filter(pl.col("level") == LEVELS["region"]).sort("month")
    width = (region[f"{prefix}_hi_80"] - region[f"{prefix}_lo_80"]).to_numpy()
    assert width[-1] > width[0]


def test_the_region_shortage_is_of_the_order_of_the_published_figure(
    region_forecast: Path,
) -> None:
    """The 2022 regional forecast put Utrecht's shortage at 7.5 % of demand."""
    shortage = mart(region_forecast, "shortage")
    first_year = shortage.filter(
        (pl.col("level") == LEVELS["region"]) & (pl.col("resolution") == "year")
    ).sort("month")[0]
    assert 0.03 < first_year["shortage_share"].item() < 0.15


def test_tension_bands_are_uwv_bands(region_forecast: Path) -> None:
    bands = set(mart(region_forecast, "shortage")["tension_band"].drop_nulls().to_list())
    assert bands <= {name for _, name in TENSION_BANDS}
    assert bands


def test_a_saved_outlook_recomputes_the_same_numbers(region_forecast: Path) -> None:
    outlook = Outlook.load(region_forecast / "forecasts" / "outlook")
    first = outlook.compute(paths=100, seed=7)
    again = Outlook.load(region_forecast / "forecasts" / "outlook").compute(paths=100, seed=7)
    np.testing.assert_array_equal(first.shortage_fte.mean, again.shortage_fte.mean)
    stock = outlook.supply_inputs.stock.sum()
    headcount = mart(region_forecast, "supply").filter(
        (pl.col("level") == LEVELS["region"]) & (pl.col("horizon") == 1)
    )["headcount"]
    assert headcount.item() == pytest.approx(stock, rel=0.02)


def test_several_regions_get_the_area_above_them() -> None:
    from workforce.outlook.outlook import hierarchy_of

    def keys(regions: list[str]) -> pl.DataFrame:
        return pl.DataFrame(
            [
                {"region_code": r, "sector_code": s, "profession_code": p}
                for r in regions
                for s, p in (("umc", "nurse"), ("umc", "doctor"), ("vvt", "nurse"))
            ]
        )

    one = hierarchy_of(keys(["AM13"]))
    assert "total" not in one.nodes["level"].to_list()
    three = hierarchy_of(keys(["AM13", "AM14", "AM12"]))
    nodes = three.nodes.with_row_index("row")
    area = nodes.filter(pl.col("region_code").is_null())
    assert sorted(area["node_id"].to_list()) == [
        "*",
        "*/*/doctor",
        "*/*/nurse",
        "*/umc",
        "*/umc/doctor",
        "*/umc/nurse",
        "*/vvt",
        "*/vvt/nurse",
    ]
    # The area's nurses sum the nurses of every sector in every region, and its total all nine.
    nurse = int(area.filter(pl.col("node_id") == "*/*/nurse")["row"][0])
    summed = [three.bottom_ids[i] for i in np.flatnonzero(three.summing[nurse])]
    assert sorted(summed) == sorted(
        f"{r}/{s}/nurse" for r in ("AM12", "AM13", "AM14") for s in ("umc", "vvt")
    )
    total = int(area.filter(pl.col("node_id") == "*")["row"][0])
    assert three.summing[total].sum() == three.n_bottom == 9
