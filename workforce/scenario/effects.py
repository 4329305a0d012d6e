"""Scenario outcomes: shortage with levers, its difference with the baseline, lever effects.

Every comparison uses the same seed for the baseline and the scenario (common random numbers),
so a difference is the levers' effect and not noise; its interval comes from the per-path
differences. Point values are those of the marts: the mean demand forecast minus the
deterministic supply projection.

Lever effects do not simply add up: a lever that keeps leavers also keeps the extra graduates
another lever brings in, and extra hours multiply every extra person. :func:`lever_effects`
reports each lever alone, all together, and the difference (the interaction).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from workforce.outlook.outlook import (
    DEFAULT_PATHS,
    KEYS,
    DemandLevers,
    Outlook,
    OutlookResult,
    outlook_marts,
    period_indices,
    productivity_factor,
)
from workforce.outlook.shortage import summarise
from workforce.reference import Reference
from workforce.scenario.levers import to_levers
from workforce.scenario.pillars import PILLAR_OF_KIND, shift_demand
from workforce.scenario.regions import (
    choose_regions,
    in_scope,
    outlook_regions,
    report_nodes,
    series_in,
)
from workforce.scenario.spec import (
    Lever,
    Scenario,
    ScenarioError,
    Scope,
    scenario_of,
    within_regions,
)

PROFESSION_LEVEL = "region_code/profession_code"
REGION_LEVEL = "region_code"
BOTTOM_LEVEL = "region_code/sector_code/profession_code"
STANDARD_HORIZON_YEARS = 5


def standard_levers(
    outlook: Outlook | None = None, regions: Sequence[str] | None = None
) -> list[Scenario]:
    """The lever table's standard sizes: those regional employer organisations publish for
    the first four, and one plain size for each other lever of the three pillars.

    Kiezen voor de zorg: keep 1 in 10 leavers; keep 1 in 10 student dropouts; 15 % more intake;
    10 % more career changers and returners (of the region's recent yearly other inflow, which
    needs ``outlook``). Blijven leren: 3 % of the care-ladder staff a year one step up. Anders
    werken: 2 more contract hours per week; 5 % of nurses' work done one step down the ladder;
    technology that takes away 10 % of demand growth. With ``regions``, the career changers
    are 10 % of those regions' inflow.
    """
    levers = [
        scenario_of("retention_10pct", Lever("retention", 10), rationale="keep 1 in 10 leavers"),
        scenario_of(
            "dropout_10pct", Lever("dropout", 10), rationale="keep 1 in 10 student dropouts"
        ),
        scenario_of("intake_15pct", Lever("intake", 15), rationale="15 % more intake"),
        scenario_of("hours_plus_2", Lever("hours", 2), rationale="2 more contract hours a week"),
        scenario_of(
            "upskilling_3pct",
            Lever("upskilling", 3),
            rationale="3 % of care-ladder staff a year one step up",
        ),
        scenario_of(
            "task_shift_5pct",
            Lever("task_shift", 5, Scope(professions=("nurse_bachelor", "nurse_vocational"))),
            rationale="5 % of nurses' work done one step down the ladder",
        ),
        scenario_of(
            "technology_10pct",
            Lever("demand_growth", 10),
            rationale="technology takes away 10 % of demand growth",
        ),
    ]
    if outlook is not None:
        inside = series_in(outlook, choose_regions(outlook, regions))
        yearly = float(outlook.supply_inputs.other_inflow[inside].clip(0).sum() * 12)
        levers.append(
            scenario_of(
                "career_changers_10pct",
                Lever("inflow", round(0.1 * yearly)),
                rationale="10 % more career changers and returners",
            )
        )
    return levers


def pillar_of(scenario: Scenario) -> str | None:
    """The pillar a scenario's levers serve (None when they serve several, or none)."""
    pillars = {PILLAR_OF_KIND.get(lever.kind) for lever in scenario.levers}
    return pillars.pop() if len(pillars) == 1 else None


def scoped(outlook: Outlook, scenario: Scenario, regions: Sequence[str]) -> Scenario:
    """``scenario`` with its levers kept inside ``regions`` (unchanged when they are all the
    outlook's regions)."""
    if tuple(regions) == outlook_regions(outlook):
        return scenario
    return within_regions(scenario, regions)


