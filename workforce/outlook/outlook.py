"""The outlook: demand, supply and shortage for every node of the hierarchy, with intervals.

:func:`prepare_outlook` estimates everything once from the marts and the demand forecasts:
the leaving model, the supply inputs, the reconciled demand distribution and the hierarchy.
:meth:`Outlook.compute` then simulates demand and supply paths jointly and summarises them per
node; it never fits a model, so scenario levers (:class:`workforce.supply.projection.SupplyLevers`
and :class:`DemandLevers`) recompute in a fraction of a second. :meth:`Outlook.save` and
:meth:`Outlook.load` keep the prepared outlook next to the forecasts for dashboards and scenarios.

Marts written by :func:`write_outlook` to ``<data>/forecasts/``:

- ``supply.parquet``: headcount and FTE per node and period, with 80 % and 95 % intervals;
- ``shortage.parquet``: demand, supply and shortage (FTE and persons) per node and period, with
  intervals, the probability of a shortage, its share of demand and the tension band;
- ``decomposition.parquet``: the change in shortage since the origin split into demand growth,
  retirements, other leavers, graduates and other inflow (FTE, cumulative);
- ``demand_reconciled.parquet``: reconciled demand per node (coherent means, intervals from
  summed paths), next to the engine's base forecasts in ``demand.parquet``.

Periods: every month for the first :data:`MONTHLY_HORIZON` months, and every twelfth month to the
end (``resolution`` is ``month`` or ``year``).

Over 500 lines because preparing, simulating, summarising and writing the outlook share the
:class:`Outlook` record and its period grid.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from workforce.forecast.demand import KEYS as DEMAND_KEYS
from workforce.outlook.interval_calibration import LEVEL_NAMES, ShortageCalibration
from workforce.outlook.reconcile import Hierarchy, reconcile, workforce_levels
from workforce.outlook.shortage import (
    DemandDistribution,
    PathSummary,
    demand_paths,
    error_correlation,
    realised_shortage,
    shortage_fte,
    summarise,
    tension_band,
)
from workforce.reference import Reference
from workforce.store import (
    Store,
    new_version,
    read_checked,
    version_stamp,
    write_frame,
    write_text,
)
from workforce.supply.projection import (
    SupplyInputs,
    SupplyLevers,
    SupplyProjection,
    fte_per_person,
    project_supply,
)

MONTHLY_HORIZON = 36
DEFAULT_PATHS = 500
KEYS = list(DEMAND_KEYS)
"""Keys of a bottom series: region, sector, profession."""
INTERVALS = ("p50", "lo_80", "hi_80", "lo_95", "hi_95")


@dataclass(frozen=True)
class DemandLevers:
    """Changes to demand: ``growth_reduction`` removes that share of the growth since the
    origin (technology, substitution); ``pooled_share`` of open vacancies is covered by a
    regional pool instead of agency staff; ``productivity_per_year`` lowers the staff needed
    per unit of care by that share each year after the origin ("anders werken"). Per series or
    for all."""

    growth_reduction: np.ndarray | float = 0.0
    pooled_share: np.ndarray | float = 0.0
    productivity_per_year: np.ndarray | float = 0.0


def productivity_factor(per_year: np.ndarray | float, shape: tuple[int, ...]) -> np.ndarray:
    """(1 - p) ** (months ahead / 12) per series and month, broadcast to ``shape``
    ([series x months] or [paths x series x months])."""
    n_series, months = shape[-2], shape[-1]
    rate = np.broadcast_to(np.asarray(per_year, dtype=float), (n_series,))
    ahead = np.arange(1, months + 1) / 12.0
    return (1.0 - rate[:, None]) ** ahead[None, :]


@dataclass
class OutlookResult:
    """Bottom-level sample paths of a simulation, summarised per node when first asked.

    Paths are [paths x series x months]; summaries (:class:`PathSummary`) are [nodes x months],
    filled at the month indices ``periods`` only (NaN elsewhere), since quantiles of many nodes
    and months are the costly part of a recomputation.
    """

    months: list[dt.date]
    supply: SupplyProjection
    demand_paths: np.ndarray
    demand_mean: np.ndarray
    fte_per_person: np.ndarray
    summing: np.ndarray
    periods: np.ndarray
    node_levels: list[str] = field(default_factory=list)
    calibration: ShortageCalibration | None = None

    @cached_property
    def shortage_fte_paths(self) -> np.ndarray:
        """Demand minus supply in FTE, per path, series and month."""
        return shortage_fte(self.demand_paths, self.supply.fte)

    def _summary(self, paths: np.ndarray) -> PathSummary:
        return summarise(paths, self.summing, self.periods)

    @cached_property
    def demand(self) -> PathSummary:
        return self._summary(self.demand_paths)

    @cached_property
    def supply_headcount(self) -> PathSummary:
        return self._summary(self.supply.headcount)

    @cached_property
    def supply_fte(self) -> PathSummary:
        return self._summary(self.supply.fte)

    @cached_property
    def shortage_fte(self) -> PathSummary:
        return self._calibrated(self._summary(self.shortage_fte_paths))

    @cached_property
    def shortage_persons(self) -> PathSummary:
        return self._calibrated(
            self._summary(self.shortage_fte_paths / self.fte_per_person[None, :, None])
        )

    def _calibrated(self, summary: PathSummary) -> PathSummary:
        """Shortage intervals scaled by the calibration's factors, when there is one."""
        if self.calibration is None:
            return summary
        quantiles = dict(summary.quantiles)
        periods = self.periods
        bounds = {
            name: quantiles[name][:, periods] for name in ("lo_80", "hi_80", "lo_95", "hi_95")
        }
        scaled = self.calibration.apply(
            quantiles["p50"][:, periods], bounds, self.node_levels, periods + 1
        )
        for name, values in scaled.items():
            quantiles[name] = quantiles[name].copy()
            quantiles[name][:, periods] = values
        return PathSummary(summary.mean, quantiles, summary.positive)


