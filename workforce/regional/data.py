"""The marts the regional-employer analytics read, loaded once into one bundle."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from workforce.store import Store

REGIONAL_MARTS = ("workforce_monthly", "vacancies_monthly", "mobility", "spells", "demand")

INTERNAL_MOBILITY = ("internal", "other_care_employer")
"""Leaver destinations that stay in regional care: not a loss to the region."""

REGIONAL_TURNOVER = ("care_outside_region", "outside_sector", "retirement", "unknown")
"""Leaver destinations that leave regional care: a loss to the region."""

NEW_TO_REGION = ("education", "outside")
"""Hire origins of people who were not working in regional care just before."""


class MissingMartsError(FileNotFoundError):
    """The marts are not built yet (run ``workforce build``)."""


@dataclass(frozen=True)
class RegionalMarts:
    """The marts of one region, as eager frames (a region is small)."""

    workforce_monthly: pl.DataFrame
    vacancies_monthly: pl.DataFrame
    mobility: pl.DataFrame
    spells: pl.DataFrame
    demand: pl.DataFrame


def load_marts(data_dir: Path) -> RegionalMarts:
    """Read ``<data>/marts/*.parquet``; raise :class:`MissingMartsError` naming what is absent."""
    store = Store(data_dir)
    absent = [name for name in REGIONAL_MARTS if not store.mart_path(name).is_file()]
    if absent:
        raise MissingMartsError(
            f"marts not found in {store.marts}: {', '.join(absent)}; run `workforce build` first"
        )
    frames = {name: store.read_mart(name) for name in REGIONAL_MARTS}
    return RegionalMarts(**frames)


def last_month(marts: RegionalMarts) -> dt.date:
    """The newest month of the staff mart (its first day)."""
    value = marts.workforce_monthly["month"].max()
    if not isinstance(value, dt.date):
        raise MissingMartsError("the workforce_monthly mart is empty")
    return value


def employer_sectors(marts: RegionalMarts) -> pl.DataFrame:
    """``employer_id`` with its ``sector_code`` (the sector of most of its staff)."""
    return (
        marts.workforce_monthly.group_by("employer_id", "sector_code")
        .agg(pl.sum("headcount"))
        .sort("headcount", "sector_code", descending=[True, False])
        .unique("employer_id", keep="first")
        .select("employer_id", "sector_code")
        .sort("employer_id")
    )