def compute_scenario(
    outlook: Outlook,
    scenario: Scenario,
    *,
    paths: int = DEFAULT_PATHS,
    seed: int = 0,
    periods: np.ndarray | None = None,
    reference: Reference | None = None,
) -> OutlookResult:
    """The outlook with ``scenario``'s levers (same seed as its baseline: common random numbers)."""
    supply, demand = to_levers(scenario, outlook.supply_inputs, reference)
    result = outlook.compute(supply, None, paths=paths, seed=seed, periods=periods)
    return result if demand is None else with_demand_levers(outlook, result, demand)


def adjust_demand(outlook: Outlook, values: np.ndarray, levers: DemandLevers) -> np.ndarray:
    """Demand [series x months] or paths [paths x series x months] with demand levers.

    ``growth_reduction`` removes that share of each series' growth since the origin (of its
    mean forecast); ``pooled_share`` of the open vacancies at the origin is covered by the
    regional pool over the whole horizon. Per-series arrays apply along the series axis.
    """
    n_series = outlook.supply_inputs.series.height
    start = outlook.demand.mean[:, :1]
    reduction = np.broadcast_to(np.asarray(levers.growth_reduction, float), (n_series,))
    pooled = np.broadcast_to(np.asarray(levers.pooled_share, float), (n_series,))
    adjusted = values - (values - start) * reduction[:, None]
    adjusted = adjusted * productivity_factor(levers.productivity_per_year, values.shape)
    adjusted = adjusted - (outlook.origin_shortage_fte.clip(0) * pooled)[:, None]
    shift = getattr(levers, "task_shift", None)
    return adjusted if shift is None else shift_demand(adjusted, shift)


def with_demand_levers(
    outlook: Outlook, result: OutlookResult, levers: DemandLevers
) -> OutlookResult:
    """``result`` (computed without demand levers) with ``levers`` applied to its demand."""
    return OutlookResult(
        months=result.months,
        supply=result.supply,
        demand_paths=np.maximum(adjust_demand(outlook, result.demand_paths, levers), 0.0),
        demand_mean=adjust_demand(outlook, result.demand_mean, levers),
        fte_per_person=result.fte_per_person,
        summing=result.summing,
        periods=result.periods,
    )


def default_horizon_year(outlook: Outlook) -> int:
    """Five years after the origin's year (2030 for an origin in 2025), within the projection."""
    last = outlook.origin.year + outlook.months // 12
    return min(outlook.origin.year + STANDARD_HORIZON_YEARS, last)


