"""Flex pool: pooled cover of vacancy peaks against each employer covering its own."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workforce.privacy import SUPPRESSED, TOTAL
from workforce.regional import flex_pool, flex_pool_sizing, load_marts, pooled_vacancies
from workforce.regional.flexpool import coverage_quantile


def series(per_employer: dict[str, list[float]], profession: str = "nurse") -> pl.DataFrame:
    return pl.DataFrame(
        [
            {"month": i, "employer_id": employer, "profession_code": profession, "open_fte": v}
            for employer, values in per_employer.items()
            for i, v in enumerate(values)
        ]
    )


def test_hand_computed_pool() -> None:
    #            month:  1  2  3  4          sum: 4 3 1 2
    frame = series({"A": [4, 0, 1, 0], "B": [0, 3, 0, 2]})

    every_month = flex_pool(frame, p=1.0).row(0, named=True)
    three_in_four = flex_pool(frame, p=0.75).row(0, named=True)

    # Covering every month: A needs 4, B needs 3, together they never need more than 4.
    assert (every_month["separate_fte"], every_month["pooled_fte"]) == (7, 4)
    assert every_month["pooling_gain_fte"] == 3
    assert every_month["pooling_gain_share"] == pytest.approx(3 / 7)
    # Three months in four: A's third smallest month is 1, B's is 2; the sum's is 3.
    assert (three_in_four["separate_fte"], three_in_four["pooled_fte"]) == (3, 3)
    assert three_in_four["pooling_gain_fte"] == 0
    assert (every_month["units"], every_month["months"]) == (2, 4)


def test_pool_never_needs_more_than_the_separate_pools() -> None:
    # Each employer's 75% month is 0, but the sum peaks in two months of four.
    frame = series({"A": [0, 0, 0, 5], "B": [0, 0, 5, 0]})

    pool = flex_pool(frame, p=0.75).row(0, named=True)

    assert pool["separate_fte"] == 0
    assert pool["pooled_fte"] == 0
    assert pool["pooling_gain_fte"] == 0


peaks = st.lists(st.floats(0, 50, allow_nan=False), min_size=6, max_size=6)


@settings(max_examples=60, deadline=None)
@given(st.lists(peaks, min_size=1, max_size=5), st.sampled_from([0.5, 0.8, 0.9, 1.0]))
def test_pooling_gain_never_negative_and_zero_for_one_employer(
    employers: list[list[float]], p: float
) -> None:
    frame = series({f"E{i}": values for i, values in enumerate(employers)})

    pool = flex_pool(frame, p=p).row(0, named=True)

    assert pool["pooling_gain_fte"] >= 0
    assert pool["pooled_fte"] <= pool["separate_fte"]
    if len(employers) == 1:
        assert pool["pooling_gain_fte"] == 0


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(0, 100, allow_nan=False), min_size=1, max_size=30),
    st.floats(0.01, 1.0),
)
def test_coverage_quantile_is_the_inverted_empirical_distribution(
    values: list[float], p: float
) -> None:
    ours = pl.DataFrame({"x": values}).select(coverage_quantile(pl.col("x"), p)).item()
    covered = sum(v <= ours for v in values) / len(values)
    assert covered >= p - 1e-9
    assert ours == pytest.approx(np.quantile(values, p, method="inverted_cdf"))


def test_region_flex_pool_and_pooled_vacancies(region_data: Path) -> None:
    marts = load_marts(region_data)

    pool = flex_pool_sizing(marts, p=0.9)
    vacancies = pooled_vacancies(marts)

    per_profession = pool.filter(pl.col("profession_code") != TOTAL)
    assert (per_profession["pooling_gain_fte"] >= 0).all()
    assert pool.filter(profession_code=TOTAL)["pooling_gain_fte"].item() == pytest.approx(
        per_profession["pooling_gain_fte"].sum()
    )
    several = per_profession.filter(pl.col("units") >= 5)
    assert (several["pooling_gain_fte"] > 0).all()  # peaks of many employers do not coincide
    region = vacancies.filter(
        (pl.col("employer_id") == TOTAL) & (pl.col("profession_code") == TOTAL)
    )
    last = marts.vacancies_monthly["month"].max()
    assert (
        region["open"].item()
        == marts.vacancies_monthly.filter(pl.col("month") == last)["open"].sum()
    )
    visible = vacancies.filter(~pl.col(SUPPRESSED))
    assert (visible["headcount"] >= 10).all()
