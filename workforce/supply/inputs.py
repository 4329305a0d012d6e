"""Estimating the supply projection's inputs from the marts, as of an origin month.

Everything is measured on data up to the origin, so a projection from a past origin can be
compared with what happened afterwards:

- the stock: people employed at the end of the origin month, per series and single age, and
  their average FTE;
- hazards: the leaving model's monthly probabilities of leaving regional care and of retiring,
  per series and age (pooled by age where a series has nobody of that age); the leaving
  hazards of each sector are scaled to its recent experience, actual over expected
  (:func:`leaving_experience`), since the model scores people employed at the start of a year
  and so misses the early leaving of the year's own hires;
- graduates: the education pipeline's cohorts still to graduate (future cohorts continue at
  the mean intake of the last three), mapped to professions by the programme -> profession
  entry shares, times a regional *entry factor* per profession (hires of new graduates over
  graduates expected in the last five years), and split over sectors as those hires were;
- other inflow: hires from outside the region's care (and new graduates of professions no
  programme maps to) per month over the last three years; moves between series as a net rate;
- seasons, entry ages and the sizes of yearly shocks, from the same history.

Over 500 lines because every input is estimated as of one origin from the same spells and
marts; split, each part would repeat that windowing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np
import polars as pl

from workforce.forecast.demand import KEYS as DEMAND_KEYS
from workforce.marts.compute import FTE_HOURS
from workforce.reference import Reference
from workforce.supply.projection import (
    AGES,
    MAX_AGE,
    MIN_AGE,
    Cohorts,
    SupplyInputs,
    SupplyUncertainty,
)

KEYS = list(DEMAND_KEYS)
"""Keys of a bottom series: region, sector, profession."""
REGIONAL_LEAVING = ("care_outside_region", "outside_sector", "unknown")
MOVES = ("internal", "other_care_employer")
INFLOW_YEARS = 3
ENTRY_FACTOR_YEARS = 5
FUTURE_COHORT_BASIS = 3
EXPERIENCE_YEARS = 3
"""Complete years of realised leaving behind a sector's actual-over-expected factor."""
EXPERIENCE_BOUNDS = (0.5, 2.0)
SHOCK_FLOOR = 0.03


def _series_id() -> pl.Expr:
    return pl.concat_str(KEYS, separator="/").alias("unique_id")


def month_end(month: dt.date) -> dt.date:
    following = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def _covered(spells: pl.DataFrame, month: dt.date) -> pl.Expr:
    return (pl.col("first_month") <= month) & (pl.col("last_month") >= month)


def employed_at(spells: pl.DataFrame, origin: dt.date) -> pl.DataFrame:
    """Spells counted in the headcount at the end of ``origin``'s month (as the marts count)."""
    end = month_end(origin)
    return spells.filter(
        _covered(spells, origin.replace(day=1))
        & (pl.col("start_date") <= end)
        & (pl.col("end_date").is_null() | (pl.col("end_date") > end))
    ).with_columns(
        _series_id(),
        age=(origin.year - pl.col("birth_year")).clip(MIN_AGE, MAX_AGE).cast(pl.Int64),
    )


def leaving_experience(
    spells: pl.DataFrame,
    series: pl.DataFrame,
    stock: np.ndarray,
    leave: np.ndarray,
    origin: dt.date,
) -> np.ndarray:
    """Per series: its sector's realised leaving rate over the rate the hazards imply.

    Realised, per complete year of the last :data:`EXPERIENCE_YEARS` by the origin: spells of
    the sector that ended by leaving regional care, over the people employed at the start of
    the year plus half the year's hires (who are exposed for half a year on average). The
    median year counts, so one unusual year (a COVID dip or wave) does not set the level.
    Expected: the annual leaving probability of the stock at the origin under ``leave``
    (monthly hazards [series x ages]). Sectors without history keep factor 1.
    """
    sectors = series["sector_code"].to_numpy()
    annual = 1 - (1 - leave) ** 12
    realised = _median_leaving_rate(spells, origin)
    factors = np.ones(series.height)
    for sector in np.unique(sectors):
        rows = sectors == sector
        people = float(stock[rows].sum())
        rate = realised.get(str(sector))
        if people <= 0 or rate is None:
            continue
        expected = float((stock[rows] * annual[rows]).sum()) / people
        if expected > 0:
            factors[rows] = np.clip(rate / expected, *EXPERIENCE_BOUNDS)
    return factors


