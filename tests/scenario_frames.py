"""A small literal outlook (two sectors x two professions per region, one or two programmes)
for fast scenario and alignment tests; the region fixture covers the real thing."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from workforce.outlook.outlook import Outlook
from workforce.outlook.reconcile import WORKFORCE_LEVELS, Hierarchy
from workforce.outlook.shortage import DemandDistribution
from workforce.supply.projection import AGES, Cohorts, SupplyInputs

ORIGIN = dt.date(2025, 12, 1)
PROFESSIONS = ("nurse_bachelor", "certified_carer")
SECTORS = ("hospitals", "elderly_home_care")
PROGRAMMES = {"34560": ("nurse_bachelor", "HBO", 4), "25656": ("certified_carer", "MBO3", 3)}
"""programme -> (profession, level, nominal years), as in the reference."""


def small_outlook(
    *,
    months: int = 96,
    stock_per_age: float = 8.0,
    leave_hazard: float = 0.008,
    institution_intakes: dict[str, tuple[float, ...]] | None = None,
    completion: float = 0.7,
    regions: dict[str, float] | None = None,
    professions: tuple[str, ...] = PROFESSIONS,
    area_levels: bool = False,
) -> Outlook:
    """An outlook over four series per region with flat hazards and growing demand (a real
    shortage).

    ``institution_intakes`` gives each programme's yearly intake per institution (default one
    institution per programme); future cohorts start in 2026. ``regions`` maps each region to
    its size relative to ``stock_per_age`` (default Midden-Utrecht alone at 1); graduates go to
    every region in proportion to its size. ``professions`` are those of every sector.
    ``area_levels`` puts the regions together (total, sector, profession) above them in the
    hierarchy, as a forecast of several regions may hold them.
    """
    sizes = regions or {"AM13": 1.0}
    intakes = institution_intakes or {"34560": (100.0,), "25656": (80.0,)}
    keys = pl.DataFrame(
        [
            {"region_code": r, "sector_code": s, "profession_code": p}
            for r in sizes
            for s in SECTORS
            for p in professions
        ]
    )
    area = ((), ("sector_code",), ("profession_code",)) if area_levels else ()
    hierarchy = Hierarchy.from_bottom(keys, (*area, *WORKFORCE_LEVELS))
    series = hierarchy.nodes.tail(hierarchy.n_bottom).select(
        unique_id="node_id",
        region_code="region_code",
        sector_code="sector_code",
        profession_code="profession_code",
    )
    n = series.height
    working = (AGES >= 22) & (AGES <= 66)
    size = series["region_code"].replace_strict(sizes, return_dtype=pl.Float64).to_numpy()
    stock = np.where(working, stock_per_age, 0.0)[None, :] * size[:, None]
    leave = np.full((n, len(AGES)), leave_hazard)
    retire = np.where(AGES >= 64, 0.05, 0.0)[None, :].repeat(n, axis=0)
    entry_age = np.zeros(len(AGES))
    entry_age[AGES == 23] = 1.0
    rows = []
    institutions = ["25DW", "21PD", "25LH", "30RN"]
    for programme, (_, level, years) in PROGRAMMES.items():
        for i, intake in enumerate(intakes.get(programme, ())):
            for cohort in range(2022, ORIGIN.year + months // 12 + 1):
                graduation = cohort + years
                if graduation <= ORIGIN.year or graduation > ORIGIN.year + months // 12:
                    continue
                rows.append(
                    {
                        "programme_code": programme,
                        "institution_code": institutions[i],
                        "level": level,
                        "cohort_year": cohort,
                        "intake": intake,
                        "graduation_year": graduation,
                        "graduates": intake * completion,
                        "dropouts": intake * (1 - completion),
                        "future": cohort > ORIGIN.year,
                    }
                )
    frame = pl.DataFrame(rows)
    profession_of = series["profession_code"].to_numpy()
    to_series = np.zeros((frame.height, n))
    for r, programme in enumerate(frame["programme_code"].to_list()):
        profession = PROGRAMMES[programme][0]
        targets = np.flatnonzero(profession_of == profession)
        if not targets.size:
            continue
        to_series[r, targets] = 0.85 * 0.9 * size[targets] / size[targets].sum()
    inputs = SupplyInputs(
        origin=ORIGIN,
        series=series.with_columns(fte_per_person=pl.lit(0.75)),
        stock=stock,
        fte_per_person=np.full(n, 0.75),
        leave_hazard=leave,
        retire_hazard=retire,
        leave_season=np.ones(12),
        cohorts=Cohorts(frame, to_series),
        graduate_season=np.ones(12),
        graduate_ages=entry_age[None, :].repeat(n, axis=0),
        other_inflow=size.copy(),
        other_season=np.ones(12),
        other_ages=entry_age[None, :].repeat(n, axis=0),
        transfers=np.zeros(n),
    )
    start = stock.sum(axis=1) * 0.75
    growth = 1 + 0.02 * np.arange(1, months + 1) / 12
    mean = start[:, None] * 1.05 * growth[None, :]
    spread = 0.04 * mean * np.sqrt(np.arange(1, months + 1) / 12)[None, :]
    demand = DemandDistribution(
        mean=mean,
        lo_80=mean - 1.28 * spread,
        hi_80=mean + 1.28 * spread,
        lo_95=mean - 1.96 * spread,
        hi_95=mean + 1.96 * spread,
    )
    return Outlook(
        supply_inputs=inputs,
        demand=demand,
        hierarchy=hierarchy,
        correlation=0.5,
        origin_shortage_fte=start * 0.05,
        months=months,
        metadata={"origin_demand_fte": (start * 1.05).tolist()},
    )
