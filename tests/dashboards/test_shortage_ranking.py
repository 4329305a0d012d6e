"""The shortage ranking: one row per sector x profession of the region as one employer."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from workforce.dashboards.shortage_ranking import one_employer_nodes, shortage_ranking


def node_rows(level: str, region: str | None, fte: tuple[float, float]) -> list[dict]:
    """Yearly rows 48 and 60 months ahead of one node (nurses in hospitals below the region)."""
    detail = level != "region_code"
    return [
        {
            "level": level,
            "resolution": "year",
            "horizon": horizon,
            "region_code": region,
            "sector_code": "hospitals" if detail else None,
            "profession_code": "nurse_bachelor" if detail else None,
            "month": dt.date(2025 + horizon // 12, 12, 1),
            "shortage_fte": value,
            "shortage_persons": value * 1.3,
            "shortage_share": 0.1,
            "tension_band": "krap",
        }
        for horizon, value in zip((48, 60), fte, strict=True)
    ]


def outlook(*regions: str) -> pl.DataFrame:
    rows = []
    for index, region in enumerate(regions):
        base = 100.0 * (index + 1)
        rows += node_rows("region_code", region, (base * 5, base * 6))
        rows += node_rows("region_code/sector_code/profession_code", region, (base, base + 20))
    if len(regions) > 1:
        rows += node_rows("sector_code/profession_code", None, (300.0, 340.0))
    return pl.DataFrame(rows)


def test_one_region_ranks_its_own_nodes() -> None:
    ranking = shortage_ranking(outlook("AM13"), horizon_months=60)
    assert ranking["region_code"].to_list() == ["AM13"]
    assert ranking["shortage_fte"][0] == pytest.approx(120.0)
    assert ranking["change_fte"][0] == pytest.approx(20.0)


def test_several_regions_rank_the_regions_together_once() -> None:
    frame = outlook("AM13", "AM14")
    assert one_employer_nodes(frame)["region_code"].null_count() == one_employer_nodes(frame).height
    ranking = shortage_ranking(frame, horizon_months=60)
    assert ranking.height == 1
    assert ranking["region_code"][0] is None
    assert ranking["shortage_fte"][0] == pytest.approx(340.0)
    assert ranking["change_fte"][0] == pytest.approx(40.0)
    assert ranking["trend"][0] == "up"
