"""The labour-market regions a scenario or an intake advice speaks for, and the rows reporting them.

An outlook can hold several regions (Midden-Utrecht, Amersfoort, Gooi en Vechtstreek). A user
chooses one of them or several (default: all); the levers then act in the chosen regions and
the results are reported for each chosen region and, when there are several, for the chosen
regions together: rows with ``region_code`` null, ``level`` the hierarchy level without the
region (``total``, ``profession_code``, ...) and a ``node_id`` as the hierarchy writes them
(trailing wildcards dropped) whose region part is ``*`` (all the outlook's regions) or the
chosen codes joined by ``+``: ``*``, ``*/*/nurse_bachelor``, ``AM13+AM14``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from workforce.outlook.outlook import KEYS, Outlook
from workforce.outlook.reconcile import SEPARATOR, TOTAL_LEVEL, WILDCARD
from workforce.scenario.spec import ScenarioError

REGION_KEY = "region_code"


def outlook_regions(outlook: Outlook) -> tuple[str, ...]:
    """The region codes of the outlook's series, sorted."""
    return tuple(sorted(outlook.supply_inputs.series[REGION_KEY].unique().to_list()))


def choose_regions(outlook: Outlook, regions: Sequence[str] | None) -> tuple[str, ...]:
    """``regions`` checked against the outlook (none: all its regions), in the outlook's order."""
    known = outlook_regions(outlook)
    if not regions:
        return known
    unknown = [code for code in regions if code not in known]
    if unknown:
        raise ScenarioError(
            f"region {', '.join(unknown)} is not in this forecast; it has {', '.join(known)}"
        )
    return tuple(code for code in known if code in set(regions))


def series_in(outlook: Outlook, regions: Sequence[str]) -> np.ndarray:
    """Which bottom series (region x sector x profession) lie in ``regions``."""
    return outlook.supply_inputs.series[REGION_KEY].is_in(list(regions)).to_numpy()


@dataclass(frozen=True)
class ReportNodes:
    """Rows to report: ``nodes`` (``node_id``, ``level`` and the key columns) and ``summing``
    [rows x bottom series], the hierarchy's own rows first, then the rows of the regions
    together."""

    nodes: pl.DataFrame
    summing: np.ndarray


def report_nodes(
    outlook: Outlook, regions: Sequence[str], levels: Sequence[str] | None = None
) -> ReportNodes:
    """The hierarchy's nodes of ``levels`` (default all) in ``regions``; with several regions
    also each such node summed over the regions (see the module docstring). Where the
    hierarchy holds those sums itself (nodes of all its regions together, ``region_code``
    null) and all its regions are chosen, its own nodes are reported."""
    hierarchy = outlook.hierarchy
    nodes = hierarchy.nodes.select("node_id", "level", *KEYS)
    levels = list(dict.fromkeys(nodes["level"].to_list())) if levels is None else list(levels)
    regional = [level for level in levels if REGION_KEY in level.split(SEPARATOR)]
    keep = (nodes["level"].is_in(regional) & nodes[REGION_KEY].is_in(list(regions))).to_numpy()
    frames, matrices = [nodes.filter(keep)], [hierarchy.summing[keep]]
    if len(regions) > 1:
        everything = tuple(regions) == outlook_regions(outlook)
        own = set(nodes.filter(pl.col(REGION_KEY).is_null())["level"]) if everything else set()
        for level in regional:
            area = _area_level(level)
            if area in own:
                rows = (nodes["level"] == area) & nodes[REGION_KEY].is_null()
                frames.append(nodes.filter(rows))
                matrices.append(hierarchy.summing[rows.to_numpy()])
            else:
                together = _together(outlook, regions, [level])
                frames.append(together.nodes)
                matrices.append(together.summing)
    return ReportNodes(pl.concat(frames), np.vstack(matrices))


def in_scope(regions: Sequence[str], everything: bool) -> pl.Expr:
    """Nodes of ``regions``, and the nodes of all regions together when ``everything``."""
    chosen = pl.col(REGION_KEY).is_in(list(regions))
    return chosen | pl.col(REGION_KEY).is_null() if everything else chosen.fill_null(False)


def _area_level(level: str) -> str:
    """The level of ``level``'s nodes summed over the regions (``total`` for the region)."""
    keys = [key for key in level.split(SEPARATOR) if key != REGION_KEY]
    return SEPARATOR.join(keys) or TOTAL_LEVEL


def _together(outlook: Outlook, regions: Sequence[str], levels: Sequence[str]) -> ReportNodes:
    """For each level, its nodes summed over ``regions``: one row per value of the other keys."""
    series = outlook.supply_inputs.series.select(KEYS)
    inside = series_in(outlook, regions)
    region_part = WILDCARD if tuple(regions) == outlook_regions(outlook) else "+".join(regions)
    rows, matrices = [], []
    for level in levels:
        keys = [key for key in _area_level(level).split(SEPARATOR) if key in KEYS]
        groups = (
            series.filter(pl.Series(inside)).select(keys).unique().sort(keys).to_dicts()
            if keys
            else [{}]
        )
        for group in groups:
            member = inside.copy()
            for key, value in group.items():
                member &= (series[key] == value).to_numpy()
            parts = [region_part] + [group.get(key) or WILDCARD for key in KEYS[1:]]
            rows.append(
                {
                    "node_id": _trimmed(SEPARATOR.join(parts)),
                    "level": SEPARATOR.join(keys) or TOTAL_LEVEL,
                    REGION_KEY: None,
                    **{key: group.get(key) for key in KEYS[1:]},
                }
            )
            matrices.append(member.astype(float))
    schema = {"node_id": pl.String, "level": pl.String, **dict.fromkeys(KEYS, pl.String)}
    return ReportNodes(pl.DataFrame(rows, schema=schema), np.vstack(matrices))


def _trimmed(node_id: str) -> str:
    """``node_id`` without trailing ``/*`` parts, as :class:`Hierarchy` writes node ids."""
    suffix = SEPARATOR + WILDCARD
    while node_id.endswith(suffix):
        node_id = node_id[: -len(suffix)]
    return node_id
