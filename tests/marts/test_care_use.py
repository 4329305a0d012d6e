"""Care-use profiles by age: every band of every source gets a weight from the same profile."""

from __future__ import annotations

import pytest

from workforce.marts.care_use import (
    POPULATION_BANDS,
    band_of_age,
    band_weight,
    care_use_profile,
    care_use_profiles,
)
from workforce.reference import load_reference


def test_every_sector_of_the_reference_has_a_profile() -> None:
    assert set(care_use_profiles()) == set(load_reference().sector_codes())


def test_the_bands_cover_every_age_once() -> None:
    assert [band_of_age(age) for age in (0, 4, 5, 74, 75, 84, 85, 104)] == [
        "0-4", "0-4", "5-9", "70-74", "75-79", "80-84", "85+", "85+",
    ]  # fmt: skip
    assert len(POPULATION_BANDS) == 18


@pytest.mark.parametrize("sector", sorted(care_use_profiles()))
def test_a_band_of_another_source_weighs_between_the_bands_it_spans(sector: str) -> None:
    profile = care_use_profile(sector)
    for label, age_from, age_to in POPULATION_BANDS:
        assert band_weight(sector, age_from, age_to) == pytest.approx(profile[label])
    wide = band_weight(sector, 80, None)  # a CBS band "80 jaar of ouder"
    low, high = sorted((profile["80-84"], profile["85+"]))
    assert low - 1e-12 <= wide <= high + 1e-12


def test_elderly_care_is_driven_by_the_oldest_and_childcare_by_the_youngest() -> None:
    elderly, childcare = care_use_profile("elderly_home_care"), care_use_profile("childcare")
    assert elderly["85+"] > 3 * elderly["75-79"] > 3 * elderly["45-49"]
    assert childcare["0-4"] > childcare["10-14"] > childcare["45-49"] == 0
