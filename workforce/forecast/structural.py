"""Structural demand: care use by age x population x staff per unit of care use.

As in the Dutch national care-workforce model, demand of a sector in a region is

    demand(t) = sum over age bands of care_use_profile(band) x population(band, t) x ratio(t)

The profile (:mod:`workforce.care_use`) is an input; the population comes from the population
mart *as known at the forecast origin* (:func:`workforce.population.known_at`); the ratio (staff
per unit of care use) and its non-demographic trend are estimated from the region's history.
The demographic demand index of a series is its care use relative to the first month, weighted
by the sector mix of the series (region and profession series span several sectors).

Two forecasters use it, and compete with the baselines in the engine's inner backtest:
Prophet with the index as a regressor (:mod:`workforce.forecast.prophet`), and
:class:`StructuralForecaster`, which forecasts the ratio with a baseline and multiplies by the
projected index. Both read the index from ``Series.known_paths``: row ``i`` is the index as
known at period ``i``, so a backtest from any origin reads only the projection vintage published
by then.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from workforce.care_use import band_weight, care_use_profiles
from workforce.forecast.base import Forecaster, Prediction
from workforce.forecast.baselines import BASELINES
from workforce.forecast.frames import LEVELS, Series
from workforce.population import PUBLICATION_MONTH, known_at, latest_vintage

DEMOGRAPHY_INDEX = "demography_index"


@dataclass(frozen=True)
class DemandAssumptions:
    """Explicit assumptions of the structural demand model; scenario inputs too.

    ``productivity_per_year``: the share by which technology or task changes lower the staff
    needed per unit of care each year after the origin ("anders werken"); 0 = the trend of the
    history only. ``part_time_factor``: FTE per person of demand, to turn FTE into persons
    (``None``: estimated from the demand mart at the origin).
    """

    productivity_per_year: float = 0.0
    part_time_factor: float | None = None


def care_use_by_year(population: pl.DataFrame) -> pl.DataFrame:
    """Care-use units per region x sector x year from population rows (any kind).

    Any age bands work: each band weighs with the mean care-use profile over its ages, so a
    source with other bands than the generator's (a CBS table) gives the same index shape.
    """
    profiles = care_use_profiles()
    bands = population.select("age_from", "age_to").unique()
    weights = pl.DataFrame(
        [
            {
                "sector_code": sector,
                "age_from": age_from,
                "age_to": age_to,
                "weight": band_weight(sector, age_from, age_to),
            }
            for sector in profiles
            for age_from, age_to in bands.iter_rows()
        ],
        schema={
            "sector_code": pl.String,
            "age_from": pl.Int64,
            "age_to": pl.Int64,
            "weight": pl.Float64,
        },
    )
    by_band = population.group_by("region_code", "year", "age_from", "age_to").agg(
        pl.col("persons").sum()
    )
    return (
        by_band.join(weights, on=["age_from", "age_to"], nulls_equal=True)
        .group_by("region_code", "sector_code", "year")
        .agg(care_use=(pl.col("persons") * pl.col("weight")).sum())
        .sort("region_code", "sector_code", "year")
    )


def _month_position(months: np.ndarray) -> np.ndarray:
    """Fractional year of each month start: 2021-07-01 -> 2021.5."""
    as_months = months.astype("datetime64[M]").astype(np.int64)
    return 1970 + as_months / 12.0


def monthly_care_use(
    care_use: pl.DataFrame, months: np.ndarray
) -> dict[tuple[str, str], np.ndarray]:
    """Care use per (region, sector) at each month start, linear between 1 January values
    (held flat beyond the first and last year known)."""
    position = _month_position(months)
    result = {}
    for (region, sector), group in care_use.group_by("region_code", "sector_code"):
        group = group.sort("year")
        result[(str(region), str(sector))] = np.interp(
            position, group["year"].to_numpy().astype(float), group["care_use"].to_numpy()
        )
    return result


def sector_weights(
    demand: pl.DataFrame, nodes: pl.DataFrame
) -> dict[str, dict[tuple[str, str], float]]:
    """Per node: the share of each (region, sector) in its demand over the first 12 months.

    The first year is known at every origin, so the weights leak nothing.
    """
    first = demand["month"].min()
    early = demand.filter(pl.col("month") < pl.lit(first).dt.offset_by("12mo"))
    bottom = early.group_by("region_code", "sector_code", "profession_code").agg(
        pl.col("required_fte").sum()
    )
    weights: dict[str, dict[tuple[str, str], float]] = {}
    for node in nodes.iter_rows(named=True):
        rows = bottom
        for key in ("region_code", "sector_code", "profession_code"):
            if node.get(key) is not None:
                rows = rows.filter(pl.col(key) == node[key])
        shares = rows.group_by("region_code", "sector_code").agg(pl.col("required_fte").sum())
        total = float(shares["required_fte"].sum())
        if total > 0:
            weights[node["node_id"]] = {
                (str(r), str(s)): float(v) / total for r, s, v in shares.iter_rows()
            }
    return weights


def _publication_state(month: np.datetime64) -> int:
    """Months that see the same publications: the year of the last 1 July on or before."""
    day = month.astype("datetime64[D]").item()
    return day.year if day.month >= PUBLICATION_MONTH else day.year - 1


def known_index_paths(
    population: pl.DataFrame,
    demand: pl.DataFrame,
    nodes: pl.DataFrame,
    history_months: np.ndarray,
    *,
    horizon: int,
) -> dict[str, dict[str, np.ndarray]]:
    """Per node id: ``{DEMOGRAPHY_INDEX: paths}`` with ``paths[i]`` the index over the history
    and ``horizon`` months after it, as known at history month ``i`` (see :class:`Series`).

    Nodes whose sectors the population does not cover get no paths.
    """
    months = np.asarray(history_months, dtype="datetime64[M]")
    span = np.arange(months[0], months[-1] + horizon + 1).astype("datetime64[D]")
    weights = sector_weights(demand, nodes)
    states: dict[int, list[int]] = {}
    for i, month in enumerate(months):
        states.setdefault(_publication_state(month), []).append(i)
    paths: dict[str, np.ndarray] = {
        node: np.full((len(months), len(span)), np.nan) for node in weights
    }
    for rows in states.values():
        origin = months[rows[-1]].astype("datetime64[D]").item()
        known = known_at(population, origin)
        if known.is_empty():
            continue
        care_use = monthly_care_use(care_use_by_year(known), span)
        for node, shares in weights.items():
            if all(key in care_use for key in shares):
                index = sum(
                    w * care_use[key] / care_use[key][0] for key, w in shares.items() if w > 0
                )
                paths[node][rows] = index
    return {
        node: {DEMOGRAPHY_INDEX: array}
        for node, array in paths.items()
        if np.isfinite(array[-1]).all()
    }


class StructuralForecaster(Forecaster):
    """Demand = demographic index x staff per unit of care use; the ratio's trend by a baseline.

    The non-demographic part (the ratio of demand to the index) is forecast by ``trend`` (a
    baseline name) and multiplied by the index projected at the origin.
    """

    name = "structural"

    def __init__(self, *, trend: str = "drift", regressor: str = DEMOGRAPHY_INDEX) -> None:
        self.trend = trend
        self.regressor = regressor

    def _fit(self, series: Series) -> None:
        path = series.known_path(self.regressor)
        if path is None or not np.isfinite(path[: len(series)]).all():
            raise ValueError(f"{series.unique_id}: no {self.regressor} known at the origin")
        index = path[: len(series)]
        ratio = series.y / index
        self.trend_model_ = BASELINES[self.trend]().fit(
            Series(series.unique_id, series.ds, ratio, series.frequency)
        )
        self.path_ = path

    def _predict(self, horizon: int, future_exogenous: dict[str, np.ndarray]) -> Prediction:
        n = len(self.series_)
        future = future_exogenous.get(self.regressor)
        if future is None:
            future = self.path_[n : n + horizon]
            future = np.concatenate([future, np.full(horizon - len(future), self.path_[-1])])
        ratio = self.trend_model_.predict(horizon)
        return Prediction(
            ratio.mean * future,
            {level: ratio.lower[level] * future for level in LEVELS},
            {level: ratio.upper[level] * future for level in LEVELS},
        )


def with_demography(candidates: tuple[Forecaster, ...]) -> tuple[Forecaster, ...]:
    """The candidates with Prophet taking the demographic index as a regressor, plus the
    structural forecaster."""
    from sklearn.base import clone

    from workforce.forecast.prophet import ProphetForecaster

    updated: list[Forecaster] = []
    for candidate in candidates:
        if (
            isinstance(candidate, ProphetForecaster)
            and DEMOGRAPHY_INDEX not in candidate.regressors
        ):
            candidate = clone(candidate).set_params(
                regressors=(*candidate.regressors, DEMOGRAPHY_INDEX)
            )
        updated.append(candidate)
    if not any(isinstance(c, StructuralForecaster) for c in updated):
        updated.append(StructuralForecaster())
    return tuple(updated)


# -- estimates for the model card and the decomposition -----------------------------------------


def demand_by_sector(demand: pl.DataFrame) -> pl.DataFrame:
    """Monthly required FTE and persons (staff + open vacancies) per region x sector."""
    return (
        demand.group_by("month", "region_code", "sector_code")
        .agg(
            fte=pl.col("required_fte").sum(),
            persons=(pl.col("headcount") + pl.col("open_vacancies")).sum().cast(pl.Float64),
        )
        .sort("region_code", "sector_code", "month")
    )


def estimate_structure(
    demand: pl.DataFrame, population: pl.DataFrame, *, origin: dt.date
) -> pl.DataFrame:
    """Per region x sector x month up to ``origin``: care use, staff per unit of care use
    (FTE and persons) and the part-time factor (FTE per person), from data known at ``origin``."""
    history = demand_by_sector(demand.filter(pl.col("month") <= origin))
    months = history["month"].unique().sort().to_numpy().astype("datetime64[D]")
    care_use = monthly_care_use(care_use_by_year(known_at(population, origin)), months)
    frames = []
    for (region, sector), group in history.group_by("region_code", "sector_code"):
        key = (str(region), str(sector))
        if key not in care_use:
            continue
        position = np.searchsorted(months, group["month"].to_numpy().astype("datetime64[D]"))
        frames.append(group.with_columns(care_use=pl.Series(care_use[key][position])))
    if not frames:
        return pl.DataFrame()
    return (
        pl.concat(frames)
        .with_columns(
            fte_per_care_use=pl.col("fte") / pl.col("care_use"),
            persons_per_care_use=pl.col("persons") / pl.col("care_use"),
            part_time_factor=pl.col("fte") / pl.col("persons"),
        )
        .sort("region_code", "sector_code", "month")
    )


def care_use_rates(structure: pl.DataFrame, month: dt.date) -> pl.DataFrame:
    """Staff persons per 1,000 inhabitants of each band and sector at ``month``."""
    at = structure.filter(pl.col("month") == month)
    rows = [
        {
            "region_code": row["region_code"],
            "sector_code": row["sector_code"],
            "age": band,
            "staff_per_1000": 1000 * weight * row["persons_per_care_use"],
        }
        for row in at.iter_rows(named=True)
        for band, weight in care_use_profiles()[row["sector_code"]].items()
    ]
    return pl.DataFrame(rows)


def other_growth(structure: pl.DataFrame, first_year: int, last_year: int) -> pl.DataFrame:
    """Non-demographic growth per year (log) by sector: the slope of log staff (persons) per
    unit of care use over the yearly means of ``first_year`` to ``last_year``."""
    yearly = (
        structure.filter(pl.col("month").dt.year().is_between(first_year, last_year))
        .group_by("region_code", "sector_code", year=pl.col("month").dt.year())
        .agg(pl.col("persons_per_care_use").mean())
    )
    rows = []
    for (region, sector), group in yearly.group_by("region_code", "sector_code"):
        if group.height < 2:
            continue
        slope = np.polyfit(group["year"].to_numpy(), np.log(group["persons_per_care_use"]), 1)[0]
        rows.append({"region_code": region, "sector_code": sector, "other_growth": float(slope)})
    return pl.DataFrame(rows).sort("region_code", "sector_code")


def model_card_section(
    demand: pl.DataFrame,
    population: pl.DataFrame,
    *,
    origin: dt.date,
    weights: dict[str, dict[str, float]],
    assumptions: DemandAssumptions,
) -> str:
    """The demand model's assumptions and estimates at ``origin``, for the model card."""
    from workforce.forecast.registry import markdown_table

    structure = estimate_structure(demand, population, origin=origin)
    if structure.is_empty():
        return "## Demand from demography\n\nNo population covers the demand series.\n"
    vintage = latest_vintage(population, origin)
    at_origin = structure.filter(pl.col("month") == structure["month"].max())
    rates = care_use_rates(structure, at_origin["month"][0])
    old = rates.filter(pl.col("age").is_in(["75-79", "80-84", "85+"])).pivot(
        on="age", index=["region_code", "sector_code"], values="staff_per_1000"
    )
    recent = other_growth(structure, origin.year - 4, origin.year).rename(
        {"other_growth": "other_growth_last_5_years"}
    )
    earlier = other_growth(structure, origin.year - 9, origin.year - 5).rename(
        {"other_growth": "other_growth_5_years_before"}
    )
    table = (
        at_origin.select("region_code", "sector_code", "part_time_factor")
        .join(old, on=["region_code", "sector_code"], how="left")
        .join(recent, on=["region_code", "sector_code"], how="left")
        .join(earlier, on=["region_code", "sector_code"], how="left")
        .sort("region_code", "sector_code")
    )
    demographic = {"prophet", "structural"}
    carried = sum(1 for w in weights.values() if demographic & {n for n, v in w.items() if v > 0})
    part_time = (
        "estimated per sector at the origin (column part_time_factor)"
        if assumptions.part_time_factor is None
        else f"{assumptions.part_time_factor:.2f} FTE per person"
    )
    return "\n".join(
        [
            "## Demand from demography",
            "",
            "Demand = sum over age bands of care use per person (profile by sector, an input:",
            "`workforce/care_use.py`) x population x staff per unit of care use (estimated).",
            f"Population as known at the origin {origin:%Y-%m}: counts published by then, "
            f"then projection vintage {vintage if vintage is not None else 'none'}.",
            "",
            "Assumptions (scenario inputs):",
            "",
            f"- Part-time factor: {part_time}.",
            f"- Productivity change per year: {assumptions.productivity_per_year:.1%} "
            "(lever `productivity` in a scenario; 0 = the trend of the history only).",
            "",
            "Estimates: staff (persons) per 1,000 inhabitants aged 75-79, 80-84 and 85+ at the",
            "origin; non-demographic growth (log per year) of staff per unit of care use.",
            "",
            markdown_table(table),
            "",
            f"Series whose chosen forecast gives weight to a model with the demographic index "
            f"(Prophet with the index as a regressor, or the structural model): {carried} of "
            f"{len(weights)}.",
            "",
        ]
    )
