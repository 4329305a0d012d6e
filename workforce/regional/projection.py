"""The projected shortage of several regions together, with its interval, from the saved outlook.

The forecast's hierarchy has one node for all its regions together (``*``); another choice of
regions (two of three) is the sum of their bottom series on each simulated path (the joint
simulation that gives every region its interval), so
the interval of the sum is narrower than the sum of the regions' intervals wherever their errors
are not perfectly correlated. Where the outlook's intervals are calibrated on past origins, the
region level's factors apply to the sum, as the nearest level with its own past errors.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from workforce.outlook.outlook import DEFAULT_PATHS, Outlook, saved_outlook
from workforce.outlook.shortage import summarise
from workforce.scenario.effects import horizon_index, point_shortage
from workforce.scenario.regions import outlook_regions, series_in

CALIBRATION_LEVEL = "region"
"""The calibration level whose factors the regions together borrow."""


@dataclass(frozen=True)
class ProjectedShortage:
    """Shortage of ``regions`` together in December of ``year``: persons with the 80 % interval,
    and FTE."""

    regions: tuple[str, ...]
    year: int
    persons: float
    persons_lo_80: float
    persons_hi_80: float
    fte: float


def projected_together(
    outlook: Outlook,
    regions: Sequence[str],
    year: int,
    *,
    paths: int = DEFAULT_PATHS,
    seed: int = 0,
) -> ProjectedShortage:
    """The shortage of ``regions`` together in ``year`` (December, or the last month projected):
    the point as the marts compute it, the interval from the per-path sums."""
    index = horizon_index(outlook, year)
    periods = np.array([index])
    result = outlook.compute(paths=paths, seed=seed, periods=periods)
    summing = series_in(outlook, regions).astype(float)[None, :]
    fte, persons = point_shortage(outlook, result, summing)
    per_person = result.shortage_fte_paths / result.fte_per_person[None, :, None]
    quantiles = summarise(per_person, summing, periods).quantiles
    bounds = {name: quantiles[name][:, periods] for name in ("lo_80", "hi_80", "lo_95", "hi_95")}
    if outlook.calibration is not None:
        bounds = outlook.calibration.apply(
            quantiles["p50"][:, periods], bounds, [CALIBRATION_LEVEL], periods + 1
        )
    return ProjectedShortage(
        regions=tuple(regions),
        year=year,
        persons=float(persons[0, index]),
        persons_lo_80=float(bounds["lo_80"][0, 0]),
        persons_hi_80=float(bounds["hi_80"][0, 0]),
        fte=float(fte[0, index]),
    )


def projected_from_data_dir(
    data_dir: Path, year: int, *, paths: int = DEFAULT_PATHS, seed: int = 0
) -> ProjectedShortage | None:
    """:func:`projected_together` for all the regions of the outlook ``workforce forecast``
    saved in ``data_dir``, in ``year`` or the last projected year; None without an outlook of
    several regions."""
    outlook = saved_outlook(data_dir)
    if outlook is None:
        return None
    regions = outlook_regions(outlook)
    if len(regions) < 2:
        return None
    last = outlook.origin.year + outlook.months // 12
    return projected_together(outlook, regions, min(year, last), paths=paths, seed=seed)
