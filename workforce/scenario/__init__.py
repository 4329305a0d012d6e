"""Scenarios: named, versioned sets of levers on the outlook, their effects and the lever table.

- :mod:`workforce.scenario.spec`: scenario files (TOML) and their checks;
- :mod:`workforce.scenario.levers`: levers -> supply and demand levers of the projection;
- :mod:`workforce.scenario.effects`: shortage with levers, difference with the baseline, lever
  effects one at a time and combined, the lever table;
- :mod:`workforce.scenario.recompute`: fast recomputation of the nodes a dashboard shows.
"""

from workforce.scenario.effects import (
    compute_scenario,
    default_horizon_year,
    gap_reduction,
    horizon_index,
    lever_effects,
    lever_table,
    lever_table_wide,
    point_shortage,
    scenario_marts,
    standard_levers,
)
from workforce.scenario.levers import to_levers
from workforce.scenario.recompute import ScenarioEngine
from workforce.scenario.spec import (
    LEVER_KINDS,
    Lever,
    Scenario,
    ScenarioError,
    Scope,
    parse_scenario,
    read_scenario,
    scenario_of,
)

__all__ = [
    "LEVER_KINDS",
    "Lever",
    "Scenario",
    "ScenarioEngine",
    "ScenarioError",
    "Scope",
    "compute_scenario",
    "default_horizon_year",
    "gap_reduction",
    "horizon_index",
    "lever_effects",
    "lever_table",
    "lever_table_wide",
    "parse_scenario",
    "point_shortage",
    "read_scenario",
    "scenario_marts",
    "scenario_of",
    "standard_levers",
    "to_levers",
]
