"""From a scenario's levers to the projection's inputs: :class:`SupplyLevers` and
:class:`DemandLevers`, per series (region x sector x profession), age and cohort row.

Several levers of the same kind combine: factors on rates multiply (two retention levers of
10 % keep 1 - 0.9 x 0.9 = 19 % of leavers), shares combine as 1 - (1 - a)(1 - b), hours and
people add, pooled shares add up to at most 100 %.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from workforce.outlook.outlook import DemandLevers
from workforce.reference import AGE_BANDS, Reference, load_reference
from workforce.scenario.pillars import CARE_LADDER, task_shift_matrix, upskilling_moves
from workforce.scenario.spec import Lever, Scenario, ScenarioError
from workforce.supply.projection import AGES, SupplyInputs, SupplyLevers


@dataclass(frozen=True)
class ScenarioDemandLevers(DemandLevers):
    """Demand levers with task shifting: ``task_shift`` [series x series] is the share of a
    series' work done by another (see :func:`workforce.scenario.pillars.task_shift_matrix`)."""

    task_shift: np.ndarray | None = None


def series_mask(series: pl.DataFrame, lever: Lever) -> np.ndarray:
    """Which series (rows of ``series``) a lever's region, profession and sector scope covers."""
    mask = np.ones(series.height, dtype=bool)
    if lever.scope.regions:
        mask &= series["region_code"].is_in(list(lever.scope.regions)).to_numpy()
    if lever.scope.professions:
        mask &= series["profession_code"].is_in(list(lever.scope.professions)).to_numpy()
    if lever.scope.sectors:
        mask &= series["sector_code"].is_in(list(lever.scope.sectors)).to_numpy()
    return mask


def age_mask(lever: Lever) -> np.ndarray:
    """Which single ages (:data:`AGES`) a lever's age-band scope covers."""
    if not lever.scope.age_bands:
        return np.ones(len(AGES), dtype=bool)
    mask = np.zeros(len(AGES), dtype=bool)
    for label, low, high in AGE_BANDS:
        if label in lever.scope.age_bands:
            mask |= (low <= AGES) & (high >= AGES)
    return mask


def cohort_mask(cohorts: pl.DataFrame, lever: Lever) -> np.ndarray:
    """Which cohort rows a lever's programme, level and institution scope covers."""
    mask = np.ones(cohorts.height, dtype=bool)
    for scope, column in (
        ("programmes", "programme_code"),
        ("levels", "level"),
        ("institutions", "institution_code"),
    ):
        codes = getattr(lever.scope, scope)
        if codes:
            mask &= cohorts[column].is_in(list(codes)).to_numpy()
    return mask


def _check_reach(mask: np.ndarray, lever: Lever, scenario: Scenario, what: str) -> None:
    if not mask.any():
        raise ScenarioError(
            f"{scenario.source or scenario.name}: lever {lever.label}: its scope matches no "
            f"{what} of this forecast"
        )


def to_levers(
    scenario: Scenario, inputs: SupplyInputs, reference: Reference | None = None
) -> tuple[SupplyLevers, DemandLevers | None]:
    """The supply and demand levers of ``scenario`` for the series and cohorts of ``inputs``.

    A scenario without levers gives the defaults, which change nothing; a lever whose scope
    matches no series (or no cohort) of the region is an error.
    """
    series = inputs.series
    cohorts = inputs.cohorts.frame
    if "level" not in cohorts.columns:
        levels = (reference or load_reference()).programmes.select("programme_code", "level")
        cohorts = cohorts.join(levels, on="programme_code", how="left")
    n_series, n_rows = series.height, cohorts.height
    leave = np.ones((n_series, len(AGES)))
    intake = np.ones(n_rows)
    kept_dropouts = np.zeros(n_rows)
    entry = np.ones(n_series)
    hours = np.zeros(n_series)
    inflow = np.zeros(n_series)
    growth_kept = np.ones(n_series)
    pooled = np.zeros(n_series)
    productivity = np.zeros(n_series)
    moves = np.zeros(n_series)
    shifted = np.zeros((n_series, n_series))
    used: set[str] = set()
    stock = inputs.stock.sum(axis=1)
    for lever in scenario.levers:
        used.add(lever.kind)
        share = lever.value / 100
        if lever.kind in ("intake", "dropout"):
            rows = cohort_mask(cohorts, lever)
            _check_reach(rows, lever, scenario, "education cohort")
            if lever.kind == "intake":
                intake = np.where(rows, intake * (1 + share), intake)
            else:
                kept_dropouts = np.where(rows, 1 - (1 - kept_dropouts) * (1 - share), kept_dropouts)
            continue
        mask = series_mask(series, lever)
        if lever.kind in ("upskilling", "task_shift"):
            mask &= series["profession_code"].is_in(list(CARE_LADDER)).to_numpy()
        _check_reach(mask, lever, scenario, "series (sector x profession)")
        if lever.kind == "retention":
            leave = np.where(mask[:, None] & age_mask(lever)[None, :], leave * (1 - share), leave)
        elif lever.kind == "entry":
            entry = np.where(mask, entry * (1 + share), entry)
        elif lever.kind == "hours":
            hours = np.where(mask, hours + lever.value, hours)
        elif lever.kind == "inflow":
            weights = np.where(mask, stock, 0.0)
            total = weights.sum()
            split = weights / total if total > 0 else mask / mask.sum()
            inflow = inflow + lever.value * split
        elif lever.kind == "demand_growth":
            growth_kept = np.where(mask, growth_kept * (1 - share), growth_kept)
        elif lever.kind == "upskilling":
            moves = moves + upskilling_moves(series, stock, share, mask)
        elif lever.kind == "task_shift":
            shifted = shifted + task_shift_matrix(series, share, mask)
        elif lever.kind == "regional_pool":
            pooled = np.where(mask, np.minimum(pooled + share, 1.0), pooled)
        elif lever.kind == "productivity":
            productivity = np.where(mask, productivity + share, productivity)
    supply = SupplyLevers(
        leave_factor=leave if "retention" in used else 1.0,
        extra_hours=hours if "hours" in used else 0.0,
        extra_inflow=inflow if "inflow" in used else 0.0,
        intake_factor=intake if "intake" in used else None,
        dropout_reduction=kept_dropouts if "dropout" in used else None,
        entry_factor=entry if "entry" in used else None,
        extra_moves=moves if "upskilling" in used else 0.0,
    )
    demand = None
    if used & {"demand_growth", "regional_pool", "productivity", "task_shift"}:
        demand = ScenarioDemandLevers(
            growth_reduction=1 - growth_kept,
            pooled_share=pooled,
            productivity_per_year=productivity,
            task_shift=shifted if "task_shift" in used else None,
        )
    return supply, demand
