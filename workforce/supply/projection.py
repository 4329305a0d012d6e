"""Supply: a stock-flow cohort projection of the regional workforce, with sample paths.

The projection starts from the people employed at the end of the origin month, per series
(region x sector x profession) and single age, and steps month by month:

    stock(t+1) = stock(t) x (1 - leave_hazard - retire_hazard) + graduates(t) + other_inflow(t)

- leaving regional care and retiring are monthly hazards per series and age from the leaving
  model (:mod:`workforce.supply.leaving`), with the regional leaving season;
- everyone ages a year each January, so a large 55-64 band becomes a retirement wave;
- graduates come from the education pipeline: intake x completion x the share entering the
  profession, arriving in the cohort's graduation year (see :class:`Cohorts`);
- other inflow (career changers, returners, people from other regions) continues at its
  recent level, with its season; moves between series within the region (another sector or
  profession) are a signed number per month and series, counted with other inflow.

The age-structured mean projection is deterministic and cheap. Uncertainty is simulated per
series on top of it: yearly regional shocks to the leaving rate and to each inflow (their
sizes estimated from the year-to-year variation in the history), plus binomial and Poisson
noise of the monthly flows. Levers (:class:`SupplyLevers`) change the inputs, never the
model, so a scenario is a recomputation, not a refit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

import numpy as np
import polars as pl

from workforce.marts.compute import FTE_HOURS

MIN_AGE = 15
MAX_AGE = 75
AGES = np.arange(MIN_AGE, MAX_AGE + 1)
"""Single ages of the projection; the last one is an open-ended group."""

FLOWS = ("retirements", "leavers", "graduates", "other_inflow")
RATE_YEARS = 3
"""Years of events behind a series' leaving rates and other inflow."""
ENTRY_YEARS = 5
"""Years of graduate hires behind a profession's entry factor."""
MAX_FTE_PER_PERSON = 40 / FTE_HOURS
"""A longer average week than 40 hours is not a realistic lever."""


@dataclass(frozen=True)
class Cohorts:
    """Education cohorts still to graduate, and how their graduates reach the series.

    ``frame`` has one row per programme x institution x cohort x graduation year:
    ``programme_code``, ``institution_code``, ``level``, ``cohort_year``, ``intake``,
    ``graduation_year``, ``graduates`` (expected), ``dropouts`` (expected, and preventable) and
    ``future`` (the cohort starts after the origin, so its intake can still change).
    ``to_series`` [rows x series] gives the share of a row's graduates who start in each
    series: entry share x the region's calibrated entry factor x the sector split.
    """

    frame: pl.DataFrame
    to_series: np.ndarray

    def graduates(
        self,
        years: np.ndarray,
        *,
        intake_factor: np.ndarray | float | None = None,
        dropout_reduction: np.ndarray | float | None = None,
        entry_factor: np.ndarray | float | None = None,
    ) -> np.ndarray:
        """Graduates entering each series per projection year [series x years].

        ``intake_factor`` multiplies the intake of future cohorts (per row or for all);
        ``dropout_reduction`` turns that share of the expected dropouts into graduates;
        ``entry_factor`` multiplies the share entering regional care, per series.
        """
        graduates = self.frame["graduates"].to_numpy().astype(float)
        dropouts = self.frame["dropouts"].to_numpy().astype(float)
        if intake_factor is not None:
            scale = np.where(self.frame["future"].to_numpy(), intake_factor, 1.0)
            graduates, dropouts = graduates * scale, dropouts * scale
        if dropout_reduction is not None:
            graduates = graduates + dropouts * dropout_reduction
        year_of_row = self.frame["graduation_year"].to_numpy()
        by_year = np.zeros((self.frame.height, len(years)))
        column = year_of_row - years[0]
        rows = np.flatnonzero((column >= 0) & (column < len(years)))
        by_year[rows, column[rows]] = graduates[rows]
        result = self.to_series.T @ by_year
        if entry_factor is not None:
            result = (
                result * np.broadcast_to(np.asarray(entry_factor, float), result.shape[:1])[:, None]
            )
        return result


