"""Ground-truth parameters of the synthetic region.

Every number the generator draws from lives here, so that the manifest can record it and later
stages can be tested on whether they recover it. Rates are annual unless the name says otherwise.
The figures are plausible orders of magnitude for Dutch care and welfare, not measurements.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import date
from typing import Any

from workforce.regional.published import AREA_REGIONS, PUBLISHED_2022

HIRE_SOURCES: tuple[str, ...] = ("initial_stock", "education", "other_care_employer", "outside")

SECTOR_PREFIX: dict[str, str] = {
    "umc": "UMC",
    "hospitals": "ZKH",
    "mental_health": "GGZ",
    "general_practice": "HAG",
    "other_care_welfare": "OZW",
    "elderly_home_care": "VVT",
    "disability_care": "GHZ",
    "youth_care": "JZG",
    "social_work": "SWK",
    "childcare": "KOV",
}

# Relative number of people working in each municipality, within its region (weights, not data).
MUNICIPALITY_WEIGHT: dict[str, float] = {
    # Midden-Utrecht (AM13)
    "GM0344": 36.0,  # Utrecht
    "GM0356": 6.5,  # Nieuwegein
    "GM0355": 6.5,  # Zeist
    "GM1904": 6.5,  # Stichtse Vecht
    "GM0632": 5.3,  # Woerden
    "GM1581": 5.0,  # Utrechtse Heuvelrug
    "GM0321": 5.0,  # Houten
    "GM0310": 4.3,  # De Bilt
    "GM0353": 3.4,  # IJsselstein
    "GM0352": 2.4,  # Wijk bij Duurstede
    "GM0312": 1.5,  # Bunnik
    "GM0331": 1.4,  # Lopik
    "GM0335": 1.4,  # Montfoort
    "GM0589": 1.0,  # Oudewater
    # Amersfoort (AM14)
    "GM0307": 40.0,  # Amersfoort
    "GM0342": 9.0,  # Soest
    "GM0267": 8.0,  # Nijkerk
    "GM0327": 6.0,  # Leusden
    "GM0308": 5.0,  # Baarn
    "GM0313": 3.0,  # Bunschoten
    "GM0351": 2.5,  # Woudenberg
    # Gooi en Vechtstreek (AM12)
    "GM0402": 30.0,  # Hilversum
    "GM1942": 12.0,  # Gooise Meren
    "GM0406": 10.0,  # Huizen
    "GM0417": 6.0,  # Laren
    "GM1696": 4.0,  # Wijdemeren
    "GM0376": 3.0,  # Blaricum
    "GM0317": 2.0,  # Eemnes
}

EMPLOYER_PREFIX: dict[str, str] = {"AM13": "", "AM14": "AMF-", "AM12": "GV-"}
"""Employer identifiers per region: Midden-Utrecht's keep the plain ``VVT-01`` form."""