@dataclass
class Outlook:
    """Everything needed to simulate the outlook, estimated once."""

    supply_inputs: SupplyInputs
    demand: DemandDistribution
    hierarchy: Hierarchy
    correlation: float
    origin_shortage_fte: np.ndarray
    months: int
    metadata: dict[str, Any] = field(default_factory=dict)
    calibration: ShortageCalibration | None = None
    demography_index: np.ndarray | None = None
    """[bottom series x months]: demographic demand index over its origin value (or None)."""
    _demand_draws: dict[tuple[int, int], np.ndarray] = field(
        default_factory=dict, init=False, repr=False
    )

    @property
    def origin(self) -> dt.date:
        return self.supply_inputs.origin

    def compute(
        self,
        supply_levers: SupplyLevers | None = None,
        demand_levers: DemandLevers | None = None,
        *,
        paths: int = DEFAULT_PATHS,
        seed: int = 0,
        periods: np.ndarray | None = None,
    ) -> OutlookResult:
        """Simulate demand and supply jointly; summaries follow per node when asked.

        The same ``seed`` reuses the same random numbers (demand draws are kept), so two lever
        settings differ only by their effect. ``periods`` are the month indices to summarise
        (default: those the marts report, see :func:`period_indices`).
        """
        supply = project_supply(
            self.supply_inputs, months=self.months, paths=paths, levers=supply_levers, seed=seed
        )
        if periods is None:
            periods = np.union1d(*period_indices(self.months))
        return OutlookResult(
            months=supply.months,
            supply=supply,
            demand_paths=self._demand_paths(demand_levers, paths=paths, seed=seed + 1),
            demand_mean=self._adjust(self.demand.mean, demand_levers),
            fte_per_person=fte_per_person(self.supply_inputs, supply_levers),
            summing=self.hierarchy.summing,
            periods=np.asarray(periods),
            node_levels=self.node_levels,
            calibration=self.calibration,
        )

    @property
    def node_levels(self) -> list[str]:
        """Each node's level name (region, sector, profession, bottom), in row order."""
        return [LEVEL_NAMES.get(level, level) for level in self.hierarchy.nodes["level"]]

    def _adjust(self, values: np.ndarray, levers: DemandLevers | None) -> np.ndarray:
        """``values`` (series x months, or paths x series x months) with demand levers applied."""
        if levers is None:
            return values
        series = self.demand.mean.shape[0]
        start = self.demand.mean[:, :1]
        reduction = _per_series(levers.growth_reduction, series)[:, None]
        pooled = _per_series(levers.pooled_share, series)[:, None]
        adjusted = values - (values - start) * reduction
        adjusted = adjusted * productivity_factor(levers.productivity_per_year, values.shape)
        return adjusted - self.origin_shortage_fte.clip(0)[:, None] * pooled

    def _demand_paths(self, levers: DemandLevers | None, *, paths: int, seed: int) -> np.ndarray:
        key = (paths, seed)
        if key not in self._demand_draws:
            self._demand_draws.clear()
            self._demand_draws[key] = demand_paths(
                self.demand,
                paths=paths,
                rng=np.random.default_rng(seed),
                correlation=self.correlation,
            )
        draws = self._demand_draws[key]
        if levers is None:
            return draws
        return np.maximum(self._adjust(draws, levers), 0.0)

    # -- persistence ---------------------------------------------------------------------------

    def save(self, folder: Path) -> None:
        """Write the prepared outlook to ``folder`` (npz arrays, Parquet frames, JSON).

        Written as a new version beside it (``.<folder>.versions/<time>``) and published by
        replacing the link ``folder`` in one rename, so a reader never sees half.
        """
        versions = folder.with_name(f".{folder.name}.versions")
        with new_version(folder, versions, version_stamp()) as partial:
            self._write(partial)

    def _write(self, folder: Path) -> None:
        inputs = self.supply_inputs
        arrays = {
            name: getattr(inputs, name)
            for name in (
                "stock",
                "fte_per_person",
                "leave_hazard",
                "retire_hazard",
                "leave_season",
                "graduate_season",
                "graduate_ages",
                "other_inflow",
                "other_season",
                "other_ages",
                "transfers",
            )
        }
        arrays["cohorts_to_series"] = inputs.cohorts.to_series
        for name in ("mean", "lo_80", "hi_80", "lo_95", "hi_95"):
            arrays[f"demand_{name}"] = getattr(self.demand, name)
        arrays["summing"] = self.hierarchy.summing
        arrays["origin_shortage_fte"] = self.origin_shortage_fte
        if self.demography_index is not None:
            arrays["demography_index"] = self.demography_index
        np.savez_compressed(folder / "arrays.npz", **arrays)
        write_frame(inputs.series, folder / "series.parquet", what="outlook series")
        write_frame(inputs.cohorts.frame, folder / "cohorts.parquet", what="outlook cohorts")
        write_frame(self.hierarchy.nodes, folder / "nodes.parquet", what="outlook nodes")
        meta = {
            "origin": inputs.origin.isoformat(),
            "months": self.months,
            "correlation": self.correlation,
            "uncertainty": vars(inputs.uncertainty),
            "key_columns": list(self.hierarchy.key_columns),
            "levels": [list(level) for level in self.hierarchy.levels],
            **self.metadata,
        }
        write_text(json.dumps(meta, indent=2, default=str), folder / "outlook.json")
        if self.calibration is not None:
            self.calibration.save(folder / "calibration.json")

    @classmethod
    def load(cls, folder: Path) -> Outlook:
        """Read an outlook written by :meth:`save`."""
        from workforce.supply.projection import Cohorts, SupplyUncertainty

        if not (folder / "outlook.json").exists():
            raise FileNotFoundError(f"{folder}: no outlook; run `workforce forecast` first")
        meta = json.loads((folder / "outlook.json").read_text())
        with np.load(folder / "arrays.npz") as stored:
            arrays = {name: stored[name] for name in stored.files}
        series = read_checked(folder / "series.parquet", "outlook series")
        inputs = SupplyInputs(
            origin=dt.date.fromisoformat(meta["origin"]),
            series=series,
            stock=arrays["stock"],
            fte_per_person=arrays["fte_per_person"],
            leave_hazard=arrays["leave_hazard"],
            retire_hazard=arrays["retire_hazard"],
            leave_season=arrays["leave_season"],
            cohorts=Cohorts(
                read_checked(folder / "cohorts.parquet", "outlook cohorts"),
                arrays["cohorts_to_series"],
            ),
            graduate_season=arrays["graduate_season"],
            graduate_ages=arrays["graduate_ages"],
            other_inflow=arrays["other_inflow"],
            other_season=arrays["other_season"],
            other_ages=arrays["other_ages"],
            transfers=arrays["transfers"],
            uncertainty=SupplyUncertainty(**meta["uncertainty"]),
        )
        hierarchy = Hierarchy(
            key_columns=tuple(meta["key_columns"]),
            levels=tuple(tuple(level) for level in meta["levels"]),
            nodes=read_checked(folder / "nodes.parquet", "outlook nodes"),
            summing=arrays["summing"],
        )
        demand = DemandDistribution(
            *(arrays[f"demand_{name}"] for name in ("mean", "lo_80", "hi_80", "lo_95", "hi_95"))
        )
        extra = {
            k: v
            for k, v in meta.items()
            if k not in {"origin", "months", "correlation", "uncertainty", "key_columns", "levels"}
        }
        return cls(
            supply_inputs=inputs,
            demand=demand,
            hierarchy=hierarchy,
            correlation=float(meta["correlation"]),
            origin_shortage_fte=arrays["origin_shortage_fte"],
            months=int(meta["months"]),
            metadata=extra,
            calibration=ShortageCalibration.load(folder / "calibration.json"),
            demography_index=arrays.get("demography_index"),
        )


