"""The accuracy report's verdicts: the engine against naive and the best single candidate."""

from __future__ import annotations

import polars as pl
import pytest

from workforce.evaluation.accuracy import verdict


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


def test_a_missed_target_is_explained_from_the_sets_own_figures() -> None:
    from workforce.evaluation.accuracy import SetResult, explain_misses
    from workforce.evaluation.real_data import EVALUATION_SETS

    table = metrics({"chosen": [1.1, 1.1], "naive": [1.4, 1.6], "drift": [1.0, 1.0]})
    table = table.with_columns(
        coverage_80=pl.when(pl.col("model") == "chosen").then(0.6).otherwise(0.8)
    )
    engine_folds = pl.DataFrame(
        {"unique_id": ["s0", "s0", "s1", "s1"], "fold": [0, 1, 0, 1], "model": "chosen"}
    ).with_columns(
        coverage_80=pl.when(pl.col("fold") == 1).then(0.2).otherwise(1.0),
        mase=pl.when(pl.col("fold") == 1).then(3.0).otherwise(0.5),
    )
    drift_folds = engine_folds.with_columns(
        model=pl.lit("drift"), coverage_80=pl.lit(0.8), mase=pl.lit(1.0)
    )
    folds = pl.concat([engine_folds, drift_folds])
    weights = pl.DataFrame(
        {"unique_id": ["s0", "s0", "s1", "s1"], "model": ["naive", "drift"] * 2, "weight": 0.5}
    )
    inner = pl.DataFrame(
        {
            "unique_id": ["s0", "s0", "s1", "s1"],
            "model": ["naive", "drift"] * 2,
            "inner_mase": [1.0, 1.2, 1.0, 1.2],
        }
    )
    result = SetResult(EVALUATION_SETS[0], table, pl.DataFrame(), folds, weights, inner)
    found = verdict(table)
    ratio_why, coverage_why = explain_misses(result, found)
    assert "ranked drift 2 of 2, with inner MASE 1.200 against 1.000" in ratio_why
    assert "drift weighed 0.50 on average" in ratio_why
    assert "MASE against drift's: 0.50 against 1.00, 3.00 against 1.00" in ratio_why
    assert "fold 2 of 2 holds the widest gap (+2.00)" in ratio_why
    assert "1.00 (MASE 0.50), 0.20 (MASE 3.00)" in coverage_why
    assert "Fold 2 of 2 contributes most" in coverage_why


def test_coverage_per_step_is_reported_for_the_engine() -> None:
    from workforce.evaluation.accuracy import coverage_per_step

    steps = pl.DataFrame(
        {
            "model": ["chosen", "chosen", "naive"],
            "step": [2, 1, 1],
            "coverage_80": [0.75, 0.5, 0.1],
            "coverage_95": [1.0, 0.9, 0.2],
        }
    )
    assert coverage_per_step(steps) == (
        "Coverage of the engine's 80 % / 95 % intervals per step ahead: "
        "1: 0.50 / 0.90, 2: 0.75 / 1.00."
    )