def _median_leaving_rate(spells: pl.DataFrame, origin: dt.date) -> dict[str, float]:
    """Per sector: the median over the last :data:`EXPERIENCE_YEARS` complete years of the
    leavers of regional care over the people employed at the year's start plus half its hires."""
    last_year = origin.year if origin.month == 12 else origin.year - 1
    years = []
    for year in range(last_year - EXPERIENCE_YEARS + 1, last_year + 1):
        start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
        at_start = employed_at(spells, dt.date(year - 1, 12, 1)).group_by("sector_code").len()
        flows = spells.group_by("sector_code").agg(
            hires=pl.col("start_date").is_between(start, end).sum(),
            leavers=(
                pl.col("end_date").is_between(start, end)
                & pl.col("leaver_destination").is_in(REGIONAL_LEAVING)
            ).sum(),
        )
        years.append(
            at_start.join(flows, on="sector_code").select(
                "sector_code", rate=pl.col("leavers") / (pl.col("len") + pl.col("hires") / 2)
            )
        )
    rates = pl.concat(years).group_by("sector_code").agg(pl.col("rate").median())
    return {str(sector): float(rate) for sector, rate in rates.iter_rows()}


def _age_matrix(
    frame: pl.DataFrame, series: pl.DataFrame, value: str, *, fallback_by_age: bool
) -> np.ndarray:
    """[series x ages] of ``value`` from rows keyed ``unique_id, age``."""
    grid = series.select("unique_id").join(
        pl.DataFrame({"age": AGES.astype(np.int64)}), how="cross"
    )
    joined = grid.join(frame.select("unique_id", "age", value), on=["unique_id", "age"], how="left")
    if fallback_by_age:
        pooled = frame.group_by("age").agg(pl.col(value).mean().alias("_pooled"))
        joined = joined.join(pooled, on="age", how="left").with_columns(
            pl.coalesce(value, "_pooled", pl.lit(0.0)).alias(value)
        )
    values = joined.sort(pl.col("unique_id").cast(pl.Enum(series["unique_id"].to_list())), "age")[
        value
    ].fill_null(0.0)
    return values.to_numpy().reshape(series.height, len(AGES))


def _age_shares(hires: pl.DataFrame, series: pl.DataFrame) -> np.ndarray:
    """Entry-age distribution per series [series x ages]: own, else profession's, else all."""
    ages = hires.with_columns(age=pl.col("age").clip(MIN_AGE, MAX_AGE))

    def shares(keys: list[str]) -> pl.DataFrame:
        counts = ages.group_by(*keys, "age").agg(n=pl.len())
        return counts.with_columns(share=pl.col("n") / pl.col("n").sum().over(keys))

    grid = series.join(pl.DataFrame({"age": AGES.astype(np.int64)}), how="cross")
    own = shares(["unique_id"]).rename({"share": "own"}).drop("n")
    profession = shares(["profession_code"]).rename({"share": "profession"}).drop("n")
    overall = ages.group_by("age").agg(n=pl.len()).with_columns(all=pl.col("n") / pl.col("n").sum())
    has_own = own.select("unique_id").unique().with_columns(_own=True)
    has_profession = profession.select("profession_code").unique().with_columns(_prof=True)
    filled = (
        grid.join(own, on=["unique_id", "age"], how="left")
        .join(profession, on=["profession_code", "age"], how="left")
        .join(overall.drop("n"), on="age", how="left")
        .join(has_own, on="unique_id", how="left")
        .join(has_profession, on="profession_code", how="left")
        .with_columns(
            share=pl.when(pl.col("_own"))
            .then(pl.col("own").fill_null(0.0))
            .when(pl.col("_prof"))
            .then(pl.col("profession").fill_null(0.0))
            .otherwise(pl.col("all").fill_null(0.0))
        )
        .sort(pl.col("unique_id").cast(pl.Enum(series["unique_id"].to_list())), "age")
    )
    matrix = filled["share"].to_numpy().reshape(series.height, len(AGES))
    totals = matrix.sum(axis=1, keepdims=True)
    return np.divide(matrix, totals, out=np.zeros_like(matrix), where=totals > 0)


