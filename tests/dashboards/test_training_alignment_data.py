"""The training page's numbers on literal frames."""

from __future__ import annotations

import polars as pl
import pytest

from workforce.dashboards.training_alignment_data import pipeline_trend


def test_a_cohort_year_counts_only_when_all_its_programmes_have_finished() -> None:
    # 2021: both programmes finished. 2022: only the two-year programme has, with its high
    # completion; shown, it would read as a jump in the whole year's completion.
    pipeline = pl.DataFrame(
        {
            "cohort_year": [2021, 2021, 2022, 2022],
            "programme_code": ["short", "long", "short", "long"],
            "institution_code": ["X"] * 4,
            "intake": [100, 100, 100, 100],
            "graduates": [90, 60, 90, 20],
            "dropouts": [10, 40, 10, 10],
            "finished": [True, True, True, False],
        }
    )
    trend = pipeline_trend(pipeline, None, None)
    assert trend["cohort_year"].to_list() == [2021]
    assert trend["completion_rate"][0] == pytest.approx(0.75)
    # The short programme alone has finished both years.
    assert pipeline_trend(pipeline, ["short"], None)["cohort_year"].to_list() == [2021, 2022]