def saved_outlook(data_dir: Path) -> Outlook | None:
    """The outlook ``workforce forecast`` saved in ``data_dir``; None when there is none or it
    cannot be read (a page then shows what it can without it)."""
    folder = Store(data_dir).outlook
    if not folder.is_dir():
        return None
    try:
        return Outlook.load(folder)
    except (OSError, ValueError, KeyError):
        return None


def _per_series(value: np.ndarray | float, n: int) -> np.ndarray:
    return np.broadcast_to(np.asarray(value, dtype=float), (n,))


# -- preparing -------------------------------------------------------------------------------


def history_matrix(history: pl.DataFrame, ids: list[str], until: dt.date) -> np.ndarray:
    """[series x months] of ``y`` up to ``until`` from ``unique_id, ds, y`` rows (0 if absent)."""
    frame = history.filter(pl.col("ds") <= until)
    months = frame["ds"].unique().sort()
    grid = pl.DataFrame({"unique_id": ids}).join(months.to_frame(), how="cross")
    joined = grid.join(frame.select("unique_id", "ds", "y"), on=["unique_id", "ds"], how="left")
    joined = joined.sort(pl.col("unique_id").cast(pl.Enum(ids)), "ds")
    return joined["y"].fill_null(0.0).to_numpy().reshape(len(ids), months.len())


