"""The area's identities on the three generated regions: the regions chosen together are the sum
of each region alone, and the three together are the whole of the marts.

Stocks and flow totals add up over regions in every mart; only where a move came from or went
to changes with the choice (a move between two chosen regions is internal mobility).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workforce.regional import load_marts
from workforce.regional.data import RegionalMarts
from workforce.regional.published import AREA_REGIONS
from workforce.regional.scope import for_regions

ADDITIVE = {
    "workforce_monthly": ("headcount", "fte", "hires", "leavers", "headcount_60_64"),
    "vacancies_monthly": ("open", "open_fte", "opened", "filled", "withdrawn"),
    "demand": ("required_fte", "filled_fte", "open_vacancy_fte", "headcount", "open_vacancies"),
    "spells": ("contract_hours_week",),
}
"""Per mart, columns whose sum over the chosen regions is the sum over each region alone."""


@pytest.fixture(scope="module")
def marts(area_data: Path) -> RegionalMarts:
    return load_marts(area_data)


def totals(marts: RegionalMarts) -> dict[tuple[str, str], float]:
    return {
        (name, column): float(getattr(marts, name)[column].sum())
        for name, columns in ADDITIVE.items()
        for column in columns
    }


def test_the_three_regions_together_are_the_whole_of_every_mart(marts: RegionalMarts) -> None:
    whole = totals(marts)
    assert totals(for_regions(marts, AREA_REGIONS)) == pytest.approx(whole, rel=1e-12)
    assert all(value > 0 for value in whole.values())


@settings(
    max_examples=7,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(chosen=st.sets(st.sampled_from(AREA_REGIONS), min_size=1))
def test_regions_chosen_together_are_the_sum_of_each_alone(
    marts: RegionalMarts, chosen: set[str]
) -> None:
    together = for_regions(marts, sorted(chosen))
    alone = [for_regions(marts, [region]) for region in sorted(chosen)]
    expected = {key: sum(totals(one)[key] for one in alone) for key in totals(together)}
    assert totals(together) == pytest.approx(expected, rel=1e-12)
    # Moves between chosen regions are internal to the scope: never more hires from outside.
    outside = together.workforce_monthly["hires_outside"].sum()
    assert outside <= sum(one.workforce_monthly["hires_outside"].sum() for one in alone)
