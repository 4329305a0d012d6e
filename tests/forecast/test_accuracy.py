"""The accuracy report's verdicts: the engine against naive and the best single candidate."""

from __future__ import annotations

import polars as pl
import pytest

from workforce.forecast.accuracy import verdict


def metrics(rows: dict[str, list[float]]) -> pl.DataFrame:
    """Per-series metrics of a few models over two series, with fixed coverage."""
    return pl.DataFrame(
        [
            {
                "unique_id": f"s{i}",
                "model": model,
                "folds": 4,
                "mase": value,
                "smape": 1.0,
                "rmsse": value,
                "bias": 0.0,
                "coverage_80": 0.8,
                "coverage_95": 0.95,
                "winkler_80": 1.0,
                "winkler_95": 1.0,
                "pinball": 1.0,
            }
            for model, values in rows.items()
            for i, value in enumerate(values)
        ]
    )


def test_the_reference_is_the_best_single_candidate_never_the_engine_or_default_prophet() -> None:
    found = verdict(
        metrics(
            {
                "chosen": [1.0, 1.2],
                "naive": [1.4, 1.6],
                "theta": [1.0, 1.1],
                "prophet_default": [0.5, 0.5],
            }
        )
    )
    assert found.best_model == "theta"
    assert found.ratio == pytest.approx(1.1 / 1.05)
    assert found.gain_over_naive == pytest.approx(1 - 1.1 / 1.5)
    assert "MISSED" in found.targets()  # 4.8 % worse than theta
    assert found.sentence().startswith("Engine MASE 1.100: +26.7% versus naive")


def test_targets_met_when_the_engine_ties_the_best() -> None:
    found = verdict(metrics({"chosen": [1.0, 1.0], "naive": [2.0, 2.0], "drift": [1.0, 1.0]}))
    assert "MISSED" not in found.targets()
