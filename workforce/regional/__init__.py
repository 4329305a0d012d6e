"""The region's employers as one regional employer: KPIs, mobility, flex pool, benchmarks.

Pure functions from the marts (:class:`RegionalMarts`) to Polars frames; every view that
compares or lists employers passes :func:`workforce.privacy.disclose`.
"""

from workforce.regional.benchmarks import compare_to_region, employer_benchmarks
from workforce.regional.data import MissingMartsError, RegionalMarts, load_marts
from workforce.regional.flexpool import (
    flex_pool,
    flex_pool_sizing,
    open_fte_series,
    pooled_vacancies,
)
from workforce.regional.kpis import regional_kpis, retention, retirement_wave, sick_leave
from workforce.regional.network import (
    employer_flow_matrix,
    employer_net_flows,
    flow_matrix_wide,
    flows,
    net_gain,
    sankey,
    sector_flow_matrix,
    sector_net_flows,
)
from workforce.regional.outputs import compute_regional, write_regional

__all__ = [
    "MissingMartsError",
    "RegionalMarts",
    "compare_to_region",
    "compute_regional",
    "employer_benchmarks",
    "employer_flow_matrix",
    "employer_net_flows",
    "flex_pool",
    "flex_pool_sizing",
    "flow_matrix_wide",
    "flows",
    "load_marts",
    "net_gain",
    "open_fte_series",
    "pooled_vacancies",
    "regional_kpis",
    "retention",
    "retirement_wave",
    "sankey",
    "sector_flow_matrix",
    "sector_net_flows",
    "sick_leave",
    "write_regional",
]
