"""Municipality drill-down: region totals are the sum of their municipalities, no small cell."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from tests.regional_frames import marts as literal_marts
from tests.regional_frames import month, staff
from workforce.privacy import SUPPRESSED, TOTAL
from workforce.reference import load_reference
from workforce.regional import load_marts
from workforce.regional.data import RegionalMarts
from workforce.regional.municipalities import (
    MEASURES,
    municipality_contributions,
    municipality_figures,
)
from workforce.regional.published import AREA_REGIONS


@pytest.fixture(scope="module")
def marts(area_data: Path) -> RegionalMarts:
    return load_marts(area_data)


@pytest.mark.parametrize("measure", MEASURES)
def test_region_totals_are_the_sum_of_their_municipalities(
    marts: RegionalMarts, measure: str
) -> None:
    figures = municipality_figures(marts, measure=measure)
    raw = municipality_contributions(marts, regions=AREA_REGIONS, measure=measure)
    totals = figures.filter(pl.col("municipality_code") == TOTAL)
    assert totals.height == 3
    assert not totals[SUPPRESSED].any()
    for code, people in totals.select("region_code", "people").iter_rows():
        assert people == raw.filter(pl.col("region_code") == code)["people"].sum()
    # Every municipality of the reference is a cell, shown or hidden.
    reference = load_reference()
    expected = {m for code in AREA_REGIONS for m in reference.municipality_codes(code)}
    assert set(figures["municipality_code"]) - {TOTAL} == expected
    visible = figures.filter(~pl.col(SUPPRESSED))
    assert (visible["people"] >= 10).all()


def test_inflow_of_one_region_counts_moves_from_the_others(marts: RegionalMarts) -> None:
    """A move from Midden-Utrecht to Gooi en Vechtstreek is inflow when Gooi en Vechtstreek is
    chosen alone, and no inflow when the three are chosen together."""
    alone = municipality_contributions(marts, regions=["AM12"], measure="inflow")
    together = municipality_contributions(marts, regions=AREA_REGIONS, measure="inflow").filter(
        pl.col("region_code") == "AM12"
    )
    assert alone["people"].sum() > together["people"].sum()
    staff_alone = municipality_contributions(marts, regions=["AM12"], measure="headcount")
    staff_together = municipality_contributions(
        marts, regions=AREA_REGIONS, measure="headcount"
    ).filter(pl.col("region_code") == "AM12")
    assert staff_alone["people"].sum() == staff_together["people"].sum()


def test_a_municipality_of_one_employer_is_hidden_whatever_its_size() -> None:
    """Zeist's 50 staff all work for one employer: showing them would show that employer's
    figure; Houten then goes too, or the region's total would give Zeist away."""
    rows = [
        {"month": month(2025, 12), "employer_id": "A", "municipality_code": "GM0355",
         "profession_code": "nurse_bachelor", "headcount": 50},
        {"month": month(2025, 12), "employer_id": "B", "municipality_code": "GM0344",
         "profession_code": "nurse_bachelor", "headcount": 80},
        {"month": month(2025, 12), "employer_id": "C", "municipality_code": "GM0344",
         "profession_code": "nurse_bachelor", "headcount": 70},
        {"month": month(2025, 12), "employer_id": "B", "municipality_code": "GM0321",
         "profession_code": "nurse_bachelor", "headcount": 30},
        {"month": month(2025, 12), "employer_id": "C", "municipality_code": "GM0321",
         "profession_code": "nurse_bachelor", "headcount": 40},
    ]  # fmt: skip
    figures = municipality_figures(literal_marts(workforce_monthly=staff(rows)), regions=["AM13"])
    shown = dict(
        figures.filter(~pl.col(SUPPRESSED)).select("municipality_code", "people").iter_rows()
    )
    assert "GM0355" not in shown
    assert shown["GM0344"] == 150
    assert shown[TOTAL] == 270
    # Zeist cannot be found by subtraction: a second cell is hidden with it.
    hidden = figures.filter(pl.col(SUPPRESSED))["municipality_code"].to_list()
    assert len(hidden) >= 2