def reconciled_demand(
    base: pl.DataFrame,
    hierarchy: Hierarchy,
    history: pl.DataFrame,
    months: list[dt.date],
) -> DemandDistribution:
    """The bottom series' demand distribution, means reconciled by MinT-shrink.

    ``base`` holds the base forecasts of every node (``unique_id`` = node id); the error
    covariance comes from the nodes' seasonal (12-month) changes in ``history``, the usual
    stand-in for one-step errors of seasonal series. Intervals keep their base widths around the
    reconciled means; aggregates get theirs from the summed paths.
    """
    nodes = DemandDistribution.from_forecasts(base, hierarchy.node_ids, months)
    observed = history_matrix(history, hierarchy.node_ids, months[0])
    residuals = observed[:, 12:] - observed[:, :-12]
    coherent = reconcile(nodes.mean, hierarchy, "mint_shrink", residuals)
    bottom = slice(hierarchy.n_nodes - hierarchy.n_bottom, None)
    return DemandDistribution(
        nodes.mean[bottom],
        nodes.lo_80[bottom],
        nodes.hi_80[bottom],
        nodes.lo_95[bottom],
        nodes.hi_95[bottom],
    ).shifted(coherent[bottom] - nodes.mean[bottom])


def node_history(demand_mart: pl.DataFrame, hierarchy: Hierarchy) -> pl.DataFrame:
    """Monthly required FTE of every node (``unique_id, ds, y``), summed from the bottom."""
    from workforce.outlook.reconcile import aggregate

    bottom = (
        demand_mart.group_by("month", *KEYS)
        .agg(y=pl.col("required_fte").sum().cast(pl.Float64))
        .with_columns(pl.col(KEYS).cast(pl.String))
    )
    months = bottom["month"].unique().sort()
    grid = (
        hierarchy.nodes.tail(hierarchy.n_bottom).select(KEYS).join(months.to_frame(), how="cross")
    )
    complete = grid.join(bottom, on=[*KEYS, "month"], how="left").with_columns(
        pl.col("y").fill_null(0.0)
    )
    return aggregate(complete, hierarchy, ["y"], by=["month"]).select(
        "unique_id", ds=pl.col("month").cast(pl.Date), y="y"
    )


