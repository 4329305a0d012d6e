"""Monthly simulation of staff spells and vacancies for one synthetic region.

Each month: people hired earlier start; workers leave (age, sector, tenure, season and COVID
driven), some of them to start again at another employer of the area, mostly in their own region
and with ``cross_region_move_share`` in another; open vacancies are filled (at the region's fill
rate) or withdrawn; employers open vacancies for the gap between demand and staff.
Demand therefore equals filled posts plus open vacancies, up to hires that have not started yet.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from workforce.reference import AGE_BANDS, Reference, entry_age
from workforce.schemas import LEAVE_REASONS, OUTCOMES
from workforce.synthetic.params import (
    DEFAULT_HOURS,
    HIRE_SOURCES,
    HOURS_BY_PROFESSION,
    HOURS_SD,
    RegionParams,
)
from workforce.synthetic.region import Calendar, Layout

OPEN = np.iinfo(np.int64).max
NO_REASON = -1
_SOURCE = {name: code for code, name in enumerate(HIRE_SOURCES)}
_REASON = {name: code for code, name in enumerate(LEAVE_REASONS)}
_VACANCY_OPEN, _VACANCY_FILLED, _VACANCY_WITHDRAWN = (
    OUTCOMES.index(outcome) for outcome in ("open", "filled", "withdrawn")
)

# Relative frequency of each age (15..66) in the workforce at the start: a retirement wave ahead.
_INITIAL_AGE_WEIGHT = np.array(
    [0.4 if a < 20 else 0.8 if a < 25 else 1.0 if a < 35 else 0.9 if a < 45 else 1.05 if a < 55
     else 1.2 if a < 60 else 0.8 if a < 65 else 0.15 for a in range(15, 67)]
)  # fmt: skip


CARE_LADDER = ("care_helper", "certified_carer", "nurse_vocational", "nurse_bachelor")
"""Care professions, lowest first: staff train up one step at their own employer (often BBL)."""
UPSKILLING_YEARLY = 0.01
"""Share of the staff under :data:`UPSKILLING_MAX_AGE` on a lower rung who move up each year."""
UPSKILLING_MAX_AGE = 45


class _Columns:
    """A growable set of equally long numpy columns."""

    def __init__(self, dtypes: dict[str, type], capacity: int) -> None:
        self._data: dict[str, np.ndarray] = {
            name: np.empty(capacity, dtype=dtype) for name, dtype in dtypes.items()
        }
        self.size = 0

    def append(self, **values: np.ndarray) -> np.ndarray:
        n = len(next(iter(values.values())))
        needed = self.size + n
        if needed > len(next(iter(self._data.values()))):
            capacity = max(needed, 2 * len(next(iter(self._data.values()))))
            for name, column in self._data.items():
                grown = np.empty(capacity, dtype=column.dtype)
                grown[: self.size] = column[: self.size]
                self._data[name] = grown
        for name, column in self._data.items():
            column[self.size : needed] = values[name]
        index = np.arange(self.size, needed)
        self.size = needed
        return index

    def __getitem__(self, name: str) -> np.ndarray:
        return self._data[name][: self.size]


@dataclass
class LabourMarket:
    """The simulated spells and vacancies, as index-coded numpy columns."""

    spells: dict[str, np.ndarray]
    vacancies: dict[str, np.ndarray]
    n_persons: int
    hires_by_source: dict[str, int] = field(default_factory=dict)


class _Simulation:
    def __init__(
        self,
        layout: Layout,
        params: RegionParams,
        calendar: Calendar,
        reference: Reference,
        rng: np.random.Generator,
    ) -> None:
        self.layout, self.params, self.calendar, self.rng = layout, params, calendar, rng
        levels = dict(
            zip(
                reference.professions["profession_code"].to_list(),
                reference.professions["education_level"].to_list(),
                strict=True,
            )
        )
        self.min_age = np.array([entry_age(levels[p]) for p in layout.professions])
        self.mean_hours = np.array(
            [HOURS_BY_PROFESSION.get(p, DEFAULT_HOURS) for p in layout.professions]
        )
        cell_sector = layout.employer_sector[layout.cell_employer]
        self.cell_leave_factor = np.array(
            [params.sector_leave_factor[layout.sectors[s]] for s in cell_sector]
        )
        self.band_low = np.array([low for _, low, _ in AGE_BANDS])
        self.band_rate = np.array([params.leave_rate_by_age_band[b] for b, _, _ in AGE_BANDS])
        self.retire_rate = np.zeros(130)
        for age, rate in params.retirement_rate_by_age.items():
            self.retire_rate[age] = rate
        self.covid_leave = self._window_factor(params.covid_leave_factor)
        self.covid_fill = self._window_factor(params.covid_fill_factor)
        months = np.arange(len(calendar)) / max(len(calendar) - 1, 1)
        self.fill_rate = params.fill_rate_start * (
            params.fill_rate_end / params.fill_rate_start
        ) ** (months)
        self.cell_region = layout.cell_region
        self.cell_fill_factor = np.array(
            [params.region_fill_factor.get(code, 1.0) for code in layout.regions]
        )[self.cell_region]
        capacity = int(layout.demand[:, 0].sum() * 4) + 16
        self.spells = _Columns(
            {"cell": np.int32, "person": np.int64, "birth_year": np.int32, "hours": np.float64,
             "start": np.int64, "end": np.int64, "reason": np.int8, "municipality": np.int32,
             "source": np.int8},
            capacity,
        )  # fmt: skip
        self.vacancies = _Columns(
            {"cell": np.int32, "opened": np.int64, "closed": np.int64, "outcome": np.int8,
             "hours": np.float64, "municipality": np.int32},
            capacity // 2,
        )  # fmt: skip
        self.n_persons = 0
        self.active = np.empty(0, dtype=np.int64)
        self.open_vacancies = np.empty(0, dtype=np.int64)
        self.pending: list[tuple[int, int, int, float, int, int, int]] = []
        # Movers waiting for a new job, per region they left and profession.
        self.pool: list[list[deque[tuple[int, int, float, int, int, int]]]] = [
            [deque() for _ in layout.professions] for _ in layout.regions
        ]
        # Employer locations as padded rows with cumulative weights, to draw many at once.
        widest = max(len(locations) for locations in layout.employer_locations)
        self.location_of = np.zeros((len(layout.employer_ids), widest), dtype=np.int64)
        self.location_cdf = np.ones((len(layout.employer_ids), widest))
        for e, (locations, weights) in enumerate(
            zip(layout.employer_locations, layout.employer_location_weights, strict=True)
        ):
            self.location_of[e, : len(locations)] = locations
            self.location_cdf[e, : len(weights)] = np.cumsum(weights) / np.sum(weights)
        self.cells_of_profession = [
            np.flatnonzero(layout.cell_profession == p) for p in range(len(layout.professions))
        ]

    def _window_factor(self, windows: tuple[tuple[date, date, float], ...]) -> np.ndarray:
        factor = np.ones(len(self.calendar))
        for first, last, value in windows:
            factor[self.calendar.window(first, last)] *= value
        return factor

    # -- drawing attributes ------------------------------------------------------------------
    def _stochastic_round(self, values: np.ndarray) -> np.ndarray:
        floor = np.floor(values)
        return (floor + (self.rng.random(values.shape) < values - floor)).astype(np.int64)

    def _hours(self, professions: np.ndarray) -> np.ndarray:
        raw = self.rng.normal(self.mean_hours[professions], HOURS_SD)
        return np.clip(np.round(raw / 2.0) * 2.0, 8.0, 40.0)

    def _municipalities(self, employers: np.ndarray) -> np.ndarray:
        """One location per entry of ``employers``, drawn by the employer's location weights."""
        draw = self.rng.random(len(employers))
        chosen = (draw[:, None] > self.location_cdf[employers]).sum(axis=1)
        return self.location_of[employers, chosen]

    def _new_persons(self, n: int) -> np.ndarray:
        persons = np.arange(self.n_persons, self.n_persons + n)
        self.n_persons += n
        return persons

    # -- the initial stock -------------------------------------------------------------------
    def seed_initial_stock(self) -> None:
        layout, params, rng = self.layout, self.params, self.rng
        first_day = int(self.calendar.first_day[0])
        year = int(self.calendar.year[0])
        demand = layout.demand[:, 0]
        vacancies = self._stochastic_round(demand * params.vacancy_share_at_start)
        staff = np.maximum(self._stochastic_round(demand) - vacancies, 0)
        cells = np.repeat(np.arange(layout.n_cells), staff)
        professions = layout.cell_profession[cells]
        ages = np.empty(len(cells), dtype=np.int64)
        for min_age in np.unique(self.min_age[professions]):
            chosen = self.min_age[professions] == min_age
            weight = np.where(np.arange(15, 67) >= min_age, _INITIAL_AGE_WEIGHT, 0.0)
            ages[chosen] = rng.choice(np.arange(15, 67), size=chosen.sum(), p=weight / weight.sum())
        max_tenure = np.maximum(ages - self.min_age[professions], 0.1)
        tenure_years = np.minimum(rng.exponential(9.0, size=len(cells)), max_tenure)
        starts = first_day - 1 - (tenure_years * 365.25).astype(np.int64)
        municipalities = self._municipalities(layout.cell_employer[cells])
        index = self.spells.append(
            cell=cells, person=self._new_persons(len(cells)), birth_year=year - ages,
            hours=self._hours(professions), start=starts, end=np.full(len(cells), OPEN),
            reason=np.full(len(cells), NO_REASON), municipality=municipalities,
            source=np.full(len(cells), _SOURCE["initial_stock"]),
        )  # fmt: skip
        self.active = index
        vacancy_cells = np.repeat(np.arange(layout.n_cells), vacancies)
        opened = first_day - rng.integers(1, 91, size=len(vacancy_cells))
        self._open_vacancies(vacancy_cells, opened)

    def _open_vacancies(self, cells: np.ndarray, opened: np.ndarray) -> None:
        layout = self.layout
        hours = np.clip(
            self._hours(layout.cell_profession[cells]) + self.params.vacancy_hours_uplift, 8.0, 40.0
        )
        municipalities = self._municipalities(layout.cell_employer[cells])
        index = self.vacancies.append(
            cell=cells, opened=opened, closed=np.full(len(cells), OPEN),
            outcome=np.full(len(cells), _VACANCY_OPEN), hours=hours, municipality=municipalities,
        )  # fmt: skip
        self.open_vacancies = np.concatenate([self.open_vacancies, index])

    # -- one month ---------------------------------------------------------------------------
    def step(self, t: int) -> None:
        self._start_pending(t)
        self._upskill(t)
        self._leave(t)
        self._fill_vacancies(t)
        self._place_waiting_movers(t)
        self._open_for_gap(t)

    def _start_pending(self, t: int) -> None:
        last_day = int(self.calendar.last_day[t])
        due = [row for row in self.pending if row[4] <= last_day]
        if not due:
            return
        self.pending = [row for row in self.pending if row[4] > last_day]
        columns = (np.array(column) for column in zip(*due, strict=True))
        cell, person, birth, hours, start, municipality, source = columns
        index = self.spells.append(
            cell=cell, person=person, birth_year=birth, hours=hours, start=start,
            end=np.full(len(due), OPEN), reason=np.full(len(due), NO_REASON),
            municipality=municipality, source=source,
        )  # fmt: skip
        self.active = np.concatenate([self.active, index])

    def _upskill(self, t: int) -> None:
        """Staff who finished training one step up the care ladder at their own employer: the
        old contract ends (recorded as a move to a care employer) and the new one, in the next
        profession, starts the next day. Draws come from their own stream."""
        if not hasattr(self, "_next_cell"):
            layout = self.layout
            by_key = {
                (int(e), layout.professions[int(p)]): c
                for c, (e, p) in enumerate(
                    zip(layout.cell_employer, layout.cell_profession, strict=True)
                )
            }
            self._next_cell = np.array(
                [
                    by_key.get((int(e), CARE_LADDER[CARE_LADDER.index(name) + 1]), -1)
                    if (name := layout.professions[int(p)]) in CARE_LADDER[:-1]
                    else -1
                    for e, p in zip(layout.cell_employer, layout.cell_profession, strict=True)
                ]
            )
            seeds = self.rng.bit_generator.seed_seq
            assert isinstance(seeds, np.random.SeedSequence)
            self._upskill_rng = np.random.default_rng(seeds.spawn(1)[0])
        cal, active = self.calendar, self.active
        first_day, last_day = int(cal.first_day[t]), int(cal.last_day[t])
        target = self._next_cell[self.spells["cell"][active]]
        ages = int(cal.year[t]) - self.spells["birth_year"][active]
        monthly = 1.0 - (1.0 - UPSKILLING_YEARLY) ** (1.0 / 12.0)
        moving = (
            (target >= 0)
            & (ages < UPSKILLING_MAX_AGE)
            & (self.spells["start"][active] < first_day)
            & (self._upskill_rng.random(len(active)) < monthly)
        )
        if not moving.any():
            return
        who = active[moving]
        self.spells["end"][who] = last_day
        self.spells["reason"][who] = _REASON["other_care_employer"]
        for spell, cell in zip(who, target[moving], strict=True):
            self._add_pending(
                int(cell), int(self.spells["person"][spell]), int(self.spells["birth_year"][spell]),
                float(self.spells["hours"][spell]), last_day + 1,
                int(self.spells["municipality"][spell]), "other_care_employer",
            )  # fmt: skip
        self.active = active[~moving]

    def _leave(self, t: int) -> None:
        params, rng, cal = self.params, self.rng, self.calendar
        first_day, last_day = int(cal.first_day[t]), int(cal.last_day[t])
        active = self.active
        cells = self.spells["cell"][active]
        start = self.spells["start"][active]
        ages = int(cal.year[t]) - self.spells["birth_year"][active]
        band = np.searchsorted(self.band_low, ages, side="right") - 1
        annual = self.band_rate[np.clip(band, 0, None)] * self.cell_leave_factor[cells]
        annual = np.where(first_day - start < 365, annual * params.first_year_leave_factor, annual)
        annual = np.minimum(annual, 0.95)
        seasonal = params.leave_season[int(cal.month_of_year[t])] * self.covid_leave[t]
        p_leave = (1.0 - (1.0 - annual) ** (1.0 / 12.0)) * seasonal
        retire_annual = self.retire_rate[np.clip(ages, 0, 129)]
        p_retire = np.where(
            ages >= params.pension_age, 0.5, 1.0 - (1.0 - retire_annual) ** (1.0 / 12.0)
        )
        eligible = start < first_day
        draw = rng.random(len(active))
        retire = eligible & (draw < p_retire)
        leave = eligible & ~retire & (draw < p_retire + p_leave)
        leaving = retire | leave
        if not leaving.any():
            return
        who = active[leaving]
        n = len(who)
        ends = np.where(
            rng.random(n) < 0.5, last_day, rng.integers(first_day, last_day + 1, size=n)
        )
        destinations = list(params.destination_share)
        dest_p = np.array(list(params.destination_share.values()))
        destination = rng.choice(len(destinations), size=n, p=dest_p / dest_p.sum())
        reasons = np.array([_REASON[destinations[d]] for d in destination], dtype=np.int8)
        reasons[retire[leaving]] = _REASON["retirement"]
        self.spells["end"][who] = ends
        self.spells["reason"][who] = reasons
        restart_p = np.array([params.regional_restart_share.get(r, 0.0) for r in LEAVE_REASONS])
        restarts = (reasons != _REASON["retirement"]) & (rng.random(n) < restart_p[reasons])
        low, high = params.restart_gap_days
        for i in np.flatnonzero(restarts):
            spell = who[i]
            cell = self.spells["cell"][spell]
            self.pool[self.cell_region[cell]][self.layout.cell_profession[cell]].append(
                (
                    int(self.spells["person"][spell]),
                    int(self.spells["birth_year"][spell]),
                    float(self.spells["hours"][spell]),
                    int(ends[i] + rng.integers(low, high)),
                    int(self.layout.cell_employer[cell]),
                    t,
                )
            )
        self.active = active[~leaving]

    def _fill_vacancies(self, t: int) -> None:
        params, rng, cal, layout = self.params, self.rng, self.calendar, self.layout
        first_day, last_day = int(cal.first_day[t]), int(cal.last_day[t])
        month = int(cal.month_of_year[t])
        candidates = self.open_vacancies[self.vacancies["opened"][self.open_vacancies] < first_day]
        rate = self.fill_rate[t] * params.fill_season[month] * self.covid_fill[t]
        rate = rate * self.cell_fill_factor[self.vacancies["cell"][candidates]]
        draw = rng.random(len(candidates))
        filled = candidates[draw < rate]
        withdrawn = candidates[(draw >= rate) & (draw < rate + params.withdraw_rate_monthly)]
        for vacancies, outcome in ((filled, _VACANCY_FILLED), (withdrawn, _VACANCY_WITHDRAWN)):
            opened = self.vacancies["opened"][vacancies]
            low = np.maximum(first_day, opened + 1)
            self.vacancies["closed"][vacancies] = low + (
                rng.random(len(vacancies)) * (last_day - low + 1)
            ).astype(np.int64)
            self.vacancies["outcome"][vacancies] = outcome
        closed = np.concatenate([filled, withdrawn])
        self.open_vacancies = np.setdiff1d(self.open_vacancies, closed, assume_unique=True)

        # Draw what a new hire would bring for every filled vacancy; a waiting mover overrides it.
        cells = self.vacancies["cell"][filled]
        professions = layout.cell_profession[cells]
        lag_low, lag_high = params.hire_lag_days
        starts = self.vacancies["closed"][filled] + rng.integers(lag_low, lag_high, len(filled))
        from_education = rng.random(len(filled)) < params.education_hire_share[month]
        min_age = self.min_age[professions]
        ages = np.where(
            from_education,
            min_age + rng.gamma(2.0, 1.5, len(filled)).astype(np.int64),
            rng.integers(min_age + 2, np.maximum(min_age + 3, 58)),
        )
        hours = self._hours(professions)
        for i, vacancy in enumerate(filled):
            cell, profession = int(cells[i]), int(professions[i])
            municipality = int(self.vacancies["municipality"][vacancy])
            mover = self._take_mover(profession, int(layout.cell_employer[cell]))
            if mover is not None:
                person, birth, mover_hours, available, _, _ = mover
                self._add_pending(
                    cell, person, birth, mover_hours, max(int(starts[i]), available),
                    municipality, "other_care_employer",
                )  # fmt: skip
                continue
            self._add_pending(
                cell, int(self._new_persons(1)[0]), int(cal.year[t] - ages[i]), float(hours[i]),
                int(starts[i]), municipality, "education" if from_education[i] else "outside",
            )  # fmt: skip

    def _take_mover(
        self, profession: int, employer: int
    ) -> tuple[int, int, float, int, int, int] | None:
        """A waiting mover of the profession from another employer: from the employer's own
        region, or (with ``cross_region_move_share``) first from the other regions."""
        region = int(self.layout.employer_region[employer])
        order = [region]
        if len(self.pool) > 1 and self.rng.random() < self.params.cross_region_move_share:
            others = [r for r in range(len(self.pool)) if r != region]
            order = [*self.rng.permutation(others).tolist(), region]
        for r in order:
            pool = self.pool[r][profession]
            for i, mover in enumerate(pool):
                if mover[4] != employer:
                    del pool[i]
                    return mover
        return None

    def _add_pending(
        self,
        cell: int,
        person: int,
        birth_year: int,
        hours: float,
        start: int,
        municipality: int,
        source: str,
    ) -> None:
        self.pending.append((cell, person, birth_year, hours, start, municipality, _SOURCE[source]))

    def _place_waiting_movers(self, t: int) -> None:
        """Movers no vacancy took within a few months start by open application elsewhere."""
        layout, rng = self.layout, self.rng
        cross = self.params.cross_region_move_share if len(layout.regions) > 1 else 0.0
        for region, profession, pool in (
            (r, p, pool) for r, pools in enumerate(self.pool) for p, pool in enumerate(pools)
        ):
            while pool and t - pool[0][5] >= self.params.mover_wait_months:
                person, birth, hours, available, employer, _ = pool.popleft()
                target = region
                if cross and rng.random() < cross:
                    target = int(rng.choice([r for r in range(len(self.pool)) if r != region]))
                cells = self.cells_of_profession[profession]
                cells = cells[layout.cell_employer[cells] != employer]
                if (self.cell_region[cells] == target).any():
                    cells = cells[self.cell_region[cells] == target]
                if len(cells) == 0:
                    continue
                weight = layout.demand[cells, t]
                cell = int(rng.choice(cells, p=weight / weight.sum()))
                start = max(available, int(self.calendar.first_day[t]))
                municipality = int(self._municipalities(layout.cell_employer[[cell]])[0])
                self._add_pending(
                    cell, person, birth, hours, start, municipality, "other_care_employer"
                )

    def _open_for_gap(self, t: int) -> None:
        n_cells = self.layout.n_cells
        staff = np.bincount(self.spells["cell"][self.active], minlength=n_cells)
        pending = np.bincount(
            np.array([row[0] for row in self.pending], dtype=np.int64), minlength=n_cells
        )
        open_ = np.bincount(self.vacancies["cell"][self.open_vacancies], minlength=n_cells)
        gap = np.maximum(self.layout.demand[:, t] - staff - pending - open_, 0.0)
        counts = self._stochastic_round(gap)
        cells = np.repeat(np.arange(n_cells), counts)
        first_day, last_day = int(self.calendar.first_day[t]), int(self.calendar.last_day[t])
        self._open_vacancies(cells, self.rng.integers(first_day, last_day + 1, size=len(cells)))

    def result(self) -> LabourMarket:
        spells = {name: self.spells[name].copy() for name in self.spells._data}
        vacancies = {name: self.vacancies[name].copy() for name in self.vacancies._data}
        counts = np.bincount(spells["source"], minlength=len(HIRE_SOURCES))
        return LabourMarket(
            spells=spells,
            vacancies=vacancies,
            n_persons=self.n_persons,
            hires_by_source={name: int(counts[code]) for name, code in _SOURCE.items()},
        )


def simulate_labour_market(
    layout: Layout,
    params: RegionParams,
    calendar: Calendar,
    reference: Reference,
    rng: np.random.Generator,
) -> LabourMarket:
    """Run the monthly simulation over the calendar and return every spell and vacancy."""
    simulation = _Simulation(layout, params, calendar, reference, rng)
    simulation.seed_initial_stock()
    for t in range(len(calendar)):
        simulation.step(t)
    return simulation.result()
