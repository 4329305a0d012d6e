"""The outlook backtest's page and summary with several regions: each region on its own rows."""

from __future__ import annotations

import math

import polars as pl
import pytest

from workforce.evaluation.outlook_backtest_report import (
    chance_lines,
    chance_of_every_band,
    coverage,
    origin_summary,
    summary_lines,
)

SHORTAGE = {"AM13": [100.0, 130.0, 160.0], "AM14": [80.0, 70.0, 60.0]}
"""Realised shortage one to three years ahead: rising in one region, falling in the other."""


def _row(origin: str, horizon: int, level: str, node: str, realised: float, off: float) -> dict:
    projected = realised * off
    return {
        "origin": origin,
        "year": int(origin[:4]) + horizon,
        "horizon": horizon,
        "level": level,
        "node": node,
        "projected": projected,
        "realised": realised,
        "p50": projected,
        **{
            f"{raw}{bound}_{lv}": projected + sign * lv
            for raw in ("", "raw_")
            for bound, sign in (("lo", -1), ("hi", 1))
            for lv in (80, 95)
        },
        "projected_demand": 1000.0 + projected,
        "realised_demand": 1000.0 + realised,
        "projected_supply": 1000.0,
        "realised_supply": 1000.0,
        "realised_supply_projected_hours": 1000.0,
    }


def _rows() -> pl.DataFrame:
    rows = []
    for origin in ("2018-12", "2019-12"):
        for horizon in (1, 2, 3):
            total = 0.0
            for region, path in SHORTAGE.items():
                rows.append(_row(origin, horizon, "region", region, path[horizon - 1], 1.1))
                rows.append(
                    _row(origin, horizon, "profession", f"{region}/*/nurse", path[horizon - 1], 0.9)
                )
                total += path[horizon - 1]
            rows.append(_row(origin, horizon, "area", "*", total, 1.0))
    return pl.DataFrame(rows)


def test_each_region_has_its_own_trend_and_error() -> None:
    summary = origin_summary(_rows(), at_horizon=3)
    assert summary.height == 2 * 3  # two origins x (two regions and the regions together)
    by_place = {
        row["place"]: row
        for row in summary.filter(pl.col("origin") == "2018-12").iter_rows(named=True)
    }
    assert set(by_place) == {"Midden-Utrecht", "Amersfoort", "the 2 regions together"}
    assert by_place["Midden-Utrecht"]["realised_change"] == 60
    assert by_place["Amersfoort"]["realised_change"] == -20
    assert by_place["the 2 regions together"]["realised_change"] == 40
    assert summary["same_direction"].all()
    assert by_place["Amersfoort"]["error"] == pytest.approx(0.1)


def test_the_summary_has_a_line_per_region_and_the_regions_together() -> None:
    lines = summary_lines(_rows())
    text = "\n".join(lines)
    assert "from 2 December origins" in text
    for place in ("Midden-Utrecht", "Amersfoort", "the 2 regions together"):
        (line,) = [line for line in lines if line.startswith(f"  - {place}:")]
        assert "Direction of the trend right at 2 of 2 origins." in line
    assert "the regions 12 of 12 inside their 80 % interval" in text
    assert "the regions together 6 of 6 inside their 80 % interval" in text


def test_coverage_says_how_likely_its_distance_from_nominal_is_by_chance() -> None:
    cover = coverage(_rows())
    regions = cover.filter(pl.col("level") == "region")
    # Every region's value lies inside both intervals: 4 of 4 per year ahead.
    assert regions["n"].to_list() == [4, 4, 4]
    assert regions["in_80"].to_list() == [1.0, 1.0, 1.0]
    # No miss in 4: the likelihood ratio is -2 * 4 * ln(nominal), chi-squared with one degree.
    for level, nominal in ((80, 0.8), (95, 0.95)):
        expected = math.erfc(math.sqrt(-4 * math.log(nominal)))
        assert regions[f"p_{level}"].to_list() == pytest.approx([expected] * 3)
    # All inside is further from 80 % than from 95 %: chance explains it less well.
    assert (regions["p_80"] < regions["p_95"]).all()


def test_the_page_says_how_often_a_correct_interval_meets_every_year_at_these_counts() -> None:
    cover = coverage(_rows())
    # Four values per year and a correct 95 % interval: 4 of 4 (100 %) is above 99 % and 3 of
    # 4 (75 %) below 88 %, so no year can meet the band.
    assert chance_of_every_band(cover, "region", 95) == 0
    text = "\n".join(chance_lines(cover))
    assert "Each region (4, 4, 4 values per year ahead)" in text
    assert "The regions together (2, 2, 2 values per year ahead)" in text
    # 80 %: 3 of 4 (75 %) is in band, 0.8**3 * 0.2 * 4 = 41 % per year, three years.
    assert chance_of_every_band(cover, "region", 80) == pytest.approx((4 * 0.8**3 * 0.2) ** 3)