def hierarchy_of(demand_mart: pl.DataFrame) -> Hierarchy:
    """The region / sector / profession hierarchy over the demand mart's series, with the
    regions together above it when there are several."""
    keys = demand_mart.select(pl.col(KEYS).cast(pl.String)).unique()
    return Hierarchy.from_bottom(keys, workforce_levels(keys["region_code"].n_unique()))


def prepare_outlook(
    marts: Path,
    base_forecasts: pl.DataFrame,
    reference: Reference,
    *,
    months: int,
    origin: dt.date | None = None,
    seed: int = 0,
) -> Outlook:
    """Estimate the outlook from the marts in ``marts`` and base demand forecasts of every node.

    ``origin`` (a month) defaults to the last month of the demand mart; everything is estimated
    from data up to its end, so a past origin gives an honest backtest.
    """
    from workforce.supply.inputs import estimate_supply_inputs, month_end
    from workforce.supply.leaving import fit_leaving_model
    from workforce.supply.projection import month_starts

    demand_mart = read_checked(marts / "demand.parquet", "mart demand")
    spells = read_checked(marts / "spells.parquet", "mart spells")
    pipeline = read_checked(marts / "education_pipeline.parquet", "mart education_pipeline")
    last_month: dt.date = demand_mart["month"].max()  # type: ignore[assignment]
    origin = (origin or last_month).replace(day=1)
    demand_mart = demand_mart.filter(pl.col("month") <= origin)
    forecast_ids = set(base_forecasts["unique_id"].unique().to_list())
    bottom_ids = demand_mart.select(pl.concat_str(KEYS, separator="/")).to_series()
    hierarchy = hierarchy_of(demand_mart.filter(bottom_ids.is_in(forecast_ids)))
    history = node_history(demand_mart, hierarchy)
    calendar = month_starts(origin, months)
    demand = reconciled_demand(base_forecasts, hierarchy, history, calendar)
    bottom_history = history_matrix(history, hierarchy.bottom_ids, origin)
    correlation = error_correlation(bottom_history)

    origin_end = month_end(origin)
    # Periods are [start, start + 12 months): those ending by the first day after the origin
    # month are complete at the origin.
    model = fit_leaving_model(spells, train_until=origin_end + dt.timedelta(days=1), seed=seed)
    hazards = model.recent_cell_hazards(spells, origin_end).select(
        *KEYS, "age", leave_region="h_leave_region", retire="h_retire"
    )
    series = hierarchy.nodes.tail(hierarchy.n_bottom).select(
        pl.col("node_id").alias("unique_id"), *KEYS
    )
    inputs = estimate_supply_inputs(
        spells=spells,
        education_pipeline=pipeline,
        hazards=hazards,
        series=series,
        reference=reference,
        origin=origin,
        until_year=calendar[-1].year,
    )
    at_origin = series.join(
        realised_shortage(demand_mart.filter(pl.col("month") == origin)),
        on=KEYS,
        how="left",
    ).with_columns(pl.col("shortage_fte", "demand_fte").fill_null(0.0))
    return Outlook(
        supply_inputs=inputs,
        demand=demand,
        hierarchy=hierarchy,
        correlation=correlation,
        origin_shortage_fte=at_origin["shortage_fte"].to_numpy(),
        months=months,
        metadata={
            "origin_demand_fte": at_origin["demand_fte"].to_list(),
            "leaving_model": {
                "trained_until": model.trained_until.isoformat(),
                "training_rows": model.training_rows,
            },
        },
    )