def horizon_index(outlook: Outlook, year: int) -> int:
    """Index of the last projected month of ``year`` (December, or the last month projected)."""
    origin = outlook.origin
    first_year = origin.year + (origin.month == 12)
    months = [(origin.year * 12 + origin.month - 1 + k + 1) for k in range(outlook.months)]
    index = [k for k, m in enumerate(months) if m // 12 == year]
    if not index:
        last = (months[-1]) // 12
        raise ScenarioError(
            f"horizon year {year} is outside the projection ({first_year} to {last}); "
            "choose a year in that range"
        )
    return index[-1]


def point_shortage(
    outlook: Outlook, result: OutlookResult, summing: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Shortage per node and month [nodes x months], in FTE and in persons, as the marts;
    ``summing`` [rows x series] chooses the rows (default the hierarchy's nodes)."""
    per_person = result.fte_per_person[:, None]
    gap = result.demand_mean - result.supply.mean["headcount"] * per_person
    summing = outlook.hierarchy.summing if summing is None else summing
    return summing @ gap, summing @ (gap / per_person)


@dataclass(frozen=True)
class Reduction:
    """How much a scenario closes the gap against its baseline, per node and period.

    Arrays are [nodes x periods]: point reductions (baseline minus scenario shortage), and the
    80 % interval of the per-path reduction (common random numbers).
    """

    periods: np.ndarray
    fte: np.ndarray
    persons: np.ndarray
    fte_lo_80: np.ndarray
    fte_hi_80: np.ndarray
    persons_lo_80: np.ndarray
    persons_hi_80: np.ndarray


def gap_reduction(
    outlook: Outlook,
    baseline: OutlookResult,
    result: OutlookResult,
    periods: np.ndarray,
    summing: np.ndarray | None = None,
) -> Reduction:
    """Reduction of the shortage by ``result`` against ``baseline`` at month indices ``periods``,
    for the rows of ``summing`` (default the hierarchy's nodes)."""
    summing = outlook.hierarchy.summing if summing is None else summing
    base_fte, base_persons = point_shortage(outlook, baseline, summing)
    fte, persons = point_shortage(outlook, result, summing)
    fte_paths = summarise(
        baseline.shortage_fte_paths - result.shortage_fte_paths, summing, periods
    ).quantiles
    persons_paths = summarise(
        baseline.shortage_fte_paths / baseline.fte_per_person[None, :, None]
        - result.shortage_fte_paths / result.fte_per_person[None, :, None],
        summing,
        periods,
    ).quantiles
    return Reduction(
        periods=periods,
        fte=(base_fte - fte)[:, periods],
        persons=(base_persons - persons)[:, periods],
        fte_lo_80=fte_paths["lo_80"][:, periods],
        fte_hi_80=fte_paths["hi_80"][:, periods],
        persons_lo_80=persons_paths["lo_80"][:, periods],
        persons_hi_80=persons_paths["hi_80"][:, periods],
    )


def _yearly_periods(outlook: Outlook) -> np.ndarray:
    return period_indices(outlook.months)[1]


def _months(outlook: Outlook, result: OutlookResult, periods: np.ndarray) -> list[dt.date]:
    return [result.months[i] for i in periods]


def _node_rows(nodes: pl.DataFrame, months: list[dt.date]) -> pl.DataFrame:
    nodes = nodes.select("node_id", "level", *KEYS)
    n_nodes, n_periods = nodes.height, len(months)
    return nodes[np.repeat(np.arange(n_nodes), n_periods)].with_columns(
        month=pl.Series(months * n_nodes, dtype=pl.Date),
        year=pl.Series([m.year for m in months] * n_nodes, dtype=pl.Int64),
    )


def reduction_frame(
    nodes: pl.DataFrame, reduction: Reduction, months: list[dt.date], label: str
) -> pl.DataFrame:
    """A :class:`Reduction` as rows: each of ``nodes`` x period, with ``lever`` = ``label``."""
    return _node_rows(nodes, months).with_columns(
        lever=pl.lit(label),
        reduction_fte=reduction.fte.ravel(),
        reduction_fte_lo_80=reduction.fte_lo_80.ravel(),
        reduction_fte_hi_80=reduction.fte_hi_80.ravel(),
        reduction_persons=reduction.persons.ravel(),
        reduction_persons_lo_80=reduction.persons_lo_80.ravel(),
        reduction_persons_hi_80=reduction.persons_hi_80.ravel(),
    )


def lever_effects(
    outlook: Outlook,
    scenario: Scenario,
    *,
    paths: int = DEFAULT_PATHS,
    seed: int = 0,
    periods: np.ndarray | None = None,
    baseline: OutlookResult | None = None,
    combined: OutlookResult | None = None,
    regions: Sequence[str] | None = None,
) -> pl.DataFrame:
    """Each lever alone, all levers together, and their interaction, per node and year.

    ``lever`` is the lever's label, ``combined``, or ``interaction`` (combined minus the sum of
    the single effects; its interval columns are null). Reductions are baseline minus scenario
    shortage: positive closes the gap. ``regions`` (default all) are where the levers act and
    the nodes reported, with the regions together when there are several
    (:mod:`workforce.scenario.regions`).
    """
    chosen = choose_regions(outlook, regions)
    scenario = scoped(outlook, scenario, chosen)
    report = report_nodes(outlook, chosen)
    periods = _yearly_periods(outlook) if periods is None else np.asarray(periods)
    baseline = baseline or outlook.compute(paths=paths, seed=seed, periods=periods)
    combined = combined or compute_scenario(
        outlook, scenario, paths=paths, seed=seed, periods=periods
    )
    months = _months(outlook, baseline, periods)
    frames = []
    singles_fte = np.zeros((report.nodes.height, len(periods)))
    singles_persons = np.zeros_like(singles_fte)
    for index, lever in enumerate(scenario.levers):
        result = compute_scenario(
            outlook, scenario.single(index), paths=paths, seed=seed, periods=periods
        )
        reduction = gap_reduction(outlook, baseline, result, periods, report.summing)
        singles_fte += reduction.fte
        singles_persons += reduction.persons
        frames.append(reduction_frame(report.nodes, reduction, months, lever.label))
    total = gap_reduction(outlook, baseline, combined, periods, report.summing)
    frames.append(reduction_frame(report.nodes, total, months, "combined"))
    frames.append(
        _node_rows(report.nodes, months).with_columns(
            lever=pl.lit("interaction"),
            reduction_fte=(total.fte - singles_fte).ravel(),
            reduction_fte_lo_80=pl.lit(None, pl.Float64),
            reduction_fte_hi_80=pl.lit(None, pl.Float64),
            reduction_persons=(total.persons - singles_persons).ravel(),
            reduction_persons_lo_80=pl.lit(None, pl.Float64),
            reduction_persons_hi_80=pl.lit(None, pl.Float64),
        )
    )
    return pl.concat(frames).with_columns(scenario=pl.lit(scenario.name))


def scenario_marts(
    outlook: Outlook,
    scenario: Scenario,
    *,
    paths: int = DEFAULT_PATHS,
    seed: int = 0,
    regions: Sequence[str] | None = None,
) -> dict[str, pl.DataFrame]:
    """The marts of a scenario, yearly per node (region, sector, profession, bottom) of the
    chosen ``regions`` (default all), where its levers act.

    - ``shortage``: the scenario's shortage mart (columns of ``forecasts/shortage.parquet``)
      with ``baseline_shortage_fte``, ``baseline_shortage_persons`` and the reductions
      (``reduction_fte`` with its 80 % interval, ``reduction_persons``) against the baseline;
    - ``effects``: each lever alone, combined and their interaction (:func:`lever_effects`),
      also for the chosen regions together when there are several;
    - ``decomposition``: the scenario's decomposition of the shortage;
    - ``supply``: the scenario's supply (headcount, FTE) with intervals.
    """
    chosen = choose_regions(outlook, regions)
    scenario = scoped(outlook, scenario, chosen)
    periods = _yearly_periods(outlook)
    baseline = outlook.compute(paths=paths, seed=seed, periods=periods)
    result = compute_scenario(outlook, scenario, paths=paths, seed=seed, periods=periods)
    marts = outlook_marts(outlook, result)
    effects = lever_effects(
        outlook,
        scenario,
        paths=paths,
        seed=seed,
        baseline=baseline,
        combined=result,
        regions=chosen,
    )
    base_fte, base_persons = point_shortage(outlook, baseline)
    months = _months(outlook, baseline, periods)
    baseline_rows = _node_rows(outlook.hierarchy.nodes, months).select(
        "node_id",
        "month",
        baseline_shortage_fte=base_fte[:, periods].ravel(),
        baseline_shortage_persons=base_persons[:, periods].ravel(),
    )
    combined = effects.filter(pl.col("lever") == "combined").select(
        "node_id", "month", pl.selectors.starts_with("reduction_")
    )
    shortage = (
        marts["shortage"]
        .filter(pl.col("resolution") == "year")
        .join(baseline_rows, on=["node_id", "month"], how="left")
        .join(combined, on=["node_id", "month"], how="left")
        .with_columns(scenario=pl.lit(scenario.name), year=pl.col("month").dt.year())
    )
    everything = chosen == outlook_regions(outlook)
    yearly = (pl.col("resolution") == "year") & in_scope(chosen, everything)
    return {
        "shortage": shortage.filter(yearly),
        "effects": effects,
        "decomposition": marts["decomposition"].filter(yearly),
        "supply": marts["supply"].filter(yearly),
    }


def lever_table(
    outlook: Outlook,
    scenarios: Sequence[Scenario],
    *,
    horizon_year: int | None = None,
    paths: int = DEFAULT_PATHS,
    seed: int = 0,
    regions: Sequence[str] | None = None,
) -> pl.DataFrame:
    """Reduction of the gap at the horizon per scenario, per region and profession, with the
    levers acting in ``regions`` (default all the outlook's regions).

    One row per scenario x (each chosen region's total and professions; with several regions,
    also their total and professions together, ``region_code`` null): ``scenario``,
    ``rationale``, ``pillar`` (of the three pillars, when the levers serve one),
    ``horizon_year``, ``month``, ``region_code``, ``profession_code`` (null for the total),
    ``baseline_shortage_persons``, ``baseline_shortage_fte``, ``reduction_persons``,
    ``reduction_fte`` (with ``_lo_80``/``_hi_80`` from the per-path differences), and
    ``share_of_gap_closed`` (reduction over a positive baseline gap, else null).
    """
    chosen = choose_regions(outlook, regions)
    report = report_nodes(outlook, chosen, (REGION_LEVEL, PROFESSION_LEVEL))
    year = horizon_year or default_horizon_year(outlook)
    index = horizon_index(outlook, year)
    periods = np.array([index])
    baseline = outlook.compute(paths=paths, seed=seed, periods=periods)
    base_fte, base_persons = point_shortage(outlook, baseline, report.summing)
    frames = []
    for scenario in scenarios:
        result = compute_scenario(
            outlook, scoped(outlook, scenario, chosen), paths=paths, seed=seed, periods=periods
        )
        reduction = gap_reduction(outlook, baseline, result, periods, report.summing)
        frames.append(
            report.nodes.select(
                scenario=pl.lit(scenario.name),
                rationale=pl.lit(scenario.rationale),
                pillar=pl.lit(pillar_of(scenario), pl.String),
                horizon_year=pl.lit(year),
                month=pl.lit(baseline.months[index]),
                region_code="region_code",
                profession_code="profession_code",
                baseline_shortage_persons=base_persons[:, index],
                baseline_shortage_fte=base_fte[:, index],
                reduction_persons=reduction.persons[:, 0],
                reduction_persons_lo_80=reduction.persons_lo_80[:, 0],
                reduction_persons_hi_80=reduction.persons_hi_80[:, 0],
                reduction_fte=reduction.fte[:, 0],
                reduction_fte_lo_80=reduction.fte_lo_80[:, 0],
                reduction_fte_hi_80=reduction.fte_hi_80[:, 0],
            )
        )
    table = pl.concat(frames).with_columns(
        share_of_gap_closed=pl.when(pl.col("baseline_shortage_fte") > 0).then(
            pl.col("reduction_fte") / pl.col("baseline_shortage_fte")
        )
    )
    return table.sort(
        "scenario",
        pl.col("region_code").is_null(),
        "region_code",
        pl.col("profession_code").is_not_null(),
        "profession_code",
        maintain_order=True,
    )


REGION_TOTAL = "(region total)"
TOGETHER = "(together)"


def lever_table_wide(table: pl.DataFrame, value: str = "reduction_fte") -> pl.DataFrame:
    """The lever table with one column per scenario (``value`` of each): per region (the
    regions together last, as ``(together)``), its total first, then professions by gap."""
    order = table["scenario"].unique(maintain_order=True).to_list()
    labelled = table.with_columns(
        region=pl.col("region_code").fill_null(TOGETHER),
        profession=pl.col("profession_code").fill_null(REGION_TOTAL),
    )
    wide = labelled.pivot(on="scenario", index=["region", "profession"], values=value).select(
        "region", "profession", *order
    )
    baseline = labelled.unique(["region", "profession"], maintain_order=True).select(
        "region", "profession", gap_fte="baseline_shortage_fte"
    )
    return (
        baseline.join(wide, on=["region", "profession"], how="left")
        .sort(
            pl.col("region") == TOGETHER,
            "region",
            pl.col("profession") != REGION_TOTAL,
            pl.col("gap_fte"),
            descending=[False, False, False, True],
        )
        .drop("region" if table["region_code"].n_unique() == 1 else [])
    )