# Profession mix of demand within each sector (relative weights).
PROFESSION_MIX: dict[str, dict[str, float]] = {
    "umc": {
        "nurse_bachelor": 22, "nurse_vocational": 8, "nurse_specialist": 3, "medical_doctor": 14,
        "physician_assistant": 1.5, "imaging_technologist": 3, "lab_technician": 4,
        "physiotherapist": 1.5, "dietitian": 0.5, "speech_therapist": 0.3,
        "occupational_therapist": 0.4, "care_manager": 3, "facility_worker": 6,
        "medical_assistant": 2, "psychologist": 1, "certified_carer": 2, "midwife": 0.5,
        "pharmacist": 0.3, "pharmacy_assistant": 1,
    },
    "hospitals": {
        "nurse_bachelor": 18, "nurse_vocational": 14, "nurse_specialist": 2, "medical_doctor": 10,
        "physician_assistant": 1, "imaging_technologist": 3, "lab_technician": 3,
        "physiotherapist": 1.5, "dietitian": 0.6, "occupational_therapist": 0.4,
        "speech_therapist": 0.3, "care_manager": 3, "facility_worker": 8, "medical_assistant": 3,
        "certified_carer": 4, "midwife": 0.6, "pharmacy_assistant": 1.2, "pharmacist": 0.3,
        "psychologist": 0.5,
    },
    "mental_health": {
        "nurse_bachelor": 14, "nurse_vocational": 8, "nurse_specialist": 3, "psychologist": 14,
        "mental_health_support_worker": 16, "social_worker": 6, "medical_doctor": 5,
        "personal_support_worker": 6, "care_manager": 3, "facility_worker": 4, "certified_carer": 3,
    },
    "general_practice": {
        "general_practitioner": 30, "medical_assistant": 40, "nurse_bachelor": 8,
        "nurse_vocational": 4, "physician_assistant": 1, "psychologist": 3, "care_manager": 2,
    },
    "other_care_welfare": {
        "physiotherapist": 18, "dental_assistant": 14, "dentist": 8, "dental_hygienist": 6,
        "pharmacy_assistant": 14, "pharmacist": 4, "dietitian": 3, "speech_therapist": 4,
        "occupational_therapist": 3, "midwife": 4, "maternity_carer": 8, "lab_technician": 3,
        "care_manager": 2, "psychologist": 4,
    },
    "elderly_home_care": {
        "care_helper": 20, "certified_carer": 35, "nurse_vocational": 12, "nurse_bachelor": 6,
        "personal_support_worker": 2, "facility_worker": 10, "care_manager": 2,
        "physiotherapist": 1, "occupational_therapist": 0.6, "dietitian": 0.3,
        "medical_doctor": 0.7, "nurse_specialist": 0.5, "support_worker": 2,
    },
    "disability_care": {
        "support_worker": 30, "personal_support_worker": 35, "certified_carer": 6,
        "nurse_vocational": 3, "nurse_bachelor": 2, "care_helper": 4, "facility_worker": 5,
        "care_manager": 3, "psychologist": 2, "medical_doctor": 0.5, "social_worker": 2,
    },
    "youth_care": {
        "youth_care_worker": 40, "specialised_pedagogical_worker": 20, "social_worker": 12,
        "psychologist": 8, "care_manager": 4, "personal_support_worker": 6,
    },
    "social_work": {
        "social_worker": 40, "social_work_associate": 35, "youth_care_worker": 8,
        "care_manager": 4, "support_worker": 4,
    },
    "childcare": {
        "childcare_worker": 75, "specialised_pedagogical_worker": 12, "care_manager": 4,
        "care_helper": 4,
    },
}  # fmt: skip

# Mean contract hours per week by profession (others: DEFAULT_HOURS); spread HOURS_SD.
DEFAULT_HOURS = 24.0
HOURS_SD = 6.0
HOURS_BY_PROFESSION: dict[str, float] = {
    "medical_doctor": 35.0, "general_practitioner": 30.0, "care_manager": 33.0,
    "physician_assistant": 33.0, "nurse_specialist": 31.0, "pharmacist": 31.0,
    "psychologist": 28.0, "nurse_bachelor": 27.0, "imaging_technologist": 28.0,
    "lab_technician": 29.0, "youth_care_worker": 28.0, "social_worker": 27.0,
    "care_helper": 20.0, "certified_carer": 22.0, "facility_worker": 20.0,
    "childcare_worker": 24.0, "medical_assistant": 24.0, "dental_assistant": 25.0,
    "maternity_carer": 24.0,
}  # fmt: skip


