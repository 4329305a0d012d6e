"""Age bands of the population and the age profile of care use per sector.

Demand for care staff follows the population by age: an 85-year-old uses far more elderly care
than a 50-year-old, a toddler far more childcare. As in the Dutch national care-workforce model,
the *shape* of care use by age is an input (here a relative profile per sector, 1.0 = a person
aged 45-64, except where the sector serves no one of that age); the *level* (staff per unit of
care use) and its non-demographic trend are estimated from the region's own history
(:mod:`workforce.forecast.structural`). The profiles are plausible orders of magnitude, not
measurements; the synthetic region draws its demand from the same profiles.
"""

from __future__ import annotations

POPULATION_BANDS: tuple[tuple[str, int, int | None], ...] = (
    *((f"{low}-{low + 4}", low, low + 4) for low in range(0, 85, 5)),
    ("85+", 85, None),
)
"""Five-year age bands with 75-84 split and 85 and over open-ended: (label, from, to)."""

SEXES = ("male", "female")

# Relative care use per person by age group (age from, age to inclusive; None = and over).
_GROUPS: tuple[tuple[int, int | None], ...] = (
    (0, 4), (5, 14), (15, 24), (25, 44), (45, 64), (65, 74), (75, 84), (85, None),
)  # fmt: skip
_PROFILE_BY_GROUP: dict[str, tuple[float, ...]] = {
    "umc": (0.6, 0.3, 0.4, 0.6, 1.0, 2.0, 3.2, 3.8),
    "hospitals": (0.6, 0.3, 0.4, 0.6, 1.0, 2.0, 3.2, 3.8),
    "mental_health": (0.1, 0.8, 1.5, 1.3, 1.0, 0.6, 0.5, 0.6),
    "general_practice": (1.2, 0.6, 0.6, 0.8, 1.0, 1.6, 2.2, 2.6),
    "other_care_welfare": (0.8, 0.7, 0.7, 0.9, 1.0, 1.3, 1.6, 1.6),
    "elderly_home_care": (0.0, 0.0, 0.01, 0.02, 0.08, 0.5, 2.5, 9.0),
    "disability_care": (0.6, 1.2, 1.3, 1.0, 0.9, 0.7, 0.5, 0.4),
    "youth_care": (1.0, 2.0, 1.2, 0.0, 0.0, 0.0, 0.0, 0.0),
    "social_work": (0.6, 0.8, 1.2, 1.0, 1.0, 1.0, 1.1, 1.2),
    "childcare": (5.0, 1.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0),
}


def _group_of(age_from: int) -> int:
    for index, (low, high) in enumerate(_GROUPS):
        if age_from >= low and (high is None or age_from <= high):
            return index
    raise ValueError(f"no care-use group for age {age_from}")


def care_use_profile(sector_code: str) -> dict[str, float]:
    """Relative care use per person of each population band for one sector."""
    if sector_code not in _PROFILE_BY_GROUP:
        raise KeyError(f"no care-use profile for sector {sector_code!r}")
    values = _PROFILE_BY_GROUP[sector_code]
    return {label: values[_group_of(low)] for label, low, _ in POPULATION_BANDS}


def care_use_profiles() -> dict[str, dict[str, float]]:
    """The profile of every sector, by band label."""
    return {sector: care_use_profile(sector) for sector in _PROFILE_BY_GROUP}


def band_weight(sector_code: str, age_from: int, age_to: int | None) -> float:
    """Relative care use per person of any age band (e.g. a CBS band ``80 jaar of ouder``):
    the mean of the profile over the single ages the band covers (an open band: to 99)."""
    if sector_code not in _PROFILE_BY_GROUP:
        raise KeyError(f"no care-use profile for sector {sector_code!r}")
    values = _PROFILE_BY_GROUP[sector_code]
    top = 99 if age_to is None else min(age_to, 99)
    if top < age_from:
        return values[_group_of(age_from)]
    ages = range(age_from, top + 1)
    return sum(values[_group_of(age)] for age in ages) / len(ages)


def band_of_age(age: int) -> str:
    """The label of the band holding a single year of age."""
    for label, low, high in POPULATION_BANDS:
        if age >= low and (high is None or age <= high):
            return label
    raise ValueError(f"age {age} is negative")