@dataclass(frozen=True)
class SupplyUncertainty:
    """Sizes of the simulated shocks (standard deviations of log factors).

    ``leave``, ``graduates`` and ``other_inflow``: yearly shocks common to the region.
    ``series_floor``: the least uncertainty of a series' own rates and inflows, which are
    otherwise as uncertain as a Poisson count of the events they were estimated from says (one
    over the square root of the count: :data:`RATE_YEARS` of leaving and other inflow,
    :data:`ENTRY_YEARS` of graduates).
    """

    leave: float = 0.08
    graduates: float = 0.10
    other_inflow: float = 0.10
    series_floor: float = 0.02


@dataclass(frozen=True)
class SupplyInputs:
    """Everything the projection needs, estimated once from the marts and the leaving model.

    Arrays are indexed by series (rows of ``series``) and age (:data:`AGES`); seasons by
    calendar month (January first, mean 1).
    """

    origin: dt.date
    series: pl.DataFrame
    stock: np.ndarray
    fte_per_person: np.ndarray
    leave_hazard: np.ndarray
    retire_hazard: np.ndarray
    leave_season: np.ndarray
    cohorts: Cohorts
    graduate_season: np.ndarray
    graduate_ages: np.ndarray
    other_inflow: np.ndarray
    other_season: np.ndarray
    other_ages: np.ndarray
    transfers: np.ndarray
    uncertainty: SupplyUncertainty = field(default_factory=SupplyUncertainty)

    @property
    def unique_ids(self) -> list[str]:
        """Series ids, in array order."""
        return self.series["unique_id"].to_list()


@dataclass(frozen=True)
class SupplyLevers:
    """Changes to the supply inputs; the defaults change nothing.

    ``leave_factor`` and ``retire_factor`` multiply the hazards (per series, or series x age);
    ``extra_hours`` adds contract hours per week to everyone; ``extra_inflow`` adds people per
    year per series (career changers, returners); ``extra_moves`` is the net number of people
    per year moving into (positive) or out of (negative) each series from other series of the
    region, e.g. care helpers trained up to certified carers (it sums to zero over the region);
    the education levers are those of :meth:`Cohorts.graduates`.
    """

    leave_factor: np.ndarray | float = 1.0
    retire_factor: np.ndarray | float = 1.0
    extra_hours: np.ndarray | float = 0.0
    extra_inflow: np.ndarray | float = 0.0
    intake_factor: np.ndarray | None = None
    dropout_reduction: np.ndarray | None = None
    entry_factor: np.ndarray | None = None
    extra_moves: np.ndarray | float = 0.0


@dataclass(frozen=True)
class SupplyProjection:
    """Mean flows and sample paths of a projection.

    ``months`` are month starts; values are end-of-month. ``headcount`` and ``fte`` are sample
    paths [paths x series x months]; ``mean`` holds the deterministic headcount and each flow
    of :data:`FLOWS` [series x months].
    """

    inputs: SupplyInputs
    months: list[dt.date]
    mean: dict[str, np.ndarray]
    headcount: np.ndarray
    fte: np.ndarray


def month_starts(origin: dt.date, months: int) -> list[dt.date]:
    """The ``months`` month starts after ``origin``'s month."""
    out = []
    year, month = origin.year, origin.month
    for _ in range(months):
        month += 1
        if month > 12:
            year, month = year + 1, 1
        out.append(dt.date(year, month, 1))
    return out


def _as_series_age(value: np.ndarray | float, shape: tuple[int, int]) -> np.ndarray:
    array = np.asarray(value, dtype=float)
    if array.ndim == 1:
        array = array[:, None]
    return np.broadcast_to(array, shape)


