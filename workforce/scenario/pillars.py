"""The three pillars of the regional labour-market agenda, and the two levers that move people
and work between professions.

- *blijven leren* (keep learning): care staff train up one step of the care ladder, often
  on the job (BBL): helpende -> verzorgende-IG -> mbo-verpleegkundige -> hbo-verpleegkundige;
- *kiezen voor de zorg* (choosing care): intake, finishing students, graduates who start in
  the region, career changers and returners, and staying (retention);
- *anders werken* (working differently): more contract hours, task shifting to the profession
  one step down the ladder, and technology that lowers demand growth.
"""

from __future__ import annotations

import numpy as np
import polars as pl

CARE_LADDER = ("care_helper", "certified_carer", "nurse_vocational", "nurse_bachelor")
"""Professions of the care ladder, lowest first."""

PILLARS = {
    "blijven leren": ("upskilling",),
    "kiezen voor de zorg": ("intake", "dropout", "entry", "inflow", "retention"),
    "anders werken": ("hours", "task_shift", "demand_growth", "regional_pool"),
}
PILLAR_OF_KIND = {kind: pillar for pillar, kinds in PILLARS.items() for kind in kinds}


def _step(series: pl.DataFrame, up: bool) -> np.ndarray:
    """For each series, the row of the same region and sector one ladder step up (or down);
    -1 if none."""
    keys = series.select("region_code", "sector_code", "profession_code").rows()
    index = {key: i for i, key in enumerate(keys)}
    target = np.full(series.height, -1)
    for i, (region, sector, profession) in enumerate(keys):
        if profession not in CARE_LADDER:
            continue
        rung = CARE_LADDER.index(profession) + (1 if up else -1)
        if 0 <= rung < len(CARE_LADDER):
            target[i] = index.get((region, sector, CARE_LADDER[rung]), -1)
    return target


def upskilling_moves(
    series: pl.DataFrame, stock: np.ndarray, share: float, mask: np.ndarray
) -> np.ndarray:
    """Net people per year per series when ``share`` of each scoped ladder series' staff moves
    one step up the ladder, within its region and sector (where it has the next profession)."""
    target = _step(series, up=True)
    moving = np.where(mask & (target >= 0), share * stock, 0.0)
    net = -moving
    np.add.at(net, target[target >= 0], moving[target >= 0])
    return net


def task_shift_matrix(series: pl.DataFrame, share: float, mask: np.ndarray) -> np.ndarray:
    """[series x series]: the share of a scoped ladder series' work done by the profession one
    step down in the same region and sector (e.g. nurses' tasks done by certified carers)."""
    target = _step(series, up=False)
    matrix = np.zeros((series.height, series.height))
    rows = np.flatnonzero(mask & (target >= 0))
    matrix[rows, target[rows]] = share
    return matrix


def shift_demand(values: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """Demand [.., series, months] after moving work along ``matrix`` (see
    :func:`task_shift_matrix`); the total over series is unchanged."""
    moved_in = np.einsum("...im,ij->...jm", values, matrix)
    return values - values * matrix.sum(axis=1)[:, None] + moved_in
