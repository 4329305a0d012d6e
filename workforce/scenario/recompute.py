"""Fast scenario recomputation for dashboards: only the nodes and periods a view shows.

:class:`ScenarioEngine` keeps the outlook, the baseline and the demand draws (common random
numbers); :meth:`ScenarioEngine.recompute` reruns the supply projection with a scenario's levers
and summarises the shortage for the region and its professions (by default) in each projected
year: the same numbers as the scenario's marts for those nodes, without the rest.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property

import numpy as np
import polars as pl

from workforce.outlook.interval_calibration import LEVEL_NAMES
from workforce.outlook.outlook import KEYS, Outlook, period_indices
from workforce.outlook.shortage import QUANTILES, shortage_fte
from workforce.reference import Reference
from workforce.scenario.effects import PROFESSION_LEVEL, REGION_LEVEL, adjust_demand, scoped
from workforce.scenario.levers import to_levers
from workforce.scenario.regions import choose_regions, in_scope, outlook_regions
from workforce.scenario.spec import Scenario
from workforce.supply.projection import fte_per_person, project_supply

INTERVAL_BOUNDS = ("lo_80", "hi_80", "lo_95", "hi_95")
DASHBOARD_PATHS = 200


class ScenarioEngine:
    """Recompute a scenario's shortage for a dashboard in a fraction of a second.

    ``levels`` are hierarchy levels to report (default the region and its professions);
    ``periods`` month indices (default one per projected year); ``regions`` where the levers
    act and the nodes reported (default every region of the outlook). The same ``paths`` and
    ``seed`` serve the baseline and every scenario.
    """

    def __init__(
        self,
        outlook: Outlook,
        *,
        paths: int = DASHBOARD_PATHS,
        seed: int = 0,
        periods: np.ndarray | None = None,
        levels: Sequence[str] = (REGION_LEVEL, PROFESSION_LEVEL),
        reference: Reference | None = None,
        regions: Sequence[str] | None = None,
    ) -> None:
        self.outlook = outlook
        self.paths = paths
        self.seed = seed
        self.periods = period_indices(outlook.months)[1] if periods is None else periods
        self.levels = tuple(levels)
        self.reference = reference
        self.regions = choose_regions(outlook, regions)

    @cached_property
    def _rows(self) -> np.ndarray:
        everything = self.regions == outlook_regions(self.outlook)
        chosen = self.outlook.hierarchy.nodes.select(
            pl.col("level").is_in(self.levels) & in_scope(self.regions, everything)
        ).to_series()
        return np.flatnonzero(chosen.to_numpy())

    @cached_property
    def _demand_draws(self) -> np.ndarray:
        """Baseline demand paths at the periods [paths x series x periods]."""
        baseline = self.outlook.compute(paths=self.paths, seed=self.seed, periods=self.periods)
        return baseline.demand_paths[:, :, self.periods]

    @cached_property
    def baseline(self) -> pl.DataFrame:
        """The baseline's rows, as :meth:`recompute` gives them."""
        from workforce.scenario.spec import scenario_of

        return self.recompute(scenario_of("baseline"))

    def recompute(self, scenario: Scenario) -> pl.DataFrame:
        """Shortage per reported node and year with ``scenario``'s levers.

        Columns: ``node_id``, ``level``, ``region_code``, ``sector_code``, ``profession_code``,
        ``month``, ``year``, ``shortage_fte`` (point, as the marts), ``shortage_fte_p50``,
        ``shortage_fte_lo_80``, ``shortage_fte_hi_80``, ``shortage_fte_lo_95``,
        ``shortage_fte_hi_95``, ``probability_shortage``, ``shortage_persons``.
        """
        outlook, periods = self.outlook, self.periods
        scenario = scoped(outlook, scenario, self.regions)
        supply_levers, demand_levers = to_levers(scenario, outlook.supply_inputs, self.reference)
        supply = project_supply(
            outlook.supply_inputs,
            months=outlook.months,
            paths=self.paths,
            levers=supply_levers,
            seed=self.seed,
        )
        demand_paths = self._demand_draws
        demand_mean = outlook.demand.mean[:, periods]
        if demand_levers is not None:
            # Growth is measured from the origin, so levers apply to the sliced periods as well.
            demand_paths = np.maximum(adjust_demand(outlook, demand_paths, demand_levers), 0.0)
            demand_mean = adjust_demand(outlook, demand_mean, demand_levers)
        per_person = fte_per_person(outlook.supply_inputs, supply_levers)
        summing = outlook.hierarchy.summing[self._rows]
        gap = shortage_fte(demand_mean, supply.mean["headcount"][:, periods] * per_person[:, None])
        node_paths = np.einsum(
            "ns,psm->pnm",
            summing,
            shortage_fte(demand_paths, supply.fte[:, :, periods]),
            optimize=True,
        )
        quantiles = np.quantile(node_paths, list(QUANTILES.values()), axis=0)
        nodes = outlook.hierarchy.nodes[self._rows].select("node_id", "level", *KEYS)
        if outlook.calibration is not None:
            # The same calibrated intervals as the forecast marts.
            names = list(QUANTILES)
            levels = [LEVEL_NAMES.get(level, level) for level in nodes["level"]]
            bounds = {name: quantiles[names.index(name)] for name in INTERVAL_BOUNDS}
            scaled = outlook.calibration.apply(
                quantiles[names.index("p50")], bounds, levels, np.asarray(periods) + 1
            )
            for name, values in scaled.items():
                quantiles[names.index(name)] = values
        months = [supply.months[i] for i in periods]
        n_nodes, n_periods = nodes.height, len(periods)
        return nodes[np.repeat(np.arange(n_nodes), n_periods)].with_columns(
            month=pl.Series(months * n_nodes, dtype=pl.Date),
            year=pl.Series([m.year for m in months] * n_nodes, dtype=pl.Int64),
            shortage_fte=(summing @ gap).ravel(),
            **{f"shortage_fte_{name}": quantiles[i].ravel() for i, name in enumerate(QUANTILES)},
            probability_shortage=(node_paths > 0).mean(axis=0).ravel(),
            shortage_persons=(summing @ (gap / per_person[:, None])).ravel(),
        )
