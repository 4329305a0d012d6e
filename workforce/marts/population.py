"""The population mart, and the population as it was known at a forecast origin.

``population`` (``data/marts/population.parquet``): one row per year x municipality x sex x age
band x kind (``history`` or ``projection``) x vintage, with the municipality's labour-market
region, ``persons`` and, where published, ``persons_lo`` / ``persons_hi``.

A projection of vintage ``V`` counts as published on 1 July of ``V``
(:data:`PUBLICATION_MONTH`), a count of 1 January ``Y`` likewise on 1 July of ``Y``:
:func:`known_at` keeps only what a forecaster could have read at an origin, so a backtest from
that origin cannot see later figures.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from workforce.contracts import MART_CONTRACTS
from workforce.reference import Reference

PUBLICATION_MONTH = 7
MART_COLUMNS = tuple(MART_CONTRACTS["population"])
"""The mart's columns, in the order of its contract."""


def age_label(age_from: pl.Expr, age_to: pl.Expr) -> pl.Expr:
    """``"75-79"`` for a closed band, ``"85+"`` for an open one."""
    return (
        pl.when(age_to.is_null())
        .then(pl.format("{}+", age_from))
        .otherwise(pl.format("{}-{}", age_from, age_to))
    )


def population_mart(rows: pl.LazyFrame, reference: Reference) -> pl.LazyFrame:
    """The mart from the effective population rows (newest file per key already chosen)."""
    regions = reference.municipalities.select("municipality_code", "region_code").lazy()
    return (
        rows.join(regions, on="municipality_code", how="left")
        .with_columns(age=age_label(pl.col("age_from"), pl.col("age_to")))
        .select(MART_COLUMNS)
        .sort("kind", "vintage", "year", "municipality_code", "sex", "age_from")
    )


def published_on(vintage: int) -> dt.date:
    """The day figures of a vintage count as known."""
    return dt.date(vintage, PUBLICATION_MONTH, 1)


def latest_vintage(population: pl.DataFrame, origin: dt.date) -> int | None:
    """The newest projection vintage published on or before ``origin``."""
    vintages = [
        v
        for v in population.filter(pl.col("kind") == "projection")["vintage"].unique().to_list()
        if published_on(v) <= origin
    ]
    return max(vintages) if vintages else None


def known_at(population: pl.DataFrame, origin: dt.date) -> pl.DataFrame:
    """Population per year x municipality x sex x band as known at ``origin``.

    Counted years published by then, and after the last of them the newest projection
    published by then (``kind`` says which); nothing published later is read.
    """
    history = population.filter(
        (pl.col("kind") == "history")
        & (pl.date(pl.col("year"), PUBLICATION_MONTH, 1) <= origin)
        & (pl.date(pl.col("vintage"), PUBLICATION_MONTH, 1) <= origin)
    )
    # Among counts of the same year, the newest publication known at the origin.
    history = history.sort("vintage").unique(
        subset=["year", "municipality_code", "sex", "age_from"], keep="last", maintain_order=True
    )
    last_counted = history["year"].max() if history.height else None
    vintage = latest_vintage(population, origin)
    frames = [history]
    if vintage is not None:
        projection = population.filter(
            (pl.col("kind") == "projection") & (pl.col("vintage") == vintage)
        )
        if last_counted is not None:
            projection = projection.filter(pl.col("year") > last_counted)
        frames.append(projection)
    return pl.concat(frames, how="vertical_relaxed").sort(
        "year", "municipality_code", "sex", "age_from"
    )


def region_totals(population: pl.DataFrame) -> pl.DataFrame:
    """Persons per region x year x kind x vintage x sex x band, summed over municipalities."""
    return (
        population.group_by("region_code", "year", "kind", "vintage", "sex", "age", "age_from")
        .agg(pl.col("persons").sum())
        .sort("region_code", "kind", "vintage", "year", "sex", "age_from")
    )