def _season(months: pl.Series) -> np.ndarray:
    """Calendar-month factors (mean 1) from event dates; flat without data."""
    counts = np.bincount(months.dt.month().to_numpy() - 1, minlength=12).astype(float)
    if counts.sum() == 0:
        return np.ones(12)
    return counts / counts.mean()


def _shock_size(yearly_counts: np.ndarray) -> float:
    """Standard deviation of a yearly log shock: year-on-year log changes over sqrt(2)."""
    counts = yearly_counts[yearly_counts > 0]
    if counts.size < 3:
        return 0.1
    changes = np.diff(np.log(counts))
    return max(float(np.std(changes, ddof=1) / np.sqrt(2)), SHOCK_FLOOR)


def _first_full_year(spells: pl.DataFrame) -> int:
    """The first calendar year whose hires the spells hold in full (from its January)."""
    first = spells["first_month"].min()
    if not isinstance(first, dt.date):
        return dt.date.min.year
    return first.year if first.month == 1 else first.year + 1


def _hires(spells: pl.DataFrame, since: dt.date, origin_end: dt.date) -> pl.DataFrame:
    """Spells that started in (since, origin_end] while their employer was covered."""
    return spells.filter(
        (pl.col("start_date") > since)
        & (pl.col("start_date") <= origin_end)
        & (pl.col("start_date").dt.truncate("1mo") >= pl.col("first_month"))
        & (pl.col("start_date").dt.truncate("1mo") <= pl.col("last_month"))
    ).with_columns(
        _series_id(),
        age=(pl.col("start_date").dt.year() - pl.col("birth_year")).cast(pl.Int64),
    )


def graduates_by_year(pipeline: pl.DataFrame, reference: Reference) -> pl.DataFrame:
    """Each cohort's graduates in its nominal graduation year, with its preventable dropouts.

    Graduates of a cohort (observed if finished, expected if running) all count in the nominal
    year (cohort year + programme length), here and in the entry-factor calibration alike: late
    graduates of earlier cohorts replace a cohort's own late graduates, so the yearly totals
    hold. ``dropouts`` are the students not expected to graduate: of a running cohort its
    enrolled students beyond the expected graduates, of a finished one the observed dropouts.
    """
    nominal = reference.programmes.select("programme_code", "nominal_years")
    running = pl.col("expected_graduation_year").is_not_null()
    remaining = pl.col("expected_graduates") - pl.col("graduates")
    return (
        pipeline.join(nominal, on="programme_code", how="left")
        .select(
            "programme_code",
            "institution_code",
            "level",
            pl.col("cohort_year").cast(pl.Int64),
            intake=pl.col("intake").cast(pl.Float64),
            graduation_year=(pl.col("cohort_year") + pl.col("nominal_years").round()).cast(
                pl.Int64
            ),
            graduates=pl.col("expected_graduates").cast(pl.Float64),
            dropouts=pl.when(running)
            .then((pl.col("enrolled") - remaining).clip(0, None))
            .otherwise(pl.col("dropouts"))
            .cast(pl.Float64),
        )
        .filter(pl.col("graduation_year").is_not_null() & pl.col("graduates").is_not_null())
        .sort("programme_code", "institution_code", "cohort_year")
    )


