"""The shape of a synthetic region: employers, their locations, demand per employer x profession."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from workforce.marts.care_use import POPULATION_BANDS, care_use_profile
from workforce.reference import Reference
from workforce.synthetic.params import PROFESSION_MIX, SECTOR_PREFIX, RegionParams
from workforce.synthetic.population import Population


@dataclass(frozen=True)
class Calendar:
    """Monthly time axis; days are counted from 1970-01-01."""

    months: np.ndarray  # datetime64[M]

    @classmethod
    def between(cls, first: date, last: date) -> Calendar:
        start = np.datetime64(first.isoformat()[:7], "M")
        stop = np.datetime64(last.isoformat()[:7], "M")
        return cls(np.arange(start, stop + 1))

    def __len__(self) -> int:
        return len(self.months)

    @property
    def first_day(self) -> np.ndarray:
        return self.months.astype("datetime64[D]").astype(np.int64)

    @property
    def last_day(self) -> np.ndarray:
        return (self.months + 1).astype("datetime64[D]").astype(np.int64) - 1

    @property
    def year(self) -> np.ndarray:
        return self.months.astype("datetime64[Y]").astype(np.int64) + 1970

    @property
    def month_of_year(self) -> np.ndarray:
        return self.months.astype(np.int64) % 12

    def index_of(self, day: date) -> int:
        return int(np.datetime64(day.isoformat()[:7], "M") - self.months[0])

    def window(self, first: date, last: date) -> np.ndarray:
        """Boolean mask of the months from ``first`` to ``last`` inclusive."""
        lo = np.datetime64(first.isoformat()[:7], "M")
        hi = np.datetime64(last.isoformat()[:7], "M")
        return (self.months >= lo) & (self.months <= hi)


@dataclass(frozen=True)
class Layout:
    """Employers, professions and the demand cells (employer x profession) of an area of one or
    more regions; the demographic drivers are kept per region."""

    regions: list[str]
    employer_ids: list[str]
    employer_region: np.ndarray  # index into regions
    employer_sector: np.ndarray  # index into sectors
    employer_locations: list[np.ndarray]  # municipality indices
    employer_location_weights: list[np.ndarray]
    sectors: list[str]
    professions: list[str]
    municipalities: list[str]
    cell_employer: np.ndarray
    cell_profession: np.ndarray
    demand: np.ndarray  # cells x months, persons
    population_75plus_index: dict[str, np.ndarray]  # region -> months, 1.0 at calibration
    care_use_rate: dict[str, dict[str, dict[str, float]]]  # region -> sector -> band -> per 1,000
    other_factor: dict[str, np.ndarray]  # sector -> months, 1.0 at the calibration month

    @property
    def n_cells(self) -> int:
        return len(self.cell_employer)

    @property
    def cell_region(self) -> np.ndarray:
        return self.employer_region[self.cell_employer]


def combine_layouts(layouts: list[Layout]) -> Layout:
    """One layout of several regions' layouts (same calendar, sectors and professions)."""
    first = layouts[0]
    employers = np.cumsum([0] + [len(layout.employer_ids) for layout in layouts])
    places = np.cumsum([0] + [len(layout.municipalities) for layout in layouts])
    regions = np.cumsum([0] + [len(layout.regions) for layout in layouts])
    return Layout(
        regions=[code for layout in layouts for code in layout.regions],
        employer_ids=[e for layout in layouts for e in layout.employer_ids],
        employer_region=np.concatenate(
            [layout.employer_region + regions[i] for i, layout in enumerate(layouts)]
        ),
        employer_sector=np.concatenate([layout.employer_sector for layout in layouts]),
        employer_locations=[
            locations + places[i]
            for i, layout in enumerate(layouts)
            for locations in layout.employer_locations
        ],
        employer_location_weights=[
            w for layout in layouts for w in layout.employer_location_weights
        ],
        sectors=first.sectors,
        professions=first.professions,
        municipalities=[m for layout in layouts for m in layout.municipalities],
        cell_employer=np.concatenate(
            [layout.cell_employer + employers[i] for i, layout in enumerate(layouts)]
        ),
        cell_profession=np.concatenate([layout.cell_profession for layout in layouts]),
        demand=np.vstack([layout.demand for layout in layouts]),
        population_75plus_index={
            k: v for layout in layouts for k, v in layout.population_75plus_index.items()
        },
        care_use_rate={k: v for layout in layouts for k, v in layout.care_use_rate.items()},
        other_factor=first.other_factor,
    )


def monthly_path(values_by_year: np.ndarray, first_year: int, calendar: Calendar) -> np.ndarray:
    """Values on 1 January of each year, interpolated linearly to the first day of each month."""
    position = (calendar.year - first_year) + calendar.month_of_year / 12.0
    return np.interp(position, np.arange(len(values_by_year)), values_by_year)


