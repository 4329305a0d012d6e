"""The leaving model as one scikit-learn pipeline: the same predictions as a hand-written
encoding, and usable by scikit-learn's own tools (clone, grid search)."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from threadpoolctl import threadpool_limits

from workforce.supply.leaving import (
    CATEGORICAL_FEATURES,
    FEATURES,
    OUTCOMES,
    PROBABILITY_COLUMNS,
    fit_on_periods,
    leaving_pipeline,
    model_input,
    outcome_codes,
)

SECTORS = ("ggz", "vvt", "ziekenhuizen")
PROFESSIONS = ("nurse", "carer", "doctor", "psychologist", "assistant")


def person_periods(rows: int, seed: int) -> pl.DataFrame:
    """Seeded person-periods whose outcome depends on age, tenure and sector."""
    rng = np.random.default_rng(seed)
    age = rng.integers(18, 68, rows)
    tenure = rng.exponential(6.0, rows)
    sector = rng.choice(SECTORS, rows)
    trend = np.where(rng.random(rows) < 0.1, np.nan, rng.uniform(0.05, 0.2, rows))
    leave = 0.04 + 0.08 * (age < 30) + 0.05 * (sector == "vvt") + 0.04 * (tenure < 1)
    retire = np.where(age >= 62, 0.35, 0.0)
    move = np.full(rows, 0.05)
    draw = rng.random(rows)
    outcome = np.select(
        [draw < retire, draw < retire + leave, draw < retire + leave + move],
        ["retire", "leave_region", "move_within"],
        default="stay",
    )
    return pl.DataFrame(
        {
            "period_start": [date(2022, 1, 1)] * rows,
            "age": age,
            "tenure_years": tenure,
            "contract_hours_week": rng.choice([16.0, 24.0, 28.0, 32.0, 36.0], rows),
            "sector_leave_trend": trend,
            "sector_code": sector,
            "profession_code": rng.choice(PROFESSIONS, rows),
            "outcome": outcome,
        }
    ).with_columns(pl.col("sector_leave_trend").fill_nan(None))


def hand_encoded(frame: pl.DataFrame, train: pl.DataFrame) -> np.ndarray:
    """The encoding the model used before the pipeline: each code as its index among the
    training rows' sorted codes, an unseen code or a null as a missing value."""
    codes = {
        name: {code: float(i) for i, code in enumerate(sorted(train[name].unique().to_list()))}
        for name in CATEGORICAL_FEATURES
    }
    return (
        frame.with_columns(
            pl.col(name).replace_strict(codes[name], default=None, return_dtype=pl.Float64)
            for name in CATEGORICAL_FEATURES
        )
        .select(pl.col(list(FEATURES)).cast(pl.Float64))
        .to_numpy()
    )


@pytest.fixture(scope="module")
def train() -> pl.DataFrame:
    return person_periods(3000, seed=1)


def test_predictions_equal_those_of_the_hand_written_encoding(train: pl.DataFrame) -> None:
    test = person_periods(500, seed=2).with_columns(
        sector_code=pl.when(pl.int_range(pl.len()) % 50 == 0)
        .then(pl.lit("jeugdzorg"))  # a sector the training rows never saw
        .otherwise(pl.col("sector_code"))
    )
    model = fit_on_periods(train, trained_until=date(2023, 1, 1), seed=3)
    reference = clone(model.pipeline.named_steps["classify"])
    with threadpool_limits(limits=1):
        reference.fit(hand_encoded(train, train), outcome_codes(train))
        expected = reference.predict_proba(hand_encoded(test, train))
    predicted = model.annual_probabilities(test).select(PROBABILITY_COLUMNS).to_numpy()
    assert list(reference.classes_) == list(range(len(OUTCOMES)))
    np.testing.assert_array_equal(predicted, expected)
    retire = PROBABILITY_COLUMNS.index("p_retire")
    older = (test["age"] >= 62).to_numpy()
    assert predicted[older, retire].mean() > 5 * predicted[~older, retire].mean()


def test_the_model_can_be_cloned_and_searched(train: pl.DataFrame) -> None:
    search = GridSearchCV(
        leaving_pipeline(seed=0).set_params(classify__max_iter=30),
        {"classify__max_leaf_nodes": [3, 15]},
        cv=2,
        scoring="neg_log_loss",
    )
    with threadpool_limits(limits=1):
        search.fit(model_input(train), outcome_codes(train))
    assert search.best_params_["classify__max_leaf_nodes"] in (3, 15)
    proba = search.predict_proba(model_input(train.head(10)))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    unfitted = clone(search.best_estimator_)
    assert not hasattr(unfitted.named_steps["classify"], "classes_")