# -- marts -----------------------------------------------------------------------------------


def period_indices(months: int) -> tuple[np.ndarray, np.ndarray]:
    """Month indices reported monthly (the first 36) and yearly (every twelfth month)."""
    monthly = np.arange(min(MONTHLY_HORIZON, months))
    yearly = np.arange(11, months, 12)
    return monthly, yearly


def _node_frame(
    outlook: Outlook, months: list[dt.date], columns: dict[str, np.ndarray]
) -> pl.DataFrame:
    """Long frame of node x period from [nodes x months] arrays, monthly and yearly rows."""
    monthly, yearly = period_indices(len(months))
    nodes = outlook.hierarchy.nodes
    frames = []
    for resolution, indices in (("month", monthly), ("year", yearly)):
        n_nodes, n_periods = nodes.height, len(indices)
        frame = nodes.select(
            pl.col("node_id").gather(np.repeat(np.arange(n_nodes), n_periods)),
            pl.col("level").gather(np.repeat(np.arange(n_nodes), n_periods)),
            *(pl.col(k).gather(np.repeat(np.arange(n_nodes), n_periods)) for k in KEYS),
        ).with_columns(
            resolution=pl.lit(resolution),
            month=pl.Series([months[i] for i in indices] * n_nodes, dtype=pl.Date),
            horizon=pl.Series(np.tile(indices + 1, n_nodes), dtype=pl.Int64),
            **{
                name: pl.Series(values[:, indices].ravel(), dtype=pl.Float64)
                for name, values in columns.items()
            },
        )
        frames.append(frame)
    return pl.concat(frames)


def _summary_columns(prefix: str, summary: PathSummary, point: np.ndarray) -> dict[str, np.ndarray]:
    return {
        prefix: point,
        **{f"{prefix}_{name}": summary.quantiles[name] for name in INTERVALS},
    }