def other_growth_factor(params: RegionParams, sector: str, calendar: Calendar) -> np.ndarray:
    """The non-demographic factor of a sector per month, 1.0 at the calibration month."""
    change = calendar.index_of(params.other_growth_change)
    months = np.arange(len(calendar))
    before = params.other_growth_before[sector] / 12.0
    after = params.other_growth_after[sector] / 12.0
    log_factor = np.where(months < change, before * (months - change), after * (months - change))
    return np.exp(log_factor - log_factor[calendar.index_of(params.calibration_month)])


def build_layout(
    params: RegionParams,
    reference: Reference,
    calendar: Calendar,
    rng: np.random.Generator,
    *,
    municipality_weight: dict[str, float],
    population: Population,
    employer_prefix: str = "",
) -> Layout:
    """Draw one region's employers (sizes, locations) and the monthly demand for each
    employer x profession.

    Sector demand follows care use by age x population (both sexes, all municipalities)
    times the non-demographic factor and the COVID factors, scaled to the calibration month.
    """
    sectors = reference.sector_codes()
    professions = reference.profession_codes()
    municipalities = list(municipality_weight)
    muni_p = np.array(list(municipality_weight.values()))
    muni_p = muni_p / muni_p.sum()
    calibration = calendar.index_of(params.calibration_month)
    bands = population.region_bands()
    first_year = int(population.years[0])
    old = [b for b, (_, low, _) in enumerate(POPULATION_BANDS) if low >= 75]
    pop75 = monthly_path(bands[old].sum(axis=0), first_year, calendar)
    pop75 = pop75 / pop75[calibration]
    care_use_rate: dict[str, dict[str, float]] = {}
    other_factor: dict[str, np.ndarray] = {}

    employer_ids: list[str] = []
    employer_sector: list[int] = []
    locations: list[np.ndarray] = []
    location_weights: list[np.ndarray] = []
    cell_employer: list[int] = []
    cell_profession: list[int] = []
    demand_rows: list[np.ndarray] = []
    for s, sector in enumerate(sectors):
        count = params.employers_per_sector[sector]
        profile = care_use_profile(sector)
        weights = np.array([profile[label] for label, _, _ in POPULATION_BANDS])
        care_use = monthly_path(weights @ bands, first_year, calendar)
        other_factor[sector] = other_growth_factor(params, sector, calendar)
        path = care_use / care_use[calibration] * other_factor[sector]
        staff_per_unit = (
            params.demand_at_calibration * params.sector_share[sector] / care_use[calibration]
        )
        care_use_rate[sector] = {
            label: round(1000 * staff_per_unit * weights[b], 6)
            for b, (label, _, _) in enumerate(POPULATION_BANDS)
        }
        if sector in params.covid_demand_factor:
            first, last, factor = params.covid_demand_factor[sector]
            path = np.where(calendar.window(first, last), path * factor, path)
        sector_demand = params.demand_at_calibration * params.sector_share[sector] * path
        sizes = rng.lognormal(0.0, 0.8, size=count)
        sizes = sizes / sizes.sum()
        mix = PROFESSION_MIX[sector]
        mix_total = sum(mix.values())
        for e in range(count):
            employer_index = len(employer_ids)
            employer_ids.append(f"{employer_prefix}{SECTOR_PREFIX[sector]}-{e + 1:02d}")
            employer_sector.append(s)
            n_locations = 1 + int(rng.integers(0, 4 if sizes[e] > 0.15 else 2))
            n_locations = min(n_locations, len(municipalities))
            chosen = rng.choice(len(municipalities), size=n_locations, replace=False, p=muni_p)
            weights = rng.dirichlet(np.full(n_locations, 2.0))
            locations.append(np.sort(chosen))
            location_weights.append(weights[np.argsort(chosen)])
            for profession, weight in mix.items():
                cell_employer.append(employer_index)
                cell_profession.append(professions.index(profession))
                demand_rows.append(sector_demand * sizes[e] * weight / mix_total)

    return Layout(
        regions=[params.region_code],
        employer_ids=employer_ids,
        employer_region=np.zeros(len(employer_ids), dtype=np.int64),
        employer_sector=np.array(employer_sector),
        employer_locations=locations,
        employer_location_weights=location_weights,
        sectors=sectors,
        professions=professions,
        municipalities=municipalities,
        cell_employer=np.array(cell_employer),
        cell_profession=np.array(cell_profession),
        demand=np.vstack(demand_rows),
        population_75plus_index={params.region_code: pop75},
        care_use_rate={params.region_code: care_use_rate},
        other_factor=other_factor,
    )
