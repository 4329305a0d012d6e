"""Rolling-origin backtest scores: interval coverage per step ahead."""

from __future__ import annotations

import polars as pl
import pytest

from workforce.forecast.backtest import score_steps


def test_coverage_per_step_counts_each_fold_once() -> None:
    # two folds of two steps: step 1 inside at both, step 2 only at the first fold
    rows = pl.DataFrame(
        {
            "unique_id": "s",
            "model": "chosen",
            "fold": [0, 0, 1, 1],
            "step": [1, 2, 1, 2],
            "y": [10.0, 12.0, 10.0, 20.0],
            "yhat_lo_80": [9.0, 11.0, 9.0, 11.0],
            "yhat_hi_80": [11.0, 13.0, 11.0, 13.0],
            "yhat_lo_95": [8.0, 10.0, 8.0, 10.0],
            "yhat_hi_95": [12.0, 14.0, 12.0, 14.0],
        }
    )
    found = score_steps(rows)
    assert found["step"].to_list() == [1, 2]
    assert found["folds"].to_list() == [2, 2]
    assert found["coverage_80"].to_list() == pytest.approx([1.0, 0.5])
    assert found["coverage_95"].to_list() == pytest.approx([1.0, 0.5])
