"""The synthetic region's population: history by age and sex, and a projection per past vintage.

A cohort-component model (births, deaths, ageing) rolls a national birth-cohort shape forward
from 1 January 2000, so the post-war baby boom (births 1946-1955) turns 75 in the late 2020s
and the 75+ population grows faster then, as it does in the Utrecht region. Each
municipality is then fitted to real CBS figures kept in ``data/external/cbs/``: its 2020 age
bands (84799NED) tilt whole birth cohorts, its 1 January totals 2012-2023 set the level.

A projection of vintage ``V`` is what a statistics office would have published in year ``V``:
the true path from 1 January ``V`` on, times an error that grows with the years ahead (a drift
per vintage and age group: migration errs for the young, mortality for the old, with the old
underestimated on average), and an 80 % interval from the same error model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from workforce.ingest.cbs import external_dir
from workforce.marts.care_use import POPULATION_BANDS, SEXES

FIRST_YEAR = 2000
LAST_YEAR = 2050
MAX_AGE = 100
REAL_TOTALS = "cbs/bevolking_regio/population_1_january_reference_municipalities.csv"
REAL_AGE_BANDS = "cbs/84799ned/age_bands_2020_reference_municipalities.csv"
_REAL_BANDS = ((0, 14), (15, 24), (25, 44), (45, 64), (65, MAX_AGE))
_REAL_BAND_COLUMNS = (
    "k_0Tot15Jaar_8",
    "k_15Tot25Jaar_9",
    "k_25Tot45Jaar_10",
    "k_45Tot65Jaar_11",
    "k_65JaarOfOuder_12",
)
# Projection error per year ahead: (mean drift, spread) of the log error, by age from.
_ERROR_GROUPS = ((0, 0.0, 0.004), (20, 0.0, 0.003), (65, -0.001, 0.003), (80, -0.004, 0.006))
_BAND_MIDDLES = (7.0, 20.0, 35.0, 55.0, 78.0)
Z80 = 1.2816


@dataclass(frozen=True)
class Population:
    """True population on 1 January: [municipality x sex x single age 0..MAX_AGE x year]."""

    municipalities: list[str]
    years: np.ndarray
    persons: np.ndarray

    def year_index(self, year: int) -> int:
        return int(year - self.years[0])

    def subset(self, municipalities: list[str]) -> Population:
        """The population of some of the municipalities, in the order given."""
        rows = [self.municipalities.index(code) for code in municipalities]
        return Population(list(municipalities), self.years, self.persons[rows])

    def banded(self) -> np.ndarray:
        """[municipality x sex x band x year] in :data:`POPULATION_BANDS`."""
        out = np.zeros((*self.persons.shape[:2], len(POPULATION_BANDS), len(self.years)))
        for b, (_, low, high) in enumerate(POPULATION_BANDS):
            top = MAX_AGE if high is None else high
            out[:, :, b] = self.persons[:, :, low : top + 1].sum(axis=2)
        return out

    def region_bands(self) -> np.ndarray:
        """[band x year]: the whole area, both sexes."""
        return self.banded().sum(axis=(0, 1))


def _cohort_births(birth_years: np.ndarray) -> np.ndarray:
    """Relative size of Dutch birth cohorts: the post-war boom peaks in 1946-1947."""
    c = birth_years.astype(float)
    anchors = (1920, 1935, 1940, 1945, 1947, 1955, 1964, 1970, 1975, 1985, 2000, 2020)
    sizes = (0.62, 0.6, 0.66, 0.74, 1.0, 0.9, 0.92, 0.82, 0.7, 0.68, 0.72, 0.7)
    return np.interp(c, anchors, sizes)


def _death_rate(ages: np.ndarray, year: int, female: bool) -> np.ndarray:
    """Gompertz mortality (about 3 % at 75, 10 % at 85), improving 1.2 % a year."""
    q = 7.9e-6 * np.exp(0.11 * ages) + 0.0003
    q = q * (0.7 if female else 1.0) * 0.988 ** (year - FIRST_YEAR)
    return np.minimum(q, 0.6)


def _cohort_model(rng: np.random.Generator) -> np.ndarray:
    """National-shape population [sex x age x year], relative units, with small shocks."""
    ages = np.arange(MAX_AGE + 1)
    years = np.arange(FIRST_YEAR, LAST_YEAR + 1)
    persons = np.zeros((2, len(ages), len(years)))
    for s in range(2):
        survival = np.cumprod(np.r_[1.0, 1 - _death_rate(ages[:-1], FIRST_YEAR - 40, s == 1)])
        persons[s, :, 0] = _cohort_births(FIRST_YEAR - ages) * survival * (0.49 + 0.02 * s)
    for t in range(1, len(years)):
        for s in range(2):
            q = _death_rate(ages, int(years[t - 1]), s == 1)
            survivors = persons[s, :, t - 1] * (1 - q)
            persons[s, 1:, t] = survivors[:-1]
            persons[s, MAX_AGE, t] += survivors[MAX_AGE]
        women = persons[1, 20:40, t - 1].sum()
        births = 0.075 * women * np.exp(rng.normal(0.0, 0.02))
        persons[0, 0, t], persons[1, 0, t] = 0.513 * births, 0.487 * births
        shock = np.exp(rng.normal(0.0, 0.002, size=(2, len(ages))))
        persons[:, :, t] *= shock
    return persons


def _real_totals() -> pl.DataFrame:
    """1 January totals (both sexes) per municipality and year, from the kept CBS subset."""
    frame = pl.read_csv(external_dir() / REAL_TOTALS, infer_schema_length=0)
    return frame.filter(pl.col("Sex").str.strip_chars() == "T001038").select(
        municipality_code=pl.col("Regions").str.strip_chars(),
        year=pl.col("Periods").str.slice(0, 4).cast(pl.Int64),
        persons=pl.col("PopulationOn1January_1").str.strip_chars().cast(pl.Float64),
    )


def _real_bands() -> pl.DataFrame:
    frame = pl.read_csv(external_dir() / REAL_AGE_BANDS, infer_schema_length=0)
    return frame.select(
        pl.col("WijkenEnBuurten").str.strip_chars().alias("municipality_code"),
        *(pl.col(c).str.strip_chars().cast(pl.Float64) for c in _REAL_BAND_COLUMNS),
    )


def simulate_population(municipalities: list[str], rng: np.random.Generator) -> Population:
    """True population of each municipality 2000-2050, fitted to its real 2020 age bands and
    its real totals 2012-2023 (municipalities without real figures get the area's average)."""
    base = _cohort_model(rng)
    years = np.arange(FIRST_YEAR, LAST_YEAR + 1)
    ages = np.arange(MAX_AGE + 1)
    totals = _real_totals()
    bands = _real_bands()
    t2020 = 2020 - FIRST_YEAR
    band_of_age = np.zeros(len(ages), dtype=int)
    for b, (low, high) in enumerate(_REAL_BANDS):
        band_of_age[low : high + 1] = b
    average_shares = bands.select(_REAL_BAND_COLUMNS).sum().to_numpy().ravel()
    average_shares = average_shares / average_shares.sum()
    out = np.zeros((len(municipalities), 2, len(ages), len(years)))
    for m, code in enumerate(municipalities):
        row = bands.filter(pl.col("municipality_code") == code)
        shares = row.select(_REAL_BAND_COLUMNS).to_numpy().ravel() if row.height else average_shares
        shares = shares / shares.sum()
        local = base * np.exp(rng.normal(0.0, 0.01, size=(2, len(ages), 1)))
        simulated = np.bincount(band_of_age, weights=local[:, :, t2020].sum(axis=0), minlength=5)
        tilt = shares / (simulated / simulated.sum())
        # Tilt whole birth cohorts by their age on 1 January 2020, smoothly between the
        # middles of the real bands, so no cohort boundary makes a jump.
        age_2020 = ages[:, None] - (years[None, :] - 2020)
        cohort_tilt = np.interp(age_2020, _BAND_MIDDLES, tilt)
        local = local * cohort_tilt[None, :, :]
        level = totals.filter(pl.col("municipality_code") == code).sort("year")
        simulated_total = local.sum(axis=(0, 1))
        factor = np.full(len(years), np.nan)
        if level.height:
            for year, persons in level.select("year", "persons").iter_rows():
                factor[year - FIRST_YEAR] = persons / simulated_total[year - FIRST_YEAR]
        else:
            factor[:] = 20_000 / simulated_total[t2020]
        known = np.flatnonzero(~np.isnan(factor))
        first, last = known[0], known[-1]
        start = max(first, last - 5)
        growth = np.log(factor[last] / factor[start]) / max(last - start, 1)
        growth = float(np.clip(growth, -0.01, 0.015))
        factor[:first] = factor[first]
        after = np.arange(len(years)) > last
        # Migration keeps adding at its recent pace, fading out over ten years.
        steps = np.arange(len(years)) - last
        fading = np.where(
            after, growth * np.minimum(steps, 10) * (1 - np.minimum(steps, 10) / 20), 0
        )
        factor[after] = factor[last] * np.exp(fading[after])
        factor = np.interp(
            np.arange(len(years)), np.flatnonzero(~np.isnan(factor)), factor[~np.isnan(factor)]
        )
        out[m] = local * factor[None, None, :]
    return Population(municipalities=list(municipalities), years=years, persons=out)


def _error_params(age_from: int) -> tuple[float, float]:
    drift, spread = _ERROR_GROUPS[0][1:]
    for low, mean, sd in _ERROR_GROUPS:
        if age_from >= low:
            drift, spread = mean, sd
    return drift, spread


def population_frames(
    population: Population,
    *,
    history_years: tuple[int, int],
    vintages: list[int],
    rng: np.random.Generator,
) -> tuple[pl.DataFrame, dict[int, pl.DataFrame]]:
    """History rows (1 January of each history year, published that year) and one projection
    frame per vintage, in the raw population contract's columns."""
    banded = population.banded()
    # A count of 1 January is first published in its own year: that is its vintage.
    history = _rows(
        population,
        banded,
        years=list(range(history_years[0], history_years[1] + 1)),
        kind="history",
        vintage=history_years[1],
    ).with_columns(vintage=pl.col("year"))
    projections = {}
    for vintage in vintages:
        years = np.arange(vintage, LAST_YEAR + 1)
        ahead = (years - vintage).astype(float)
        projected = np.empty((*banded.shape[:3], len(years)))
        lo, hi = np.empty_like(projected), np.empty_like(projected)
        for b, (_, low, _) in enumerate(POPULATION_BANDS):
            drift, spread = _error_params(low)
            error = rng.normal(drift, spread, size=(banded.shape[0], 1, 1))
            error = error + rng.normal(0.0, spread / 3, size=(banded.shape[0], 2, 1))
            truth = banded[:, :, b, [population.year_index(int(y)) for y in years]]
            projected[:, :, b] = truth * np.exp(error * ahead)
            width = Z80 * np.hypot(spread, drift) * ahead
            lo[:, :, b] = projected[:, :, b] * np.exp(-width)
            hi[:, :, b] = projected[:, :, b] * np.exp(width)
        projections[vintage] = _frame_of(
            population.municipalities, years, projected, kind="projection", vintage=vintage,
            lo=lo, hi=hi,
        )  # fmt: skip
    return history, projections


def _rows(
    population: Population, banded: np.ndarray, *, years: list[int], kind: str, vintage: int
) -> pl.DataFrame:
    values = banded[:, :, :, [population.year_index(y) for y in years]]
    return _frame_of(population.municipalities, np.array(years), values, kind=kind, vintage=vintage)


def _frame_of(
    municipalities: list[str],
    years: np.ndarray,
    values: np.ndarray,
    *,
    kind: str,
    vintage: int,
    lo: np.ndarray | None = None,
    hi: np.ndarray | None = None,
) -> pl.DataFrame:
    """Long rows from [municipality x sex x band x year] arrays."""
    n_m, n_s, n_b, n_y = values.shape
    grid = np.indices((n_m, n_s, n_b, n_y)).reshape(4, -1)
    band_from = np.array([low for _, low, _ in POPULATION_BANDS])
    band_to = [high for _, _, high in POPULATION_BANDS]
    columns: dict[str, pl.Series] = {
        "municipality_code": pl.Series(municipalities).gather(grid[0]),
        "year": pl.Series(years.astype(np.int64)[grid[3]]),
        "sex": pl.Series(list(SEXES)).gather(grid[1]),
        "age_from": pl.Series(band_from[grid[2]].astype(np.int64)),
        "age_to": pl.Series(band_to, dtype=pl.Int64).gather(grid[2]),
        "kind": pl.Series([kind] * len(grid[0])),
        "vintage": pl.Series(np.full(len(grid[0]), vintage, dtype=np.int64)),
        "persons": pl.Series(np.round(values.ravel(), 1)),
        "persons_lo": pl.Series(None if lo is None else np.round(lo.ravel(), 1), dtype=pl.Float64)
        if lo is not None
        else pl.Series([None] * len(grid[0]), dtype=pl.Float64),
        "persons_hi": pl.Series(np.round(hi.ravel(), 1), dtype=pl.Float64)
        if hi is not None
        else pl.Series([None] * len(grid[0]), dtype=pl.Float64),
    }
    return pl.DataFrame(columns).sort("municipality_code", "year", "sex", "age_from")