def project_mean(
    inputs: SupplyInputs, months: int, levers: SupplyLevers | None = None
) -> tuple[list[dt.date], dict[str, np.ndarray]]:
    """The deterministic age-structured projection: headcount and flows [series x months]."""
    levers = levers or SupplyLevers()
    shape = inputs.stock.shape
    leave = np.clip(inputs.leave_hazard * _as_series_age(levers.leave_factor, shape), 0, 1)
    retire = np.clip(inputs.retire_hazard * _as_series_age(levers.retire_factor, shape), 0, 1)
    calendar = month_starts(inputs.origin, months)
    years = np.arange(calendar[0].year, calendar[-1].year + 1)
    graduates_per_year = inputs.cohorts.graduates(
        years,
        intake_factor=levers.intake_factor,
        dropout_reduction=levers.dropout_reduction,
        entry_factor=levers.entry_factor,
    )
    extra = np.broadcast_to(np.asarray(levers.extra_inflow, dtype=float), (shape[0],))
    moves = np.broadcast_to(np.asarray(levers.extra_moves, dtype=float), (shape[0],)) / 12
    stock = inputs.stock.astype(float).copy()
    out = {name: np.zeros((shape[0], months)) for name in ("headcount", *FLOWS)}
    for t, month in enumerate(calendar):
        if month.month == 1:
            stock[:, -1] += stock[:, -2]
            stock[:, 1:-1] = stock[:, :-2].copy()
            stock[:, 0] = 0.0
        moy = month.month - 1
        leaving = stock * np.clip(leave * inputs.leave_season[moy], 0, 1)
        retiring = stock * retire
        graduates = graduates_per_year[:, month.year - years[0]] * inputs.graduate_season[moy] / 12
        external = (inputs.other_inflow + extra / 12) * inputs.other_season[moy]
        totals = stock.sum(axis=1, keepdims=True)
        shares = np.divide(stock, totals, out=np.zeros_like(stock), where=totals > 0)
        transfers = np.where(
            inputs.transfers[:, None] >= 0,
            inputs.transfers[:, None] * inputs.other_ages,
            np.maximum(inputs.transfers[:, None], -totals) * shares,
        ) + _moved(moves, totals, shares, inputs.other_ages)
        other = np.maximum(external, 0) + transfers.sum(axis=1)
        stock = (
            stock
            - leaving
            - retiring
            + transfers
            + graduates[:, None] * inputs.graduate_ages
            + np.maximum(external, 0)[:, None] * inputs.other_ages
        )
        stock = np.maximum(stock, 0.0)
        out["headcount"][:, t] = stock.sum(axis=1)
        out["leavers"][:, t] = leaving.sum(axis=1)
        out["retirements"][:, t] = retiring.sum(axis=1)
        out["graduates"][:, t] = graduates
        out["other_inflow"][:, t] = other
    return calendar, out


def _moved(
    moves: np.ndarray, totals: np.ndarray, shares: np.ndarray, ages: np.ndarray
) -> np.ndarray:
    """People per series and age moved by ``moves`` this month: arrivals at the entry ages of
    other inflow, departures in proportion to the series' age structure."""
    if not moves.any():
        return np.zeros_like(shares)
    return np.where(
        moves[:, None] >= 0,
        moves[:, None] * ages,
        np.maximum(moves[:, None], -totals) * shares,
    )


