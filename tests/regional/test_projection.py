"""The regions together from the saved outlook: the marts' point, the interval of the sum."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from tests.scenario_frames import small_outlook
from workforce.outlook.outlook import outlook_marts
from workforce.regional.projection import projected_from_data_dir, projected_together
from workforce.scenario import horizon_index
from workforce.store import Store

PATHS = 300
OUTLOOK = small_outlook(regions={"AM13": 1.0, "AM14": 0.5, "AM12": 0.3})


def _region_rows(year: int) -> pl.DataFrame:
    periods = np.array([horizon_index(OUTLOOK, year)])
    marts = outlook_marts(OUTLOOK, OUTLOOK.compute(paths=PATHS, periods=periods))
    return marts["shortage"].filter(
        (pl.col("level") == "region_code") & (pl.col("month").dt.year() == year)
        & (pl.col("resolution") == "year")
    )  # fmt: skip


def test_the_point_is_the_sum_of_the_regions_and_the_interval_that_of_the_sum() -> None:
    together = projected_together(OUTLOOK, ("AM12", "AM13", "AM14"), 2031, paths=PATHS)
    regions = _region_rows(2031)
    assert together.persons == pytest.approx(regions["shortage_persons"].sum(), rel=1e-9)
    assert together.fte == pytest.approx(regions["shortage_fte"].sum(), rel=1e-9)
    assert together.persons_lo_80 < together.persons < together.persons_hi_80
    width = together.persons_hi_80 - together.persons_lo_80
    widths = regions["shortage_persons_hi_80"] - regions["shortage_persons_lo_80"]
    assert widths.max() < width < widths.sum(), "errors partly offset across regions"


def test_two_regions_together_lie_inside_the_three() -> None:
    two = projected_together(OUTLOOK, ("AM13", "AM14"), 2031, paths=PATHS)
    regions = _region_rows(2031).filter(pl.col("region_code").is_in(["AM13", "AM14"]))
    assert two.regions == ("AM13", "AM14")
    assert two.persons == pytest.approx(regions["shortage_persons"].sum(), rel=1e-9)


def test_from_a_data_folder_the_outlooks_regions_in_its_last_year(tmp_path: Path) -> None:
    assert projected_from_data_dir(tmp_path, 2031) is None, "no outlook yet"
    OUTLOOK.save(Store(tmp_path / "three").outlook)
    late = projected_from_data_dir(tmp_path / "three", 2040, paths=50)
    assert late is not None
    assert late.regions == ("AM12", "AM13", "AM14")
    assert late.year == 2033, "the projection ends in 2033"
    small_outlook().save(Store(tmp_path / "one").outlook)
    assert projected_from_data_dir(tmp_path / "one", 2031) is None, "one region: its own node"