def cohorts_to_graduate(
    pipeline: pl.DataFrame, reference: Reference, origin_year: int, *, until_year: int
) -> pl.DataFrame:
    """Cohorts enrolled by ``origin_year`` graduating after it, and future cohorts.

    Future cohorts (starting after the origin year, up to ``until_year``) take the mean intake
    of the programme's last three cohorts at the institution and its latest projected
    completion rate, and graduate after the programme's nominal years. Columns as
    :func:`graduates_by_year`, plus ``future``.
    """
    nominal = reference.programmes.select("programme_code", "nominal_years")
    running = (
        graduates_by_year(pipeline, reference)
        .filter((pl.col("cohort_year") <= origin_year) & (pl.col("graduation_year") > origin_year))
        .with_columns(future=pl.lit(False))
    )
    basis = (
        pipeline.filter(pl.col("cohort_year") <= origin_year)
        .sort("cohort_year")
        .group_by("programme_code", "institution_code", "level")
        .agg(
            intake=pl.col("intake").tail(FUTURE_COHORT_BASIS).mean().cast(pl.Float64),
            completion=pl.col("projected_completion_rate").last().cast(pl.Float64),
        )
        .filter(pl.col("intake") > 0)
        .join(nominal, on="programme_code", how="inner")
    )
    future_years = pl.DataFrame({"cohort_year": list(range(origin_year + 1, until_year + 1))})
    completion = pl.col("completion").fill_null(0.0)
    future = (
        basis.join(future_years, how="cross")
        .select(
            "programme_code",
            "institution_code",
            "level",
            pl.col("cohort_year").cast(pl.Int64),
            "intake",
            graduation_year=(pl.col("cohort_year") + pl.col("nominal_years").round()).cast(
                pl.Int64
            ),
            graduates=pl.col("intake") * completion,
            dropouts=pl.col("intake") * (1 - completion),
            future=pl.lit(True),
        )
        .filter(pl.col("graduation_year") <= until_year)
    )
    return pl.concat([running, future], how="vertical_relaxed").sort(
        "programme_code", "institution_code", "cohort_year", "graduation_year"
    )


def estimate_supply_inputs(
    *,
    spells: pl.DataFrame,
    education_pipeline: pl.DataFrame,
    hazards: pl.DataFrame,
    series: pl.DataFrame,
    reference: Reference,
    origin: dt.date,
    until_year: int,
) -> SupplyInputs:
    """Supply inputs for ``series`` (``unique_id`` + region, sector, profession) at ``origin``.

    Arrays follow the row order of ``series``. ``hazards`` holds monthly ``leave_region`` and
    ``retire`` probabilities per ``region_code, sector_code, profession_code, age`` (from the
    leaving model, fitted on data up to the origin). ``until_year`` is the projection's last
    year.
    """
    origin = origin.replace(day=1)
    origin_end = month_end(origin)
    series = series.select("unique_id", *KEYS).unique("unique_id", maintain_order=True)
    employed = employed_at(spells, origin)
    stock_rows = employed.group_by("unique_id", "age").agg(headcount=pl.len().cast(pl.Float64))
    stock = _age_matrix(stock_rows, series, "headcount", fallback_by_age=False)
    fte = (
        series.join(
            employed.group_by("unique_id").agg(
                fte=(pl.col("contract_hours_week") / FTE_HOURS).mean()
            ),
            on="unique_id",
            how="left",
        )
        .join(
            employed.group_by("profession_code").agg(
                profession_fte=(pl.col("contract_hours_week") / FTE_HOURS).mean()
            ),
            on="profession_code",
            how="left",
        )
        .select(
            pl.coalesce(
                "fte", "profession_fte", pl.lit(employed["contract_hours_week"].mean()) / FTE_HOURS
            )
        )
        .to_series()
        .to_numpy()
    )
    keyed = hazards.with_columns(_series_id())
    leave = _age_matrix(keyed, series, "leave_region", fallback_by_age=True)
    experience = leaving_experience(spells, series, stock, leave, origin)
    leave = leave * experience[:, None]
    retire = _age_matrix(keyed, series, "retire", fallback_by_age=True)

    history_start = dt.date(origin.year - ENTRY_FACTOR_YEARS, origin.month, 1)
    recent = _hires(spells, month_end(history_start), origin_end)
    inflow_since = month_end(dt.date(origin.year - INFLOW_YEARS, origin.month, 1))
    entry_shares = reference.programme_professions.select(
        "programme_code", "profession_code", pl.col("entry_share").cast(pl.Float64)
    )
    mapped_professions = set(entry_shares["profession_code"].to_list())
    education_hires = recent.filter(pl.col("hire_origin") == "education")
    modelled = education_hires.filter(pl.col("profession_code").is_in(mapped_professions))
    outside_hires = recent.filter(
        (pl.col("start_date") > inflow_since)
        & (
            (pl.col("hire_origin") == "outside")
            | (
                (pl.col("hire_origin") == "education")
                & ~pl.col("profession_code").is_in(mapped_professions)
            )
        )
    )

    cohorts = cohorts_to_graduate(education_pipeline, reference, origin.year, until_year=until_year)
    to_series = _graduate_links(
        cohorts,
        graduates_by_year(education_pipeline, reference).filter(
            pl.col("graduation_year").is_between(
                max(origin.year - ENTRY_FACTOR_YEARS + 1, _first_full_year(spells)), origin.year
            )
        ),
        modelled,
        entry_shares,
        series,
    )

    months_of_inflow = 12 * INFLOW_YEARS
    other = (
        series.join(
            outside_hires.group_by("unique_id").agg(n=pl.len()), on="unique_id", how="left"
        )["n"]
        .fill_null(0)
        .to_numpy()
        .astype(float)
        / months_of_inflow
    )
    transfers = _net_transfers(spells, series, inflow_since, origin_end)

    leavers = spells.filter(
        pl.col("end_date").is_between(month_end(history_start), origin_end)
        & pl.col("leaver_destination").is_in(REGIONAL_LEAVING)
    )
    last_full_year = origin.year if origin.month == 12 else origin.year - 1
    uncertainty = _yearly_shocks(recent, leavers, range(history_start.year + 1, last_full_year + 1))
    return SupplyInputs(
        origin=origin,
        series=series.with_columns(
            fte_per_person=pl.Series(fte), leaving_experience=pl.Series(experience)
        ),
        stock=stock,
        fte_per_person=fte,
        leave_hazard=leave,
        retire_hazard=retire,
        leave_season=_season(leavers["end_date"]),
        cohorts=Cohorts(cohorts, to_series),
        graduate_season=_season(education_hires["start_date"]),
        graduate_ages=_age_shares(modelled, series),
        other_inflow=other,
        other_season=_season(outside_hires["start_date"]),
        other_ages=_age_shares(outside_hires, series),
        transfers=transfers,
        uncertainty=uncertainty,
    )


