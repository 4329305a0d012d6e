"""The regions' comparison, computed where the marts and the forecast are made and kept.

The regions page opens on :func:`~workforce.regional.comparison.compare_regions` for every
region of the marts with the shortage forecast. Computing it takes a second or more on three
regions, so ``workforce forecast`` and ``workforce regional`` write it to
``<data>/regional/comparison/`` with a key of everything it depends on: the build of the marts,
the bytes of the shortage forecast, the regions, the projected year, the disclosure threshold
and the package version. A reader gets the stored comparison only when its key is the key of
the data folder as it is now, so a stale comparison is never shown; otherwise it computes
afresh.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import polars as pl

from workforce import __version__
from workforce.privacy import DEFAULT_K
from workforce.regional.comparison import RegionComparison, compare_regions
from workforce.regional.data import RegionalMarts, load_marts
from workforce.regional.published import AREA_REGIONS
from workforce.store import Store, StoreError, keep_keyed, read_keyed

STORED_COMPARISON = "comparison"
FRAMES = ("table", "tension", "moves")
PROJECTED_YEAR = 2031
"""The year of the projected shortage: that of the published figure for the three regions."""
TOGETHER_PATHS = 200
"""Simulated paths behind the interval of the regions together (a forecast without its node)."""


def marts_regions(marts: RegionalMarts) -> list[str]:
    """The labour-market regions of the marts, in the order of the published area."""
    if "region_code" not in marts.demand.columns:
        return list(AREA_REGIONS)
    present = set(marts.demand["region_code"])
    return [code for code in AREA_REGIONS if code in present] or list(AREA_REGIONS)


def _file_digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    except OSError:
        return None


def _build_identity(marts: Path) -> str:
    """The build's run description (``run.json``, with its run id), or the marts' names,
    sizes and modification times where a folder has none."""
    described = _file_digest(marts / "run.json")
    if described is not None:
        return described
    files = sorted(marts.glob("*.parquet"))
    listing = "".join(f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns};" for p in files)
    return hashlib.sha256(listing.encode()).hexdigest()[:16]


def comparison_key(
    data_dir: Path,
    regions: Sequence[str],
    *,
    k: int = DEFAULT_K,
    projected_year: int = PROJECTED_YEAR,
) -> dict[str, Any]:
    """Everything the comparison of ``data_dir`` depends on: the marts' build, the shortage
    forecast's bytes, the regions, the year, ``k`` and the package version."""
    store = Store(data_dir)
    return {
        "build": _build_identity(store.marts),
        "shortage": _file_digest(store.forecast_path("shortage")),
        "regions": list(regions),
        "projected_year": projected_year,
        "k": k,
        "version": __version__,
    }


def compute_comparison(
    data_dir: Path,
    marts: RegionalMarts,
    regions: Sequence[str],
    *,
    k: int = DEFAULT_K,
    projected_year: int = PROJECTED_YEAR,
) -> RegionComparison:
    """The comparison afresh: the marts with the shortage forecast of ``data_dir``, if any.

    A forecast made before the node of the regions together takes that node's interval from
    the saved outlook (:func:`~workforce.regional.projection.projected_from_data_dir`)."""
    try:
        forecasts: pl.DataFrame | None = Store(data_dir).read_forecast("shortage")
    except StoreError:
        forecasts = None
    together = None
    if forecasts is not None and "total" not in forecasts["level"]:
        from workforce.regional.projection import projected_from_data_dir

        together = projected_from_data_dir(data_dir, projected_year, paths=TOGETHER_PATHS)
    return compare_regions(
        marts,
        regions=regions,
        forecasts=forecasts,
        projected_year=projected_year,
        together=together,
        k=k,
    )


def write_comparison(
    data_dir: Path, *, k: int = DEFAULT_K, marts: RegionalMarts | None = None
) -> Path:
    """Compute the comparison of every region of ``data_dir``'s marts (``marts`` when loaded
    already) and store it with its key in ``<data>/regional/comparison`` (one version); the
    folder."""
    marts = marts or load_marts(data_dir)
    regions = marts_regions(marts)
    key = comparison_key(data_dir, regions, k=k)
    comparison = compute_comparison(data_dir, marts, regions, k=k)
    return keep_keyed(
        Store(data_dir).regional / STORED_COMPARISON,
        {name: getattr(comparison, name) for name in FRAMES},
        {"key": key, "month": comparison.month.isoformat()},
    )


def read_comparison(data_dir: Path, key: dict[str, Any]) -> RegionComparison | None:
    """The stored comparison when it was computed under ``key``; None when there is none, it
    is stale or it cannot be read."""
    kept = read_keyed(Store(data_dir).regional / STORED_COMPARISON, key, FRAMES)
    if kept is None:
        return None
    described, frames = kept
    try:
        return RegionComparison(month=dt.date.fromisoformat(described["month"]), **frames)
    except (KeyError, TypeError, ValueError):
        return None