def simulate_paths(
    inputs: SupplyInputs,
    mean: dict[str, np.ndarray],
    calendar: list[dt.date],
    *,
    paths: int,
    rng: np.random.Generator,
    sizing: dict[str, np.ndarray] | None = None,
) -> np.ndarray:
    """Headcount sample paths [paths x series x months] around the mean flows.

    ``sizing`` (default ``mean``) holds the flows that size each series' own shocks: those
    of the estimation, without levers, so that a lever changes the paths only where and when
    it changes the flows.

    Each path draws one regional factor per year for leaving, graduates and other inflow
    (log-normal, mean 1); one factor per series for each, kept over the horizon (the error of
    estimating the series' own rates: see :class:`SupplyUncertainty`); and Poisson-sized noise
    per series and month (:func:`_count_noise`). The effective outflow rate per series and
    month comes from the age-structured mean, so the retirement wave is in every path.
    """
    n_series, months = mean["headcount"].shape
    start = inputs.stock.sum(axis=1).astype(float)
    previous_mean = np.concatenate([start[:, None], mean["headcount"][:, :-1]], axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        outflow_rate = np.where(
            previous_mean > 0, (mean["leavers"] + mean["retirements"]) / previous_mean, 0.0
        )
    years = np.array([m.year for m in calendar])
    year_index = years - years[0]
    n_years = int(year_index[-1]) + 1
    sigma = inputs.uncertainty

    def yearly(size: float) -> np.ndarray:
        return np.exp(rng.normal(-(size**2) / 2, size, (paths, n_years)))

    def per_series(yearly_events: np.ndarray) -> np.ndarray:
        size = np.sqrt(1 / np.maximum(yearly_events, 1.0) + sigma.series_floor**2)
        return np.exp(rng.normal(-(size**2) / 2, size, (paths, n_series)))

    leave_shock, graduate_shock, other_shock = (
        yearly(sigma.leave),
        yearly(sigma.graduates),
        yearly(sigma.other_inflow),
    )
    # Events per year over the first year, times the years each rate was estimated from.
    sizing = sizing or mean
    first_year = slice(0, min(12, months))
    per_year = 12 / (first_year.stop - first_year.start)
    leave_series = per_series(
        RATE_YEARS
        * per_year
        * (sizing["leavers"] + sizing["retirements"])[:, first_year].sum(axis=1)
    )
    graduate_series = per_series(
        ENTRY_YEARS * sizing["graduates"].sum(axis=1) / max(months / 12, 1)
    )
    other_series = per_series(
        RATE_YEARS * per_year * np.abs(sizing["other_inflow"][:, first_year]).sum(axis=1)
    )
    headcount = np.empty((paths, n_series, months))
    stock = np.broadcast_to(start, (paths, n_series)).copy()
    for t in range(months):
        y = year_index[t]
        rate = np.clip(outflow_rate[None, :, t] * leave_shock[:, y, None] * leave_series, 0, 1)
        expected_out = stock * rate
        inflow = (
            mean["graduates"][None, :, t] * graduate_shock[:, y, None] * graduate_series
            + mean["other_inflow"][None, :, t] * other_shock[:, y, None] * other_series
        )
        noise = rng.standard_normal((2, paths, n_series))
        out = np.minimum(_count_noise(expected_out, noise[0]), stock)
        positive = np.maximum(inflow, 0.0)
        into = _count_noise(positive, noise[1]) + np.minimum(inflow, 0.0)
        stock = np.maximum(stock - out + into, 0.0)
        headcount[:, :, t] = stock
    return headcount


def _count_noise(mean: np.ndarray, z: np.ndarray) -> np.ndarray:
    """A count around ``mean`` with Poisson-sized spread: ``mean + sqrt(mean) z``, kept in
    ``[0, 2 mean]``.

    The symmetric bounds keep the mean, and for a fixed ``z`` the count never falls when its
    mean rises, so with common random numbers a lever moves every path the same way.
    """
    return np.clip(mean + np.sqrt(mean) * z, 0.0, 2 * mean)


def project_supply(
    inputs: SupplyInputs,
    *,
    months: int,
    paths: int = 500,
    levers: SupplyLevers | None = None,
    seed: int = 0,
) -> SupplyProjection:
    """Mean projection and sample paths of headcount and FTE for ``months`` after the origin.

    The same ``seed`` gives the same random draws for any levers (common random numbers), so
    the difference between two scenarios is the levers' effect, not noise.
    """
    calendar, mean = project_mean(inputs, months, levers)
    sizing = mean if levers is None else project_mean(inputs, months)[1]
    headcount = simulate_paths(
        inputs, mean, calendar, paths=paths, rng=np.random.default_rng(seed), sizing=sizing
    )
    return SupplyProjection(
        inputs=inputs,
        months=calendar,
        mean=mean,
        headcount=headcount,
        fte=headcount * fte_per_person(inputs, levers)[None, :, None],
    )


def fte_per_person(inputs: SupplyInputs, levers: SupplyLevers | None = None) -> np.ndarray:
    """Average FTE of a person per series, with the hours lever applied."""
    extra = 0.0 if levers is None else levers.extra_hours
    hours = np.broadcast_to(np.asarray(extra, dtype=float), inputs.fte_per_person.shape)
    return np.minimum(inputs.fte_per_person + hours / FTE_HOURS, MAX_FTE_PER_PERSON)


def with_uncertainty(inputs: SupplyInputs, uncertainty: SupplyUncertainty) -> SupplyInputs:
    """The same inputs with other shock sizes."""
    return replace(inputs, uncertainty=uncertainty)