def _yearly_shocks(hires: pl.DataFrame, leavers: pl.DataFrame, years: range) -> SupplyUncertainty:
    """Sizes of the regional yearly shocks, from the variation of the yearly counts."""

    def yearly(frame: pl.DataFrame, column: str) -> np.ndarray:
        counts = (
            frame.group_by(year=pl.col(column).dt.year())
            .agg(n=pl.len())
            .filter(pl.col("year").is_in(list(years)))
            .sort("year")
        )
        return counts["n"].to_numpy().astype(float)

    return SupplyUncertainty(
        leave=_shock_size(yearly(leavers, "end_date")),
        graduates=_shock_size(
            yearly(hires.filter(pl.col("hire_origin") == "education"), "start_date")
        ),
        other_inflow=_shock_size(
            yearly(hires.filter(pl.col("hire_origin") == "outside"), "start_date")
        ),
    )


def _graduate_links(
    cohorts: pl.DataFrame,
    past: pl.DataFrame,
    graduate_hires: pl.DataFrame,
    entry_shares: pl.DataFrame,
    series: pl.DataFrame,
) -> np.ndarray:
    """[cohort rows x series]: entry share x the profession's entry factor x the sector split.

    The entry factor is the hires of new graduates over the graduates the programmes were
    expected to deliver to the profession (``past``: the same years); the split follows where
    those hires started.
    """
    graduates_mapped = (
        past.join(entry_shares, on="programme_code")
        .group_by("profession_code")
        .agg(graduates=(pl.col("graduates") * pl.col("entry_share")).sum())
    )
    entry_factor = (
        graduate_hires.group_by("profession_code")
        .agg(hires=pl.len())
        .join(graduates_mapped, on="profession_code", how="inner")
        .select(
            "profession_code",
            entry_factor=pl.when(pl.col("graduates") > 0)
            .then(pl.col("hires") / pl.col("graduates"))
            .otherwise(0.0),
        )
    )
    split = (
        graduate_hires.group_by("unique_id", "profession_code")
        .agg(n=pl.len())
        .with_columns(split=pl.col("n") / pl.col("n").sum().over("profession_code"))
    )
    link = (
        cohorts.with_row_index("cohort")
        .join(entry_shares, on="programme_code", how="inner")
        .join(entry_factor, on="profession_code", how="inner")
        .join(split, on="profession_code", how="inner")
        .join(series.select("unique_id").with_row_index("series"), on="unique_id", how="inner")
        .select(
            "cohort",
            "series",
            weight=pl.col("entry_share") * pl.col("entry_factor") * pl.col("split"),
        )
        .group_by("cohort", "series")
        .agg(pl.sum("weight"))
    )
    to_series = np.zeros((cohorts.height, series.height))
    to_series[link["cohort"].to_numpy(), link["series"].to_numpy()] = link["weight"].to_numpy()
    return to_series


