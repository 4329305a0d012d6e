"""The default intake advice, computed where the outlook is made and kept beside it.

The training page opens on the advice for every region at the default settings. Computing it
runs the outlook's simulation (seconds on three regions), so ``workforce forecast`` and
``workforce align`` write it to ``<data>/alignment/default_advice/`` with a key of everything
it depends on: the saved outlook (its version and description), the horizon year, target,
growth limit, paths and seed, the regions, the placements in ``<data>/placements.csv`` and the
graduate hires behind observed entry shares. A reader gets the stored advice only when its key
is the key of the data folder as it is now, so a stale advice is never shown; otherwise it
computes afresh.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import polars as pl

from workforce.alignment.advice import Advice, advise_intake
from workforce.alignment.capacity import DEFAULT_GROWTH_LIMIT, CapacityError, read_placements
from workforce.outlook.outlook import DEFAULT_PATHS, Outlook
from workforce.store import Store, keep_keyed, read_keyed

PLACEMENTS_FILE = "placements.csv"
"""Placement capacity a data folder may hold (the format of ``workforce align --placements``)."""
STORED_ADVICE = "default_advice"
FRAMES = ("table", "by_year", "gaps")


def placements_of(data_dir: Path) -> pl.DataFrame | None:
    """``<data>/placements.csv`` (programme_code, institution_code, year, placements) or None."""
    path = data_dir / PLACEMENTS_FILE
    if not path.is_file():
        return None
    try:
        return read_placements(path).frame
    except CapacityError:
        return None


def observed_hires(data_dir: Path, origin: dt.date) -> pl.DataFrame | None:
    """Graduate hires per profession from the spells mart (what observed entry shares rest
    on); None without the spells or the education pipeline."""
    from workforce.alignment.diffusion import graduate_hires

    store = Store(data_dir)
    needed = (store.mart_path("spells"), store.mart_path("education_pipeline"))
    if not all(path.is_file() for path in needed):
        return None
    spells = store.read_mart("spells", columns=["profession_code", "hire_origin", "start_date"])
    return graduate_hires(spells, origin)


def outlook_identity(data_dir: Path) -> str:
    """The saved outlook's version folder and a digest of its description: a new
    ``workforce forecast`` gives a new identity."""
    folder = Store(data_dir).outlook
    described = (folder / "outlook.json").read_bytes()
    return f"{folder.resolve().name}:{hashlib.sha256(described).hexdigest()[:16]}"


def frame_digest(frame: pl.DataFrame | None) -> str | None:
    if frame is None:
        return None
    ordered = frame.sort(frame.columns)
    return hashlib.sha256(ordered.write_csv().encode()).hexdigest()[:16]


@dataclass(frozen=True)
class DefaultAdvice:
    """What the default advice of a data folder is computed from, and its key."""

    outlook: Outlook
    placements: pl.DataFrame | None
    observed: pl.DataFrame | None
    key: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, data_dir: Path, outlook: Outlook) -> DefaultAdvice:
        """The inputs of ``data_dir`` for its saved ``outlook`` (loaded from the same folder)."""
        from workforce.scenario.effects import default_horizon_year
        from workforce.scenario.regions import choose_regions

        placements = placements_of(data_dir)
        observed = observed_hires(data_dir, outlook.origin)
        key = {
            "outlook": outlook_identity(data_dir),
            "horizon_year": default_horizon_year(outlook),
            "target": "median",
            "growth_limit": DEFAULT_GROWTH_LIMIT,
            "paths": DEFAULT_PATHS,
            "seed": 0,
            "regions": list(choose_regions(outlook, None)),
            "placements": frame_digest(placements),
            "observed": frame_digest(observed),
        }
        return cls(outlook, placements, observed, key)

    def compute(self) -> Advice:
        """The advice afresh, as :func:`advise_intake` gives it for these inputs."""
        return advise_intake(
            self.outlook,
            horizon_year=self.key["horizon_year"],
            placements=self.placements,
            observed=self.observed,
        )


def write_default_advice(data_dir: Path, outlook: Outlook | None = None) -> Path:
    """Compute the default advice of ``data_dir`` and store it with its key; the folder."""
    outlook = outlook or Outlook.load(Store(data_dir).outlook)
    inputs = DefaultAdvice.of(data_dir, outlook)
    return store_advice(data_dir, inputs.compute(), inputs.key)


def store_advice(data_dir: Path, advice: Advice, key: dict[str, Any]) -> Path:
    """Keep ``advice`` under ``key`` in ``<data>/alignment/default_advice`` (one version)."""
    return keep_keyed(
        Store(data_dir).alignment / STORED_ADVICE,
        {name: getattr(advice, name) for name in FRAMES},
        {
            "key": key,
            "horizon_year": advice.horizon_year,
            "target": advice.target,
            "origin": advice.origin.isoformat(),
            "growth_limit": advice.growth_limit,
            "regions": list(advice.regions),
        },
    )


def store_if_default(
    data_dir: Path,
    outlook: Outlook,
    advice: Advice,
    *,
    placements: pl.DataFrame | None,
    observed: pl.DataFrame | None,
    paths: int,
    seed: int,
) -> bool:
    """Keep ``advice`` (computed by ``workforce align``) as the default advice when it was
    computed from the default inputs of ``data_dir``; whether it was kept."""
    default = DefaultAdvice.of(data_dir, outlook).key
    key = {
        **default,
        "horizon_year": advice.horizon_year,
        "target": advice.target,
        "growth_limit": advice.growth_limit,
        "paths": paths,
        "seed": seed,
        "regions": list(advice.regions),
        "placements": frame_digest(placements),
        "observed": frame_digest(observed),
    }
    if key != default:
        return False
    store_advice(data_dir, replace(advice, destinations=None), key)
    return True


def read_default_advice(data_dir: Path, key: dict[str, Any]) -> Advice | None:
    """The stored advice when it was computed under ``key``; None when there is none, it is
    stale or it cannot be read."""
    kept = read_keyed(Store(data_dir).alignment / STORED_ADVICE, key, FRAMES)
    if kept is None:
        return None
    described, frames = kept
    try:
        return Advice(
            **frames,
            horizon_year=int(described["horizon_year"]),
            target=str(described["target"]),
            origin=dt.date.fromisoformat(described["origin"]),
            growth_limit=float(described["growth_limit"]),
            regions=tuple(described["regions"]),
        )
    except (KeyError, TypeError, ValueError):
        return None