@dataclass(frozen=True)
class RegionParams:
    """What the generator draws an area of one or more regions from; recorded in the manifest.

    ``regions`` are generated together, each at its size ``region_demand`` (persons demanded at
    the calibration month) with its vacancy fill rate times ``region_fill_factor``, which sets
    its shortage share. ``region_code`` and ``demand_at_calibration`` describe the one region
    being laid out (:meth:`for_region`); the other parameters hold for every region.
    """

    region_code: str = "AM13"
    regions: tuple[str, ...] = AREA_REGIONS
    region_demand: dict[str, float] = field(
        default_factory=lambda: {code: PUBLISHED_2022[code].demand for code in AREA_REGIONS}
    )
    # Calibrated (benchmarks/regions_generation.py): the true 2022 shortage (demand - staff)
    # and the open-vacancy share the marts show both fall within a point of the published share.
    region_fill_factor: dict[str, float] = field(
        default_factory=lambda: {"AM13": 0.98, "AM14": 0.95, "AM12": 0.48}
    )
    # Movers and waiting movers who start in another region of the area, rather than their own.
    cross_region_move_share: float = 0.12
    first_month: date = date(2015, 1, 1)
    last_month: date = date(2025, 12, 1)
    extract_date: date = date(2025, 12, 31)
    education_extract_date: date = date(2025, 10, 1)

    # Demand (persons) at the calibration month: of the whole area, or of the one region laid
    # out after :meth:`for_region`. Midden-Utrecht's 3,269 short were 7.5 % of its demand in 2022.
    calibration_month: date = date(2022, 12, 1)
    demand_at_calibration: float = sum(PUBLISHED_2022[code].demand for code in AREA_REGIONS)
    vacancy_share_at_start: float = 0.03
    sector_share: dict[str, float] = field(
        default_factory=lambda: {
            "umc": 0.12, "hospitals": 0.12, "mental_health": 0.08, "general_practice": 0.04,
            "other_care_welfare": 0.09, "elderly_home_care": 0.25, "disability_care": 0.12,
            "youth_care": 0.04, "social_work": 0.05, "childcare": 0.09,
        }
    )  # fmt: skip
    # Demand = care use by age (workforce.marts.care_use) x population x staff per unit of care use,
    # times a non-demographic factor (policy, productivity, task shifts) whose annual growth
    # changes at ``other_growth_change``; the COVID factors come on top.
    other_growth_change: date = date(2020, 1, 1)
    other_growth_before: dict[str, float] = field(
        default_factory=lambda: {
            "umc": 0.012, "hospitals": 0.010, "mental_health": 0.015, "general_practice": 0.010,
            "other_care_welfare": 0.008, "elderly_home_care": -0.005, "disability_care": 0.015,
            "youth_care": 0.020, "social_work": 0.012, "childcare": 0.020,
        }
    )  # fmt: skip
    other_growth_after: dict[str, float] = field(
        default_factory=lambda: {
            "umc": 0.006, "hospitals": 0.004, "mental_health": 0.008, "general_practice": 0.015,
            "other_care_welfare": 0.005, "elderly_home_care": -0.012, "disability_care": 0.010,
            "youth_care": -0.005, "social_work": 0.010, "childcare": 0.025,
        }
    )  # fmt: skip
    # Population: history from this year to the extract; one projection per vintage year.
    population_first_year: int = 2010
    first_projection_vintage: int = 2014
    employers_per_sector: dict[str, int] = field(
        default_factory=lambda: {
            "umc": 1, "hospitals": 3, "mental_health": 5, "general_practice": 8,
            "other_care_welfare": 8, "elderly_home_care": 13, "disability_care": 7,
            "youth_care": 5, "social_work": 4, "childcare": 6,
        }
    )  # fmt: skip
    # Leaving (not retiring): annual rate by age band, times a sector factor, times
    # FIRST_YEAR factor in the first 12 months of a contract, times season and COVID factors.
    leave_rate_by_age_band: dict[str, float] = field(
        default_factory=lambda: {
            "15-24": 0.24, "25-34": 0.15, "35-44": 0.10, "45-54": 0.075,
            "55-59": 0.065, "60-64": 0.06, "65+": 0.10,
        }
    )  # fmt: skip
    sector_leave_factor: dict[str, float] = field(
        default_factory=lambda: {
            "umc": 0.85, "hospitals": 0.9, "mental_health": 1.05, "general_practice": 0.9,
            "other_care_welfare": 1.1, "elderly_home_care": 1.1, "disability_care": 1.0,
            "youth_care": 1.25, "social_work": 1.1, "childcare": 1.2,
        }
    )  # fmt: skip
    first_year_leave_factor: float = 1.6
    # Monthly leaving factors Jan..Dec (mean 1): contracts end at year and school-year ends.
    leave_season: tuple[float, ...] = (1.25, 0.9, 0.9, 0.9, 0.9, 0.95, 1.1, 1.3, 0.9, 0.9, 0.9, 1.1)
    # Retirement: annual hazard by age from 60; everyone still working retires at pension_age.
    retirement_rate_by_age: dict[int, float] = field(
        default_factory=lambda: {
            60: 0.03,
            61: 0.04,
            62: 0.06,
            63: 0.10,
            64: 0.18,
            65: 0.25,
            66: 0.35,
        }
    )
    pension_age: int = 67
    # Where non-retiring leavers go, as the employer records it.
    destination_share: dict[str, float] = field(
        default_factory=lambda: {
            "other_care_employer": 0.35, "outside_sector": 0.35, "study": 0.05, "unknown": 0.25,
        }
    )  # fmt: skip
    # Share of those leavers who start at another employer of the region (seen via person_key).
    regional_restart_share: dict[str, float] = field(
        default_factory=lambda: {
            "other_care_employer": 0.8, "outside_sector": 0.0, "study": 0.0, "unknown": 0.2,
        }
    )  # fmt: skip
    restart_gap_days: tuple[int, int] = (1, 61)
    mover_wait_months: int = 3
    # Vacancies: monthly chance an open vacancy is filled, falling over time (rising time to fill).
    fill_rate_start: float = 0.41
    fill_rate_end: float = 0.155
    fill_season: tuple[float, ...] = (
        1.0,
        1.0,
        1.0,
        0.95,
        0.95,
        1.0,
        1.05,
        1.1,
        1.2,
        1.05,
        0.9,
        0.8,
    )
    withdraw_rate_monthly: float = 0.025
    hire_lag_days: tuple[int, int] = (14, 61)
    # Hires not from another regional employer: share from education by calendar month.
    education_hire_share: tuple[float, ...] = (
        0.2, 0.15, 0.15, 0.15, 0.2, 0.35, 0.55, 0.6, 0.55, 0.35, 0.2, 0.2,
    )  # fmt: skip
    vacancy_hours_uplift: float = 2.0
    # COVID-like disturbance: (first month, last month, factor).
    covid_leave_factor: tuple[tuple[date, date, float], ...] = (
        (date(2020, 3, 1), date(2020, 12, 1), 0.75),
        (date(2021, 7, 1), date(2022, 6, 1), 1.2),
    )
    covid_fill_factor: tuple[tuple[date, date, float], ...] = (
        (date(2020, 4, 1), date(2020, 6, 1), 0.55),
    )
    covid_demand_factor: dict[str, tuple[date, date, float]] = field(
        default_factory=lambda: {
            "umc": (date(2020, 3, 1), date(2021, 6, 1), 1.05),
            "hospitals": (date(2020, 3, 1), date(2021, 6, 1), 1.04),
            "childcare": (date(2020, 3, 1), date(2020, 8, 1), 0.96),
        }
    )
    # Education.
    education_cohorts: tuple[int, int] = (2010, 2025)
    completion_rate_by_level: dict[str, float] = field(
        default_factory=lambda: {
            "MBO1": 0.60, "MBO2": 0.68, "MBO3": 0.72, "MBO4": 0.70, "HBO": 0.65, "WO": 0.85,
        }
    )  # fmt: skip
    completion_bonus_work_based: float = 0.06
    # Of completers: share graduating at nominal, +1 and +2 years.
    graduation_delay_share: tuple[float, float, float] = (0.6, 0.28, 0.12)
    # Of dropouts: share leaving in study year 1, 2, 3, 4.
    dropout_year_share: tuple[float, float, float, float] = (0.5, 0.25, 0.15, 0.10)
    education_intake_trend: float = 0.01
    education_intake_covid_bump: float = 0.08
    new_entrant_rate: float = 0.045

    def with_regions(self, *regions: str) -> RegionParams:
        """The same parameters for another choice of regions (in the order given)."""
        unknown = [code for code in regions if code not in self.region_demand]
        if unknown or not regions:
            known = ", ".join(self.region_demand)
            raise ValueError(f"unknown region {', '.join(unknown) or '(none)'}; known: {known}")
        return replace(self, regions=tuple(regions), region_code=regions[0])

    def with_size(self, demand_at_calibration: float) -> RegionParams:
        """The same area at another total size, the regions keeping their relative sizes."""
        total = sum(self.region_demand[code] for code in self.regions)
        factor = demand_at_calibration / total
        return replace(
            self,
            region_demand={code: size * factor for code, size in self.region_demand.items()},
            demand_at_calibration=demand_at_calibration,
        )

    def for_region(self, region_code: str) -> RegionParams:
        """The parameters of one region's layout: its size, and fewer employers per sector
        than ``employers_per_sector`` (which is for Midden-Utrecht's size) when smaller."""
        size = self.region_demand[region_code]
        factor = size / PUBLISHED_2022["AM13"].demand
        employers = {
            sector: max(1, min(count, round(count * factor)))
            for sector, count in self.employers_per_sector.items()
        }
        return replace(
            self,
            region_code=region_code,
            regions=(region_code,),
            demand_at_calibration=size,
            employers_per_sector=employers,
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form for the manifest."""
        return _jsonable(asdict(self))


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, date):
        return value.isoformat()
    return value