def _net_transfers(
    spells: pl.DataFrame, series: pl.DataFrame, since: dt.date, until: dt.date
) -> np.ndarray:
    """Net moves per month into each series from other series of the region."""
    moved = spells.filter(
        pl.col("leaver_destination").is_in(MOVES) & pl.col("end_date").is_between(since, until)
    )
    arrivals = moved.join(
        spells.select(
            "person_key",
            next_start_date="start_date",
            next_employer_id="employer_id",
            to_id=_series_id(),
        ),
        on=["person_key", "next_start_date", "next_employer_id"],
        how="inner",
    ).with_columns(from_id=_series_id())
    between = arrivals.filter(pl.col("from_id") != pl.col("to_id"))
    incoming = between.group_by(unique_id="to_id").agg(n_in=pl.len())
    outgoing = between.group_by(unique_id="from_id").agg(n_out=pl.len())
    net = (
        series.select("unique_id")
        .join(incoming, on="unique_id", how="left")
        .join(outgoing, on="unique_id", how="left")
        .select(
            pl.col("n_in").fill_null(0).cast(pl.Float64)
            - pl.col("n_out").fill_null(0).cast(pl.Float64)
        )
        .to_series()
        .to_numpy()
    )
    months = max((until.year - since.year) * 12 + until.month - since.month, 1)
    return net / months


def with_training_places(inputs: SupplyInputs, places: pl.DataFrame) -> SupplyInputs:
    """The inputs with extra trainees of post-initial routes (GP, specialty, GZ training) as
    cohorts of their own.

    ``places`` has ``programme_code`` (the route), ``profession_code``, ``cohort_year``,
    ``graduation_year``, ``extra`` (trainees starting) and ``completion``. Those who finish
    join the profession in its graduation year, split over the profession's series as its
    graduates are today (else as its staff). The rows are not ``future`` cohorts, so the
    intake lever leaves them as they are.
    """
    if places.is_empty():
        return inputs
    cohorts = inputs.cohorts
    professions = inputs.series["profession_code"].to_numpy()
    entering = cohorts.to_series.sum(axis=0)
    staff = inputs.stock.sum(axis=1)
    rows = places.select(
        "programme_code",
        institution_code=pl.lit(None, pl.String),
        level=pl.lit(None, pl.String),
        cohort_year=pl.col("cohort_year").cast(pl.Int64),
        intake=pl.col("extra").cast(pl.Float64),
        graduation_year=pl.col("graduation_year").cast(pl.Int64),
        graduates=(pl.col("extra") * pl.col("completion")).cast(pl.Float64),
        dropouts=(pl.col("extra") * (1 - pl.col("completion"))).cast(pl.Float64),
        future=pl.lit(False),
    )
    links = np.zeros((places.height, inputs.series.height))
    for i, profession in enumerate(places["profession_code"]):
        mine = professions == profession
        weights = np.where(mine, entering, 0.0)
        if weights.sum() <= 0:
            weights = np.where(mine, staff, 0.0)
        if weights.sum() > 0:
            links[i] = weights / weights.sum()
    frame = pl.concat([cohorts.frame, rows.select(cohorts.frame.columns)], how="vertical_relaxed")
    return replace(inputs, cohorts=Cohorts(frame, np.vstack([cohorts.to_series, links])))
