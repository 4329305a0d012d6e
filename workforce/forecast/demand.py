"""Demand mart to forecast series and back: one series per region x sector x profession."""

from __future__ import annotations

import polars as pl

KEYS = ("region_code", "sector_code", "profession_code")
SEPARATOR = "/"


def demand_series(demand: pl.DataFrame, *, target: str = "required_fte") -> pl.DataFrame:
    """Long series (``unique_id, ds, y`` + hierarchy keys) from the demand mart."""
    missing = [c for c in ("month", target, *KEYS) if c not in demand.columns]
    if missing:
        raise ValueError(f"demand mart lacks column(s) {', '.join(missing)}")
    return (
        demand.group_by("month", *KEYS)
        .agg(pl.col(target).sum().cast(pl.Float64).alias("y"))
        .select(
            unique_id=pl.concat_str(list(KEYS), separator=SEPARATOR),
            ds=pl.col("month").cast(pl.Date),
            y="y",
            **{key: pl.col(key) for key in KEYS},
        )
        .sort("unique_id", "ds")
    )


def with_hierarchy_keys(forecasts: pl.DataFrame) -> pl.DataFrame:
    """Tidy forecasts with ``region_code, sector_code, profession_code`` split off ``unique_id``."""
    parts = pl.col("unique_id").str.split_exact(SEPARATOR, len(KEYS) - 1)
    return forecasts.with_columns(
        parts.struct.field(f"field_{i}").alias(key) for i, key in enumerate(KEYS)
    )
