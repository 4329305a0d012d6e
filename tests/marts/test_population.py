"""The population mart adds up, and what is known at an origin is only what was published."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from workforce.marts.population import known_at, latest_vintage, region_totals


def _rows(kind: str, vintage: int, years: range, persons: float) -> list[dict[str, object]]:
    return [
        {
            "year": year,
            "municipality_code": municipality,
            "region_code": "AM13",
            "sex": "female",
            "age": "85+",
            "age_from": 85,
            "age_to": None,
            "kind": kind,
            "vintage": vintage if kind == "projection" else year,
            "persons": persons + (year - 2015),
            "persons_lo": None,
            "persons_hi": None,
        }
        for year in years
        for municipality in ("GM0344", "GM0310")
    ]


@pytest.fixture
def population() -> pl.DataFrame:
    return pl.DataFrame(
        _rows("history", 0, range(2015, 2024), 100.0)
        + _rows("projection", 2019, range(2019, 2031), 100.0)
        + _rows("projection", 2021, range(2021, 2031), 200.0)
    )


def test_region_is_the_sum_of_its_municipalities(region_data: Path) -> None:
    mart = pl.read_parquet(region_data / "marts" / "population.parquet")
    assert mart["region_code"].null_count() == 0
    totals = region_totals(mart).filter(pl.col("kind") == "history")
    by_hand = (
        mart.filter(pl.col("kind") == "history")
        .group_by("year")
        .agg(pl.col("persons").sum())
        .sort("year")
    )
    summed = totals.group_by("year").agg(pl.col("persons").sum()).sort("year")
    assert_frame_equal(summed, by_hand, check_exact=False, rel_tol=1e-9)
    # Every band of every municipality, sex and year is there once.
    keys = ["year", "municipality_code", "sex", "age_from", "kind", "vintage"]
    assert mart.select(keys).is_duplicated().sum() == 0
    assert set(mart["age"].unique()) >= {"75-79", "80-84", "85+"}


def test_known_at_reads_counts_and_the_newest_vintage_published_by_the_origin(
    population: pl.DataFrame,
) -> None:
    known = known_at(population, dt.date(2020, 12, 1))
    history = known.filter(pl.col("kind") == "history")
    assert history["year"].max() == 2020  # 1 January 2020 was published by July 2020
    projected = known.filter(pl.col("kind") == "projection")
    assert set(projected["vintage"]) == {2019}
    assert projected["year"].min() == 2021
    assert latest_vintage(population, dt.date(2021, 6, 1)) == 2019
    assert latest_vintage(population, dt.date(2021, 7, 1)) == 2021


def test_a_later_vintage_changes_nothing_known_before_it(population: pl.DataFrame) -> None:
    absurd = population.with_columns(
        persons=pl.when((pl.col("kind") == "projection") & (pl.col("vintage") == 2021))
        .then(pl.col("persons") * 1000)
        .otherwise(pl.col("persons"))
    )
    origin = dt.date(2021, 6, 1)
    assert_frame_equal(known_at(absurd, origin), known_at(population, origin))
    assert not known_at(absurd, dt.date(2021, 7, 1)).equals(
        known_at(population, dt.date(2021, 7, 1))
    )
