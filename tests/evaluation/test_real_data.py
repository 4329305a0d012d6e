"""The evaluation sets: real series of several kinds, contiguous, each with its protocol."""

from __future__ import annotations

import polars as pl
import pytest

from workforce.evaluation.real_data import EVALUATION_SETS, EvaluationSet, after_last_gap


@pytest.mark.parametrize("item", EVALUATION_SETS, ids=lambda item: item.name)
def test_each_set_has_enough_contiguous_series_for_its_protocol(item: EvaluationSet) -> None:
    series = item.series()
    assert series.columns == ["unique_id", "ds", "y"]
    lengths = series.group_by("unique_id").agg(pl.len())["len"]
    assert lengths.min() >= item.horizon * item.folds + 16
    months = 12 // (4 if item.horizon == 4 else 12)
    steps = (
        series.sort("unique_id", "ds")
        .with_columns(
            step=(pl.col("ds").dt.year() * 12 + pl.col("ds").dt.month()).diff().over("unique_id")
        )
        .drop_nulls("step")
    )
    assert steps["step"].unique().to_list() == [months]
    assert series["y"].is_finite().all()


def test_the_unseen_sets_hold_no_care_series_of_the_first_report() -> None:
    ids = {item.name: set(item.series()["unique_id"]) for item in EVALUATION_SETS}
    seen = set().union(*(ids[item.name] for item in EVALUATION_SETS if item.seen))
    unseen = [ids[item.name] for item in EVALUATION_SETS if not item.seen]
    assert not seen & set().union(*unseen)
    assert sum(len(names) for names in unseen) == len(set().union(*unseen)) >= 100


def test_a_gap_cuts_the_series_to_its_last_contiguous_stretch() -> None:
    frame = pl.DataFrame(
        {
            "unique_id": ["a"] * 5,
            "ds": pl.date_range(pl.date(2020, 1, 1), pl.date(2021, 1, 1), "3mo", eager=True),
            "y": [1.0, 2.0, 3.0, 4.0, 5.0],
        }
    ).filter(pl.col("y") != 2.0)
    assert after_last_gap(frame)["y"].to_list() == [3.0, 4.0, 5.0]