def outlook_marts(outlook: Outlook, result: OutlookResult) -> dict[str, pl.DataFrame]:
    """The supply, shortage, decomposition and demand marts of a computed outlook.

    Point values (``demand_fte``, ``supply_fte``, ``shortage_fte`` ...) come from the mean
    demand forecast and the deterministic supply projection, so that the decomposition adds up
    exactly; intervals and the probability of a shortage come from the joint paths.
    """
    summing = outlook.hierarchy.summing
    per_person = result.fte_per_person[:, None]
    headcount = result.supply.mean["headcount"]
    supply_fte = summing @ (headcount * per_person)
    demand = summing @ result.demand_mean
    shortage = shortage_fte(demand, supply_fte)
    persons = summing @ (shortage_fte(result.demand_mean, headcount * per_person) / per_person)
    inflow = summing @ (
        result.supply.mean["graduates"] + np.maximum(result.supply.mean["other_inflow"], 0)
    )
    quarter = np.cumsum(inflow, axis=1)
    quarter[:, 3:] = quarter[:, 3:] - quarter[:, :-3]
    quarter[:, :3] = quarter[:, :3] * 3 / np.arange(1, 4)[: quarter.shape[1]]
    with np.errstate(divide="ignore", invalid="ignore"):
        tension = np.where(quarter > 0, np.maximum(persons, 0) / quarter, np.nan)
        share = np.where(demand > 0, shortage / demand, np.nan)
    supply = _node_frame(
        outlook,
        result.months,
        {
            **_summary_columns("headcount", result.supply_headcount, summing @ headcount),
            **_summary_columns("fte", result.supply_fte, supply_fte),
        },
    )
    shortage_mart = _node_frame(
        outlook,
        result.months,
        {
            "demand_fte": demand,
            "supply_fte": supply_fte,
            **_summary_columns("shortage_fte", result.shortage_fte, shortage),
            **_summary_columns("shortage_persons", result.shortage_persons, persons),
            "shortage_share": share,
            "probability_shortage": result.shortage_fte.positive,
            "tension_ratio": tension,
        },
    ).with_columns(
        tension_band=pl.when(pl.col("tension_ratio").is_not_nan()).then(
            pl.col("tension_ratio").map_elements(tension_band, return_dtype=pl.String)
        )
    )
    decomposition = _node_frame(outlook, result.months, decompose(outlook, result, shortage))
    demand_mart = _node_frame(
        outlook,
        result.months,
        {
            "yhat": demand,
            **{
                f"yhat_{name}": result.demand.quantiles[name]
                for name in ("lo_80", "hi_80", "lo_95", "hi_95")
            },
        },
    )
    return {
        "supply": supply,
        "shortage": shortage_mart,
        "decomposition": decomposition,
        "demand_reconciled": demand_mart,
    }


def decompose(
    outlook: Outlook, result: OutlookResult, shortage: np.ndarray
) -> dict[str, np.ndarray]:
    """Why the shortage changes: cumulative components per node and month (FTE).

    ``shortage_fte = shortage_start_fte + demand_growth_fte + retirements_fte + leavers_fte +
    graduates_fte + other_inflow_fte + hours_fte``: growth of demand since the origin, people
    retiring and leaving regional care (adding to the gap), graduates and other inflow
    (closing it, so negative), and a change in contract hours. Where a demographic demand index
    is known, ``demand_growth_fte = demand_demography_fte + demand_other_fte``: the growth the
    population projection alone brings (origin demand x index change), and the rest.
    """
    summing = outlook.hierarchy.summing
    months = len(result.months)
    per_person = result.fte_per_person[:, None]
    base = outlook.supply_inputs.fte_per_person
    stock = outlook.supply_inputs.stock.sum(axis=1)
    origin_demand = np.asarray(outlook.metadata["origin_demand_fte"], dtype=float)

    def cumulative(name: str) -> np.ndarray:
        return summing @ (np.cumsum(result.supply.mean[name], axis=1) * per_person)

    def constant(values: np.ndarray) -> np.ndarray:
        return np.repeat((summing @ values)[:, None], months, axis=1)

    growth = result.demand_mean - origin_demand[:, None]
    if outlook.demography_index is not None:
        ratio = np.nan_to_num(outlook.demography_index[:, :months], nan=1.0)
        demography = origin_demand[:, None] * (ratio - 1.0)
    else:
        demography = np.full_like(growth, np.nan)
    return {
        "shortage_start_fte": constant(origin_demand - stock * base),
        "demand_growth_fte": summing @ growth,
        "demand_demography_fte": summing @ demography,
        "demand_other_fte": summing @ (growth - demography),
        "retirements_fte": cumulative("retirements"),
        "leavers_fte": cumulative("leavers"),
        "graduates_fte": -cumulative("graduates"),
        "other_inflow_fte": -cumulative("other_inflow"),
        "hours_fte": constant(-stock * (result.fte_per_person - base)),
        "shortage_fte": shortage,
    }


def write_marts(
    marts: dict[str, pl.DataFrame], folder: Path, *, group: str = "forecast"
) -> list[Path]:
    """Write each mart as ``<folder>/<name>.parquet``, atomically, checked as ``<group> <name>``."""
    return [
        write_frame(frame, folder / f"{name}.parquet", what=f"{group} {name}")
        for name, frame in marts.items()
    ]
