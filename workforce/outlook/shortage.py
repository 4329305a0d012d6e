"""Shortage = demand - supply, from joint simulation of demand and supply sample paths.

One definition serves the projection and its backtest (:func:`shortage_fte`): the required FTE
(filled FTE plus open vacancy FTE, as the demand mart counts it) minus the FTE of the staff
employed at covered employers (contract hours over the standard week). Realised, that is the open
vacancy FTE (:func:`realised_shortage`); projected, it is forecast demand minus the stock-flow
supply in the same FTE.

Demand paths come from the calibrated forecast quantiles: each path draws one standard-normal
score per series (a regional common factor plus a series-specific part), kept over the horizon,
and reads the forecast's quantile function at that score (linear between the 95 %, 80 % and
median knots, so both calibrated levels are kept). Supply paths come from the stock-flow
projection (:mod:`workforce.supply.projection`), drawn independently. Intervals of any
aggregate come from summing paths first and taking quantiles after: quantiles do not add.

The tension indicator follows UWV's *spanningsindicator* (open vacancies per job seeker who is
directly available) and its bands: below 0.25 very slack, to 0.67 slack, to 1.5 balanced, to
4 tight, above that very tight. Here the open vacancies are the projected shortage in persons
and the candidates are the projected inflow (graduates and other inflow) in a quarter.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import polars as pl

from workforce.forecast.demand import KEYS

Quantity = TypeVar("Quantity", np.ndarray, pl.Expr, float)

LEVELS = (80, 95)
Z80 = 1.2815515655446004
"""The standard-normal score of the 90th percentile (``scipy.stats.norm.ppf(0.9)``), written out
so that reading an outlook does not load scipy.stats."""
Z95 = 1.959963984540054
"""The standard-normal score of the 97.5th percentile (``scipy.stats.norm.ppf(0.975)``)."""
TENSION_BANDS = (
    (0.25, "zeer ruim"),
    (0.67, "ruim"),
    (1.5, "gemiddeld"),
    (4.0, "krap"),
    (float("inf"), "zeer krap"),
)
"""UWV's bands: the upper bound of each, and its Dutch name."""


def shortage_fte(demand_fte: Quantity, supply_fte: Quantity) -> Quantity:
    """Shortage in FTE: required FTE (filled + open vacancies) minus the FTE of employed staff.

    Negative values are a surplus. The same function scores projections and realisations.
    """
    return demand_fte - supply_fte


def realised_shortage(demand_mart: pl.DataFrame) -> pl.DataFrame:
    """Observed demand, supply and shortage (FTE) per month and bottom series of the demand mart.

    Demand is ``required_fte``, supply the ``filled_fte`` (contract hours of the staff employed at
    the end of the month over the standard week, as the supply projection counts them), and the
    shortage :func:`shortage_fte` of the two, which equals the open vacancy FTE.
    """
    return (
        demand_mart.group_by("month", *KEYS)
        .agg(
            demand_fte=pl.col("required_fte").sum().cast(pl.Float64),
            supply_fte=pl.col("filled_fte").sum().cast(pl.Float64),
            headcount=pl.col("headcount").sum().cast(pl.Float64),
        )
        .with_columns(
            pl.col(KEYS).cast(pl.String),
            shortage_fte=shortage_fte(pl.col("demand_fte"), pl.col("supply_fte")),
        )
        .sort("month", *KEYS)
    )


