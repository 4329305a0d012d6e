"""Staff by place of residence and commuting: disclosed marts that add up to the staff."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from workforce.marts.residence import UNKNOWN_RESIDENCE, residence_marts
from workforce.privacy import DEFAULT_K, SUPPRESSED, TOTAL
from workforce.reference import load_reference
from workforce.store import Store

MONTHS = pl.DataFrame(
    {
        "employer_id": ["E1"],
        "first_month": [dt.date(2020, 1, 1)],
        "last_month": [dt.date(2025, 12, 1)],
    }
)


def _spell(person: int, work: str, home: str | None, end: dt.date | None = None) -> dict:
    return {
        "person_key": f"{person:016x}",
        "municipality_code": work,
        "residence_municipality_code": home,
        "start_date": dt.date(2020, 1, 1),
        "end_date": end,
    }


def test_every_person_is_counted_once_per_region_where_they_work() -> None:
    rows = (
        [_spell(i, "GM0344", "GM0344") for i in range(30)]  # Utrecht, living there
        + [_spell(100 + i, "GM0344", "GM0307") for i in range(12)]  # living in Amersfoort
        + [_spell(200 + i, "GM0344", None) for i in range(11)]  # an extract without residence
        + [_spell(300, "GM0344", "GM0307", end=dt.date(2024, 1, 31))]  # left before the month
        + [_spell(0, "GM0353", "GM0344")]  # a second contract in the same region
    )
    marts = residence_marts(pl.LazyFrame(rows), MONTHS, load_reference())
    residence = marts["staff_residence"].filter(pl.col("work_region_code") == "AM13")
    persons = dict(residence.select("residence_municipality_code", "persons").iter_rows())
    assert persons == {"GM0344": 30, "GM0307": 12, UNKNOWN_RESIDENCE: 11, TOTAL: 53}
    commuting = marts["commuting"].filter(pl.col("work_region_code") == "AM13")
    assert dict(commuting.select("residence_region_code", "persons").iter_rows()) == {
        "AM13": 30,
        "AM14": 12,
        UNKNOWN_RESIDENCE: 11,
        TOTAL: 53,
    }


def test_a_small_group_is_hidden_with_a_cell_that_would_reveal_it() -> None:
    rows = [_spell(i, "GM0344", "GM0344") for i in range(40)] + [
        _spell(100 + i, "GM0344", "GM0307") for i in range(3)
    ]
    marts = residence_marts(pl.LazyFrame(rows), MONTHS, load_reference())
    for frame in marts.values():
        shown = frame.filter(~pl.col(SUPPRESSED))
        assert (shown["persons"] >= DEFAULT_K).all()
        assert frame.filter(pl.col(SUPPRESSED))["persons"].is_null().all()
        assert frame.filter(pl.col(SUPPRESSED)).height != 1  # never one lone hidden cell


@pytest.fixture(scope="module")
def built(area_data: Path) -> dict[str, pl.DataFrame]:
    store = Store(area_data)
    return {name: store.read_mart(name) for name in ("staff_residence", "commuting", "spells")}


def test_the_generated_area_adds_up_and_its_regions_commute(built: dict[str, pl.DataFrame]) -> None:
    residence, commuting = built["staff_residence"], built["commuting"]
    shown = residence.filter(~pl.col(SUPPRESSED))
    assert (shown["persons"] >= DEFAULT_K).all()
    totals = dict(
        commuting.filter(pl.col("residence_region_code") == TOTAL)
        .select("work_region_code", "persons")
        .iter_rows()
    )
    # Each region's total is the same in both marts, and its published cells add up to it.
    for region, total in totals.items():
        cells = residence.filter(pl.col("work_region_code") == region)
        assert cells.filter(pl.col("residence_municipality_code") == TOTAL)["persons"][0] == total
        details = cells.filter(pl.col("residence_municipality_code") != TOTAL)
        if not details[SUPPRESSED].any():
            assert details["persons"].sum() == total
    across = commuting.filter(
        (pl.col("work_region_code") != TOTAL)
        & (pl.col("residence_region_code") != TOTAL)
        & (pl.col("work_region_code") != pl.col("residence_region_code"))
    )
    assert across.height == 6  # every region has commuters from both others
    assert 0.05 < across["persons"].sum() / totals[TOTAL] < 0.3
