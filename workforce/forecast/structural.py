"""Structural demand: care use by age x population x staff per unit of care use.

As in the Dutch national care-workforce model, demand of a sector in a region is

    demand(t) = sum over age bands of care_use_profile(band) x population(band, t) x ratio(t)

The profile (:mod:`workforce.marts.care_use`) is an input; the population comes from the
population mart *as known at the forecast origin* (:func:`workforce.marts.population.known_at`);
the ratio (staff per unit of care use) and its non-demographic trend are estimated from the
region's history.
The demographic demand index of a series is its care use relative to the first month, weighted
by the sector mix of the series (region and profession series span several sectors).

Every candidate of the engine forecasts the ratio of demand to that index (the
non-demographic part) and multiplies its forecast by the projected index
(:class:`PerCareUse`); Prophet also takes the index as a regressor
(:mod:`workforce.forecast.prophet`). Both read the index from ``Series.known_paths``: row ``i``
is the index as known at period ``i``, so a backtest from any origin reads only the projection
vintage published by then.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import numpy as np
import polars as pl

from workforce.forecast.base import Forecaster, Prediction
from workforce.forecast.frames import LEVELS, Series
from workforce.marts.care_use import band_weight, care_use_profiles
from workforce.marts.population import PUBLICATION_MONTH, known_at, latest_vintage

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
    # Sums run in one fixed order (sorted rows, groups in order of appearance): a float sum
    # in another order differs in its last bits, which the engine's fits would amplify.
    by_band = (
        population.sort("region_code", "year", "age_from", "age_to")
        .group_by("region_code", "year", "age_from", "age_to", maintain_order=True)
        .agg(pl.col("persons").sum())
    )
    return (
        by_band.join(weights, on=["age_from", "age_to"], nulls_equal=True)
        .sort("region_code", "sector_code", "year", "age_from", "age_to")
        .group_by("region_code", "sector_code", "year", maintain_order=True)
        .agg(care_use=(pl.col("persons") * pl.col("weight")).sum())
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
    keys = ["region_code", "sector_code", "profession_code"]
    bottom = (
        early.sort([*keys, "month"])
        .group_by(keys, maintain_order=True)
        .agg(pl.col("required_fte").sum())
    )
    weights: dict[str, dict[tuple[str, str], float]] = {}
    for node in nodes.iter_rows(named=True):
        rows = bottom
        for key in ("region_code", "sector_code", "profession_code"):
            if node.get(key) is not None:
                rows = rows.filter(pl.col(key) == node[key])
        shares = rows.group_by("region_code", "sector_code", maintain_order=True).agg(
            pl.col("required_fte").sum()
        )
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


class PerCareUse(Forecaster):
    """``model`` forecasting demand per unit of care use; demography multiplies it back.

    As in the national model, demand = demographic index x staff per unit of care use. The
    wrapped model is fitted on the ratio of demand to the index as known at the origin (its
    non-demographic part: policy, productivity, task shifts) and its forecast, intervals
    included, is multiplied by the index projected at the origin. So every candidate of the
    engine carries the demography, and the inner backtest chooses only how the ratio moves:
    ``naive`` holds it (demand grows with demography alone), ``drift`` continues its trend.

    A series without a known index (no population covers its sectors) is forecast by
    ``model`` from its own history.
    """

    def __init__(self, *, model: Forecaster, regressor: str = DEMOGRAPHY_INDEX) -> None:
        self.model = model
        self.regressor = regressor

    @property
    def name(self) -> str:  # type: ignore[override]
        """The wrapped model's name: the engine's choice reads as that model's."""
        return self.model.name

    @property
    def unwrapped(self) -> Forecaster:
        """The fitted wrapped model (for saving a Prophet model), else the template."""
        return self.model_.unwrapped if hasattr(self, "model_") else self.model

    def _fit(self, series: Series) -> None:
        from sklearn.base import clone

        path = series.known_path(self.regressor)
        n = len(series)
        self.path_ = path if path is not None and np.isfinite(path[:n]).all() else None
        target = series
        if self.path_ is not None:
            target = replace(series, y=series.y / self.path_[:n])
        self.model_ = clone(self.model).fit(target)

    def _predict(self, horizon: int, future_exogenous: dict[str, np.ndarray]) -> Prediction:
        prediction = self.model_.predict(horizon, future_exogenous=future_exogenous)
        if self.path_ is None:
            return prediction
        n = len(self.series_)
        future = future_exogenous.get(self.regressor)
        if future is None:
            future = self.path_[n : n + horizon]
            future = np.concatenate([future, np.full(horizon - len(future), self.path_[-1])])
        return Prediction(
            prediction.mean * future,
            {level: prediction.lower[level] * future for level in LEVELS},
            {level: prediction.upper[level] * future for level in LEVELS},
        )


def with_demography(candidates: tuple[Forecaster, ...]) -> tuple[Forecaster, ...]:
    """Every candidate forecasting demand per unit of care use (:class:`PerCareUse`); Prophet
    also takes the demographic index as a regressor, so it can learn how far the ratio itself
    follows the population."""
    from sklearn.base import clone

    from workforce.forecast.prophet import ProphetForecaster

    updated: list[Forecaster] = []
    for candidate in candidates:
        if isinstance(candidate, PerCareUse):
            updated.append(candidate)
            continue
        if (
            isinstance(candidate, ProphetForecaster)
            and DEMOGRAPHY_INDEX not in candidate.regressors
        ):
            candidate = clone(candidate).set_params(
                regressors=(*candidate.regressors, DEMOGRAPHY_INDEX)
            )
        updated.append(PerCareUse(model=candidate))
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
    prophet = sum(1 for w in weights.values() if w.get("prophet", 0) > 0)
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
            "`workforce/marts/care_use.py`) x population x staff per unit of care use (estimated).",
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
            "Every candidate forecasts demand per unit of care use (demand / demographic "
            "index) and multiplies its forecast by the index projected at the origin, so "
            "demography drives every chosen forecast; the inner backtest chooses how the "
            "non-demographic ratio moves (per series in the table of choices). Prophet also "
            f"takes the index as a regressor; it carries weight in {prophet} of "
            f"{len(weights)} series.",
            "",
        ]
    )