@dataclass(frozen=True)
class DemandDistribution:
    """Forecast quantiles per series and month [series x months] (required FTE)."""

    mean: np.ndarray
    lo_80: np.ndarray
    hi_80: np.ndarray
    lo_95: np.ndarray
    hi_95: np.ndarray

    @classmethod
    def from_forecasts(
        cls, forecasts: pl.DataFrame, unique_ids: list[str], months: list
    ) -> DemandDistribution:
        """Arrays from a long forecast frame (``unique_id, ds, yhat, yhat_lo_80, ...``).

        A series or month missing from ``forecasts`` is an error: shortage needs demand for
        every supply series.
        """
        grid = pl.DataFrame({"unique_id": unique_ids}).join(
            pl.DataFrame({"ds": months}, schema={"ds": pl.Date}), how="cross"
        )
        joined = grid.join(
            forecasts.select("unique_id", pl.col("ds").cast(pl.Date), "yhat", *_interval_columns()),
            on=["unique_id", "ds"],
            how="left",
        ).sort(pl.col("unique_id").cast(pl.Enum(unique_ids)), "ds")
        if joined["yhat"].null_count():
            missing = joined.filter(pl.col("yhat").is_null()).row(0, named=True)
            raise ValueError(
                f"no demand forecast for {missing['unique_id']} in {missing['ds']:%Y-%m}; "
                "forecast at least as far ahead as the projection"
            )
        shape = (len(unique_ids), len(months))

        def array(column: str) -> np.ndarray:
            return joined[column].to_numpy().reshape(shape)

        return cls(
            mean=array("yhat"),
            lo_80=array("yhat_lo_80"),
            hi_80=array("yhat_hi_80"),
            lo_95=array("yhat_lo_95"),
            hi_95=array("yhat_hi_95"),
        )

    def shifted(self, delta: np.ndarray) -> DemandDistribution:
        """The same distribution moved by ``delta`` (e.g. to reconciled means)."""
        return DemandDistribution(
            self.mean + delta,
            self.lo_80 + delta,
            self.hi_80 + delta,
            self.lo_95 + delta,
            self.hi_95 + delta,
        )

    def at(self, z: np.ndarray) -> np.ndarray:
        """Values at standard-normal scores ``z`` [paths x series] -> [paths x series x months].

        Piecewise linear through (-z95, lo_95), (-z80, lo_80), (0, mean), (z80, hi_80),
        (z95, hi_95), extended linearly beyond the 95 % knots.
        """
        z = z[:, :, None]
        upper_inner = (self.hi_80 - self.mean) / Z80
        upper_outer = (self.hi_95 - self.hi_80) / (Z95 - Z80)
        lower_inner = (self.mean - self.lo_80) / Z80
        lower_outer = (self.lo_80 - self.lo_95) / (Z95 - Z80)
        above = np.where(
            z <= Z80,
            self.mean + z * upper_inner,
            self.hi_80 + (z - Z80) * upper_outer,
        )
        below = np.where(
            z >= -Z80,
            self.mean + z * lower_inner,
            self.lo_80 + (z + Z80) * lower_outer,
        )
        return np.where(z >= 0, above, below)


def _interval_columns() -> list[str]:
    return [f"yhat_{side}_{level}" for level in LEVELS for side in ("lo", "hi")]


def demand_paths(
    demand: DemandDistribution,
    *,
    paths: int,
    rng: np.random.Generator,
    correlation: float = 0.5,
) -> np.ndarray:
    """Demand sample paths [paths x series x months]: one score per path and series.

    ``correlation`` is the share of a series' score that is common to the whole region.
    """
    n_series = demand.mean.shape[0]
    common = rng.standard_normal((paths, 1))
    own = rng.standard_normal((paths, n_series))
    z = np.sqrt(correlation) * common + np.sqrt(1 - correlation) * own
    return np.maximum(demand.at(z), 0.0)


def error_correlation(history: np.ndarray, season_length: int = 12) -> float:
    """Mean pairwise correlation of the series' seasonal changes [series x months], in [0, 0.95].

    Used as the share of demand uncertainty that is common to the region.
    """
    if history.shape[1] <= season_length + 2 or history.shape[0] < 2:
        return 0.5
    changes = history[:, season_length:] - history[:, :-season_length]
    changes = changes[np.std(changes, axis=1) > 0]
    if changes.shape[0] < 2:
        return 0.5
    matrix = np.corrcoef(changes)
    pairs = matrix[np.triu_indices_from(matrix, k=1)]
    return float(np.clip(np.nanmean(pairs), 0.0, 0.95))


@dataclass(frozen=True)
class PathSummary:
    """Mean, quantiles and the probability of a positive value per node and month."""

    mean: np.ndarray
    quantiles: dict[str, np.ndarray]
    positive: np.ndarray


QUANTILES = {"p50": 0.5, "lo_80": 0.1, "hi_80": 0.9, "lo_95": 0.025, "hi_95": 0.975}


def summarise(
    paths: np.ndarray, summing: np.ndarray, periods: np.ndarray | None = None
) -> PathSummary:
    """Summaries of ``paths`` [paths x series x months] for each node of ``summing``.

    ``summing`` is nodes x series: sample paths are summed per node before quantiles are taken.
    Only the month indices ``periods`` (default all) are summarised; others are NaN.
    """
    months = paths.shape[2]
    periods = np.arange(months) if periods is None else np.asarray(periods)
    nodes = np.einsum("ns,psm->pnm", summing, paths[:, :, periods], optimize=True)
    quantiles = np.quantile(nodes, list(QUANTILES.values()), axis=0)

    def full(values: np.ndarray) -> np.ndarray:
        out = np.full((summing.shape[0], months), np.nan)
        out[:, periods] = values
        return out

    return PathSummary(
        mean=full(nodes.mean(axis=0)),
        quantiles={name: full(quantiles[i]) for i, name in enumerate(QUANTILES)},
        positive=full((nodes > 0).mean(axis=0)),
    )


def tension_band(ratio: float) -> str:
    """UWV's name for a tension ratio (open vacancies per available candidate)."""
    for upper, name in TENSION_BANDS:
        if ratio < upper:
            return name
    return TENSION_BANDS[-1][1]
