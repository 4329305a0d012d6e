"""Calibrated multi-year shortage intervals: half-width factors learned from past outlooks.

The joint simulation's shortage intervals (:mod:`workforce.outlook.shortage`) come from demand
intervals calibrated on one-year inner backtests and from the supply model's shocks; several years
out they are far from their nominal coverage. Here each past outlook (an origin whose outcome is
partly known) is scored against what happened: for every node and month ahead, the error of the
median as a multiple of the interval's half-width on the error's side,
``|realised - p50| / (hi - p50)`` above the median and ``/ (p50 - lo)`` below it. The conformal
quantile of those ratios (80 % for the 80 % interval, 95 % for the 95 %) is the factor by which
that interval's half-widths are scaled, per hierarchy level and *year ahead*, from the errors
within :data:`WINDOW_MONTHS` of that many whole years after the origin (the ratio changes fast in
the first year, so a whole year's months would not do). A level learns factors of its own only
from :data:`MIN_UNITS` independent errors (node x origin pairs: the months of one outlook move
together); a level with fewer, such as the region's single node while few origins are known,
takes the factors of all levels pooled, since the ratios are free of scale. Years ahead that no
past outlook reaches yet keep the factor of the last year that is known: the record says nothing
about how errors grow beyond it, so an interval is never narrowed on a guess. Months between
whole years interpolate on a log-log scale.

:meth:`ShortageCalibration.learn` takes an ``until`` month and reads only outcomes up to it,
so a backtest from origin T calibrates on what was known at T, and the live forecast on every
past origin. :meth:`ShortageCalibration.save` writes the factors as JSON; ``workforce forecast``
reads them from :data:`CALIBRATION_FILE` under the data folder.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from workforce.store import write_json

INTERVAL_LEVELS = (80, 95)
LEVEL_NAMES = {
    "total": "area",
    "sector_code": "area_sector",
    "profession_code": "area_profession",
    "sector_code/profession_code": "area_bottom",
    "region_code": "region",
    "region_code/sector_code": "sector",
    "region_code/profession_code": "profession",
    "region_code/sector_code/profession_code": "bottom",
}
"""Short names of the hierarchy levels (node ``level`` column -> name); the ``area`` levels
are all regions together, when the data hold several."""
WINDOW_MONTHS = 3
"""Errors this many months either side of a whole number of years ahead score that year."""
MIN_ERRORS = 6
"""Fewest scored errors for a year ahead to get a factor of its own."""
MIN_UNITS = 10
"""Fewest node x origin pairs for a level to learn factors of its own rather than pooled ones."""
CALIBRATION_FILE = Path("calibration") / "shortage_intervals.json"
"""Where ``workforce report outlook-backtest`` stores the factors for ``workforce forecast``."""
ERROR_COLUMNS = ("origin", "month", "step", "level", "node", "realised", "p50")


def year_ahead(steps: np.ndarray) -> np.ndarray:
    """Whole years ahead nearest to each month ``step``, 0 where it is further than
    :data:`WINDOW_MONTHS` from any (``9..15 -> 1``, ``21..27 -> 2``)."""
    steps = np.asarray(steps)
    years = np.rint(steps / 12).astype(np.int64)
    return np.where(np.abs(steps - 12 * years) <= WINDOW_MONTHS, years, 0)


def conformal_quantile(scores: np.ndarray, level: int) -> float:
    """The split-conformal quantile for ``level`` %: the ceil((n + 1) level)-th smallest score.

    With too few scores for that rank, the largest.
    """
    ordered = np.sort(scores)
    rank = int(np.ceil((ordered.size + 1) * level / 100))
    return float(ordered[min(rank, ordered.size) - 1])


def interval_ratios(level: int) -> pl.Expr:
    """Error over the interval's half-width on the error's side (NaN where that width is 0)."""
    above = pl.col("realised") >= pl.col("p50")
    width = (
        pl.when(above)
        .then(pl.col(f"hi_{level}") - pl.col("p50"))
        .otherwise(pl.col("p50") - pl.col(f"lo_{level}"))
    )
    distance = (pl.col("realised") - pl.col("p50")).abs()
    return pl.when(width > 0).then(distance / width).otherwise(None)


@dataclass(frozen=True)
class ShortageCalibration:
    """Half-width factors per hierarchy level, interval level and year ahead.

    ``factors`` has columns ``level`` (a name of :data:`LEVEL_NAMES`), ``interval`` (80, 95),
    ``year`` (year ahead), ``factor``, ``errors`` (how many scored errors), ``pooled`` (true when
    the level had too few node x origin pairs and took the factors of all levels) and ``source``
    (``observed``, ``carried`` from the last known year, or ``none`` when nothing was known and
    the factor is 1).
    """

    factors: pl.DataFrame
    learned_until: dt.date
    origins: tuple[dt.date, ...]

    @classmethod
    def learn(cls, errors: pl.DataFrame, *, until: dt.date, years: int = 10) -> ShortageCalibration:
        """Factors from past outlooks' ``errors`` whose outcome month is ``until`` or earlier.

        ``errors`` has one row per origin, node and month ahead: ``origin``, ``month``, ``step``
        (months after the origin), ``level``, ``node``, ``realised``, ``p50`` and the raw
        ``lo_80, hi_80, lo_95, hi_95``. Rows of later months are dropped before anything is read.
        """
        known = errors.filter(
            (pl.col("month") <= until)
            & (pl.col("origin") < until)
            & pl.col("realised").is_not_null()
        )
        known = known.with_columns(
            year=pl.Series(year_ahead(known["step"].to_numpy()), dtype=pl.Int64),
        ).filter(pl.col("year") > 0)
        known = known.with_columns(
            **{f"ratio_{lv}": interval_ratios(lv) for lv in INTERVAL_LEVELS},
        )
        rows = []
        for level in LEVEL_NAMES.values():
            own = known.filter(pl.col("level") == level)
            for interval in INTERVAL_LEVELS:
                rows.extend(_level_factors(own, known, level, interval, years))
        origins = tuple(sorted(set(known["origin"].to_list())))
        return cls(pl.DataFrame(rows), until, origins)

    def factor(self, level: str, interval: int, steps: np.ndarray) -> np.ndarray:
        """Factors for the month ``steps`` ahead: the table's at whole years, log-log
        interpolated between them and held at the first and last year before and after."""
        table = self.factors.filter(
            (pl.col("level") == level) & (pl.col("interval") == interval)
        ).sort("year")
        steps = np.asarray(steps, dtype=float)
        if table.is_empty():
            return np.ones(len(steps))
        anchors = np.log(12.0 * table["year"].to_numpy())
        values = np.log(table["factor"].to_numpy())
        return np.exp(np.interp(np.log(np.maximum(steps, 1.0)), anchors, values))

    def apply(
        self,
        p50: np.ndarray,
        bounds: dict[str, np.ndarray],
        levels: list[str],
        steps: np.ndarray,
    ) -> dict[str, np.ndarray]:
        """Calibrated ``lo_80, hi_80, lo_95, hi_95`` [nodes x periods] around ``p50``.

        ``levels`` names each node's level; ``steps`` are the periods' months ahead. The 95 %
        interval is kept at least as wide as the 80 %.
        """
        out: dict[str, np.ndarray] = {}
        scale = {
            lv: np.stack([self.factor(level, lv, steps) for level in levels])
            for lv in INTERVAL_LEVELS
        }
        for lv in INTERVAL_LEVELS:
            out[f"lo_{lv}"] = p50 - scale[lv] * (p50 - bounds[f"lo_{lv}"])
            out[f"hi_{lv}"] = p50 + scale[lv] * (bounds[f"hi_{lv}"] - p50)
        out["lo_95"] = np.minimum(out["lo_95"], out["lo_80"])
        out["hi_95"] = np.maximum(out["hi_95"], out["hi_80"])
        return out

    def to_dict(self) -> dict[str, object]:
        return {
            "learned_until": self.learned_until.isoformat(),
            "origins": [origin.isoformat() for origin in self.origins],
            "factors": self.factors.to_dicts(),
        }

    @classmethod
    def from_dict(cls, data: dict) -> ShortageCalibration:
        return cls(
            factors=pl.DataFrame(data["factors"]),
            learned_until=dt.date.fromisoformat(data["learned_until"]),
            origins=tuple(dt.date.fromisoformat(origin) for origin in data["origins"]),
        )

    def save(self, path: Path) -> None:
        """Write the factors as JSON (temporary file, then rename)."""
        write_json(self.to_dict(), path)

    @classmethod
    def load(cls, path: Path) -> ShortageCalibration | None:
        """The factors saved at ``path``, or None when there are none."""
        if not path.exists():
            return None
        return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))


def _level_factors(
    own: pl.DataFrame, pooled: pl.DataFrame, level: str, interval: int, years: int
) -> list[dict[str, object]]:
    """One row per year ahead: observed where enough errors, else carried from the last
    known year; from all levels pooled when ``own`` has too few node x origin pairs."""
    units = own.select(pl.struct("node", "origin").n_unique()).item() if own.height else 0
    borrowed = units < MIN_UNITS
    source = pooled if borrowed else own
    ratio = f"ratio_{interval}"
    observed: dict[int, tuple[float, int]] = {}
    for (year,), group in source.drop_nulls(ratio).group_by("year"):
        scores = group[ratio].to_numpy()
        if scores.size >= MIN_ERRORS:
            observed[int(year)] = (conformal_quantile(scores, interval), int(scores.size))
    if not observed:
        return [
            _row(level, interval, year, 1.0, 0, borrowed, "none") for year in range(1, years + 1)
        ]
    known = np.array(sorted(observed))
    rows: list[dict[str, object]] = []
    for year in range(1, years + 1):
        if year in observed:
            rows.append(_row(level, interval, year, *observed[year], borrowed, "observed"))
            continue
        nearest = int(known[np.argmin(np.abs(known - year))])
        rows.append(_row(level, interval, year, observed[nearest][0], 0, borrowed, "carried"))
    return rows


def _row(
    level: str,
    interval: int,
    year: int,
    factor: float,
    errors: int,
    pooled: bool,
    source: str,
) -> dict[str, object]:
    return {
        "level": level,
        "interval": interval,
        "year": year,
        "factor": factor,
        "errors": errors,
        "pooled": pooled,
        "source": source,
    }
