"""The region's employers as one regional employer: KPIs, mobility, flex pool, benchmarks,
and the labour-market regions side by side with their municipalities.

Pure functions from the marts (:class:`RegionalMarts`) to Polars frames; every view that
compares or lists employers passes :func:`workforce.privacy.disclose`.
"""

from workforce.regional.benchmarks import compare_to_region, employer_benchmarks
from workforce.regional.comparison import RegionComparison, compare_regions, profession_tension
from workforce.regional.data import MissingMartsError, RegionalMarts, load_marts
from workforce.regional.flexpool import (
    flex_pool,
    flex_pool_sizing,
    open_fte_series,
    pooled_vacancies,
)
from workforce.regional.kpis import regional_kpis, retention, retirement_wave, sick_leave
from workforce.regional.municipalities import municipality_figures
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
from workforce.regional.scope import for_regions

__all__ = [
    "MissingMartsError",
    "RegionComparison",
    "RegionalMarts",
    "compare_regions",
    "compare_to_region",
    "compute_regional",
    "employer_benchmarks",
    "employer_flow_matrix",
    "employer_net_flows",
    "flex_pool",
    "flex_pool_sizing",
    "flow_matrix_wide",
    "flows",
    "for_regions",
    "load_marts",
    "municipality_figures",
    "net_gain",
    "open_fte_series",
    "pooled_vacancies",
    "profession_tension",
    "regional_kpis",
    "retention",
    "retirement_wave",
    "sankey",
    "sector_flow_matrix",
    "sector_net_flows",
    "sick_leave",
    "write_regional",
]
