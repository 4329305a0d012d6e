"""Leaving model of the supply projection: who stays, moves within the region, leaves or retires.

The unit of observation is a *person-period*: a staff spell that is employed at the end of the
day before a period starts (``period_start``) at an employer whose extracts cover the whole
period. Its outcome is what happens to the spell during the period:

- ``stay``: the spell is still running at the end of the period;
- ``move_within``: it ends with a move inside the region (``internal``, ``other_care_employer``);
- ``leave_region``: it ends and the person leaves regional care (``care_outside_region``,
  ``outside_sector``, ``unknown``);
- ``retire``: it ends in ``retirement``.

Censoring: a spell is observed only up to its employer's ``last_month`` (and up to ``until``).
Periods that are not observed in full are dropped, never weighted, so every row has a full
period of exposure; an end date after the employer's ``last_month`` counts as "still employed".

Periods are calendar-aligned (12 months start on 1 January), so ``age = year - birth_year`` is
constant within an annual period, as in :data:`workforce.reference.AGE_BANDS`. The model is a
gradient-boosted multiclass classifier (scikit-learn's ``HistGradientBoostingClassifier``) on
annual periods, with age, tenure, contract hours, the sector's share leaving the region in the
previous year, sector and profession as features. Encoding and classifier form one scikit-learn
``Pipeline`` (:func:`leaving_pipeline`), so it can be cloned, cross-validated and searched.
Calendar year is left out: on the seed-42 region it did not lower the out-of-time log loss
(trained to 2023: 0.4451 with, 0.4445 without; to 2024: 0.4447 and 0.4448), and a tree model
cannot extrapolate it anyway.
:meth:`LeavingModel.monthly_hazards` turns annual probabilities into monthly hazards with
``1 - (1 - p) ** (1 / 12)``.

Over 500 lines because person-periods, the model and its out-of-time evaluation share one
definition of the periods and features; split, each part would repeat it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import log_loss, roc_auc_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OrdinalEncoder
from threadpoolctl import threadpool_limits

from workforce.csv_safety import write_csv
from workforce.marts.compute import FTE_HOURS
from workforce.reference import AGE_BANDS

OUTCOMES: tuple[str, ...] = ("stay", "move_within", "leave_region", "retire")
"""Outcome classes, in the order of the model's probability columns."""

DESTINATION_OUTCOME: dict[str, str] = {
    "internal": "move_within",
    "other_care_employer": "move_within",
    "care_outside_region": "leave_region",
    "outside_sector": "leave_region",
    "unknown": "leave_region",
    "retirement": "retire",
}
"""Outcome class of each ``leaver_destination`` (see :mod:`workforce.marts.flows`)."""

PROBABILITY_COLUMNS: tuple[str, ...] = tuple(f"p_{outcome}" for outcome in OUTCOMES)
HAZARD_COLUMNS: tuple[str, ...] = tuple(f"h_{outcome}" for outcome in OUTCOMES[1:])
NUMERIC_FEATURES: tuple[str, ...] = (
    "age",
    "tenure_years",
    "contract_hours_week",
    "sector_leave_trend",
)
CATEGORICAL_FEATURES: tuple[str, ...] = ("sector_code", "profession_code")
FEATURES: tuple[str, ...] = NUMERIC_FEATURES + CATEGORICAL_FEATURES
PERIOD_MONTHS = 12
"""Length of the model's periods: probabilities are annual."""

THREADS = 1
"""OpenMP threads of the boosting: on a shared machine one thread is far faster than spinning."""

_DAYS_PER_YEAR = 365.25


# -- person-periods ----------------------------------------------------------------------------


def age_band(age: pl.Expr) -> pl.Expr:
    """Label of :data:`workforce.reference.AGE_BANDS` for an age expression (null below 15)."""
    expr = pl.lit(None, dtype=pl.String)
    for label, low, _high in AGE_BANDS:
        expr = pl.when(age >= low).then(pl.lit(label)).otherwise(expr)
    return expr


def _period_starts(first: date, last: date, period_months: int) -> list[date]:
    """Calendar-aligned period starts from ``first`` up to ``last`` (both inclusive)."""
    starts = []
    year, month = first.year, 1
    while date(year, month, 1) <= last:
        start = date(year, month, 1)
        if start >= first:
            starts.append(start)
        month += period_months
        if month > 12:
            year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return starts


def _add_months(day: pl.Expr, months: int) -> pl.Expr:
    return day.dt.offset_by(f"{months}mo")


def _outcomes(spells: pl.DataFrame, starts: list[date], period_months: int) -> pl.DataFrame:
    """Person-period rows (no features yet): cohort at each start and its outcome."""
    if period_months not in (1, 2, 3, 4, 6, 12):
        raise ValueError(f"period_months must divide 12, got {period_months}")
    if not starts:
        return spells.clear().with_columns(
            period_start=pl.lit(None, pl.Date), outcome=pl.lit(None, pl.String)
        )
    coverage_end = _add_months(pl.col("last_month"), 1)  # first day after the covered months
    period_end = _add_months(pl.col("period_start"), period_months)
    # An end after the covered months is not observed: the spell is still running then.
    observed_end = pl.when(pl.col("end_date") < coverage_end).then(pl.col("end_date"))
    rows = (
        spells.lazy()
        .with_columns(observed_end=observed_end)
        .join(pl.LazyFrame({"period_start": starts}, schema={"period_start": pl.Date}), how="cross")
        .filter(
            (pl.col("start_date") < pl.col("period_start"))
            & (
                pl.col("observed_end").is_null()
                | (pl.col("observed_end") >= pl.col("period_start"))
            )
            & (pl.col("first_month") <= pl.col("period_start"))
            & (period_end <= coverage_end)
        )
        .with_columns(
            outcome=pl.when(
                pl.col("observed_end").is_not_null() & (pl.col("observed_end") < period_end)
            )
            .then(
                pl.col("leaver_destination").replace_strict(
                    DESTINATION_OUTCOME, default="leave_region", return_dtype=pl.String
                )
            )
            .otherwise(pl.lit("stay"))
        )
        .drop("observed_end")
    )
    return rows.collect()


def _sector_trend(spells: pl.DataFrame, starts: list[date], period_months: int) -> pl.DataFrame:
    """Per sector and period start: the share leaving the region in the period before it."""
    previous = sorted({_shift_months(start, -period_months) for start in starts})
    rows = _outcomes(spells, previous, period_months)
    return (
        rows.group_by("sector_code", "period_start")
        .agg(sector_leave_trend=(pl.col("outcome") == "leave_region").mean())
        .with_columns(period_start=_add_months(pl.col("period_start"), period_months))
    )


def _shift_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _features(rows: pl.DataFrame, trend: pl.DataFrame) -> pl.DataFrame:
    age = pl.col("period_start").dt.year() - pl.col("birth_year")
    return rows.join(trend, on=["sector_code", "period_start"], how="left").with_columns(
        age=age.cast(pl.Int64),
        age_band=age_band(age),
        tenure_years=(pl.col("period_start") - pl.col("start_date")).dt.total_days()
        / _DAYS_PER_YEAR,
        year=pl.col("period_start").dt.year().cast(pl.Int64),
        fte=pl.col("contract_hours_week") / FTE_HOURS,
    )


def person_periods(
    spells: pl.DataFrame, *, period_months: int = PERIOD_MONTHS, until: date
) -> pl.DataFrame:
    """Observation rows (spell x period start) with features and the outcome of the period.

    ``spells`` is the ``spells`` mart. A row exists when the spell is employed at the end of the
    day before ``period_start`` and its employer's extracts cover the whole period, which also
    ends no later than ``until``: incomplete periods are dropped (every row has full exposure).
    Columns: the spell's keys (``person_key``, ``employer_id``, ``region_code``, ``sector_code``,
    ``profession_code``), ``period_start``, ``age``, ``age_band``, ``tenure_years`` (at the
    period start), ``contract_hours_week``, ``fte``, ``year``, ``sector_leave_trend`` (share of
    the sector's cohort that left the region in the previous period; null for the first) and
    ``outcome`` (one of :data:`OUTCOMES`).
    """
    if spells.is_empty():
        raise ValueError("no spells")
    first = spells["first_month"].min()
    assert isinstance(first, date)
    last = min(until, _last_coverage(spells))
    starts = [
        start
        for start in _period_starts(first, last, period_months)
        if _shift_months(start, period_months) <= until
    ]
    rows = _outcomes(spells, starts, period_months)
    trend = _sector_trend(spells, starts, period_months)
    return (
        _features(rows, trend)
        .select(
            "person_key",
            "employer_id",
            "region_code",
            "sector_code",
            "profession_code",
            "period_start",
            "age",
            "age_band",
            "tenure_years",
            "contract_hours_week",
            "fte",
            "year",
            "sector_leave_trend",
            "outcome",
        )
        .sort("period_start", "employer_id", "person_key")
    )


def _last_coverage(spells: pl.DataFrame) -> date:
    last = spells["last_month"].max()
    assert isinstance(last, date)
    return _shift_months(last, 1)


def employed_at(spells: pl.DataFrame, at: date) -> pl.DataFrame:
    """Spells employed at the end of day ``at`` at an employer whose extracts cover that day.

    The same count as the ``headcount`` of ``workforce_monthly`` when ``at`` is a month's last
    day (a person with two jobs counts twice, as there).
    """
    month = date(at.year, at.month, 1)
    return spells.filter(
        (pl.col("start_date") <= at)
        & (pl.col("end_date").is_null() | (pl.col("end_date") > at))
        & (pl.col("first_month") <= month)
        & (pl.col("last_month") >= month)
    )


# -- the model ---------------------------------------------------------------------------------


def leaving_pipeline(seed: int = 0) -> Pipeline:
    """The unfitted model: sector and profession as ordinal category codes (sorted; a code
    unseen in training, or a null, becomes a missing value), the numeric features as they are,
    and a gradient-boosted multiclass classifier that treats the two codes as categories.

    Input: a frame with the columns of :data:`FEATURES`; output classes: indices of
    :data:`OUTCOMES`.
    """
    encode = ColumnTransformer(
        [
            ("numeric", "passthrough", list(NUMERIC_FEATURES)),
            (
                "categorical",
                OrdinalEncoder(
                    handle_unknown="use_encoded_value",
                    unknown_value=np.nan,
                    encoded_missing_value=np.nan,
                    dtype=np.float64,
                ),
                list(CATEGORICAL_FEATURES),
            ),
        ],
        verbose_feature_names_out=False,
    )
    categorical = [FEATURES.index(name) for name in CATEGORICAL_FEATURES]
    classify = HistGradientBoostingClassifier(
        learning_rate=0.1,
        max_iter=200,
        max_leaf_nodes=15,
        min_samples_leaf=200,
        l2_regularization=1.0,
        categorical_features=categorical,
        early_stopping=True,
        validation_fraction=0.1,
        n_iter_no_change=10,
        random_state=seed,
    )
    return Pipeline([("encode", encode), ("classify", classify)])


def model_input(features: pl.DataFrame) -> pl.DataFrame:
    """The columns of :data:`FEATURES`, numbers as floats and codes as text, in that order."""
    return features.select(
        *[pl.col(name).cast(pl.Float64) for name in NUMERIC_FEATURES],
        *[pl.col(name).cast(pl.String) for name in CATEGORICAL_FEATURES],
    )


@dataclass
class LeavingModel:
    """A fitted :func:`leaving_pipeline` and what the projection needs besides it."""

    pipeline: Pipeline
    trend_by_sector: dict[str, float]
    trained_until: date
    training_rows: int = 0
    class_shares: dict[str, float] = field(default_factory=dict)

    def model_input(self, features: pl.DataFrame) -> pl.DataFrame:
        """:func:`model_input`; without a ``sector_leave_trend`` column, each sector's last
        observed share is used."""
        frame = features
        if "sector_leave_trend" not in frame.columns:
            frame = frame.with_columns(
                sector_leave_trend=pl.col("sector_code").replace_strict(
                    self.trend_by_sector, default=None, return_dtype=pl.Float64
                )
            )
        return model_input(frame)

    def annual_probabilities(self, features: pl.DataFrame) -> pl.DataFrame:
        """``p_stay, p_move_within, p_leave_region, p_retire`` per row of ``features``.

        ``features`` needs ``age``, ``tenure_years`` (at the start of the year ahead),
        ``contract_hours_week``, ``sector_code`` and ``profession_code``; without a
        ``sector_leave_trend`` column the sector's last observed share is used (a null is
        treated like the first observed year, which has no previous year).
        """
        if features.is_empty():
            return pl.DataFrame(schema=dict.fromkeys(PROBABILITY_COLUMNS, pl.Float64))
        with threadpool_limits(limits=THREADS):
            proba = self.pipeline.predict_proba(self.model_input(features))
        full = np.zeros((len(proba), len(OUTCOMES)))
        for column, label in enumerate(self.pipeline.classes_):
            full[:, int(label)] = proba[:, column]
        return pl.DataFrame(full, schema=list(PROBABILITY_COLUMNS))

    def monthly_hazards(self, features: pl.DataFrame) -> pl.DataFrame:
        """``h_move_within, h_leave_region, h_retire``: monthly ``1 - (1 - p) ** (1/12)``."""
        annual = self.annual_probabilities(features)
        return annual.select(
            (1 - (1 - pl.col(f"p_{outcome}").clip(0.0, 1.0)) ** (1 / 12)).alias(f"h_{outcome}")
            for outcome in OUTCOMES[1:]
        )

    def cell_features(self, spells: pl.DataFrame, at: date) -> pl.DataFrame:
        """Everyone employed at the end of day ``at``, with features as of the next day."""
        start = at + timedelta(days=1)
        stock = employed_at(spells, at).with_columns(period_start=pl.lit(start, pl.Date))
        trend_start = date(start.year, start.month, 1)
        trend = _sector_trend(spells, [trend_start], PERIOD_MONTHS).with_columns(
            period_start=pl.lit(start, pl.Date)
        )
        return _features(stock, trend)

    def cell_hazards(self, spells: pl.DataFrame, at: date) -> pl.DataFrame:
        """Monthly hazards per region x sector x profession x age for the stock at ``at``.

        The stock is every spell employed at the end of day ``at`` (:func:`employed_at`); each
        is scored with its own features as of the next day (age in that year, tenure, hours),
        and the hazards are the mean over the people of the cell. Columns: ``region_code``,
        ``sector_code``, ``profession_code``, ``age``, ``age_band``, ``headcount``, ``fte``,
        ``p_*`` (annual) and ``h_*`` (monthly) of :data:`PROBABILITY_COLUMNS` and
        :data:`HAZARD_COLUMNS`.
        """
        return _aggregate(self._scored_stock(spells, at), CELL_KEYS)

    def recent_cell_hazards(
        self, spells: pl.DataFrame, at: date, *, years: int = 3
    ) -> pl.DataFrame:
        """:meth:`cell_hazards` under the mean conditions of the last ``years`` observed years.

        ``sector_leave_trend`` is set in turn to the sector's leaving share of each of the last
        ``years`` complete calendar years by ``at`` and the predictions averaged, so that one
        unusual year (a COVID dip or wave) is not carried forward as the new normal.
        """
        stock = self.cell_features(spells, at)
        year_complete = (at + timedelta(days=1)).year > at.year
        last_period = at.year if year_complete else at.year - 1
        scored = []
        for year in range(last_period - years + 1, last_period + 1):
            # The trend feature of the period after ``year`` is ``year``'s leaving share.
            trend = _sector_trend(spells, [date(year + 1, 1, 1)], PERIOD_MONTHS).select(
                "sector_code", "sector_leave_trend"
            )
            conditions = stock.drop("sector_leave_trend").join(
                trend, on="sector_code", how="left", maintain_order="left"
            )
            scored.append(
                pl.concat(
                    [
                        stock.select(*CELL_KEYS, "fte"),
                        self.annual_probabilities(conditions),
                        self.monthly_hazards(conditions),
                    ],
                    how="horizontal",
                ).with_row_index("_person")
            )
        averaged = (
            pl.concat(scored)
            .group_by("_person", *CELL_KEYS)
            .agg(pl.first("fte"), pl.col(*PROBABILITY_COLUMNS, *HAZARD_COLUMNS).mean())
            .drop("_person")
        )
        return _aggregate(averaged, CELL_KEYS)

    def age_hazards(self, spells: pl.DataFrame, at: date) -> pl.DataFrame:
        """Pooled fallback: the same hazards per region x single age, over all cells."""
        return _aggregate(self._scored_stock(spells, at), ("region_code", "age", "age_band"))

    def _scored_stock(self, spells: pl.DataFrame, at: date) -> pl.DataFrame:
        stock = self.cell_features(spells, at)
        return pl.concat(
            [stock, self.annual_probabilities(stock), self.monthly_hazards(stock)],
            how="horizontal",
        )


CELL_KEYS: tuple[str, ...] = ("region_code", "sector_code", "profession_code", "age", "age_band")


def _aggregate(scored: pl.DataFrame, keys: tuple[str, ...]) -> pl.DataFrame:
    return (
        scored.group_by(keys)
        .agg(
            pl.len().alias("headcount"),
            pl.col("fte").sum(),
            *[pl.col(column).mean() for column in (*PROBABILITY_COLUMNS, *HAZARD_COLUMNS)],
        )
        .sort(keys)
    )


def outcome_codes(rows: pl.DataFrame) -> np.ndarray:
    """Outcome of each person-period as its index in :data:`OUTCOMES`."""
    mapping = {outcome: index for index, outcome in enumerate(OUTCOMES)}
    return rows["outcome"].replace_strict(mapping, return_dtype=pl.Int64).to_numpy()


def fit_on_periods(rows: pl.DataFrame, *, trained_until: date, seed: int = 0) -> LeavingModel:
    """Fit the classifier on person-period rows from :func:`person_periods`."""
    if rows.is_empty():
        raise ValueError("no person-periods to train on")
    last_start = rows["period_start"].max()
    trend = (
        rows.filter(pl.col("period_start") == last_start)
        .group_by("sector_code")
        .agg((pl.col("outcome") == "leave_region").mean().alias("rate"))
    )
    model = LeavingModel(
        pipeline=leaving_pipeline(seed),
        trend_by_sector=dict(zip(trend["sector_code"], trend["rate"], strict=True)),
        trained_until=trained_until,
        training_rows=rows.height,
        class_shares={outcome: _share(rows, outcome) for outcome in OUTCOMES},
    )
    with threadpool_limits(limits=THREADS):
        model.pipeline.fit(model.model_input(rows), outcome_codes(rows))
    return model


def fit_leaving_model(spells: pl.DataFrame, *, train_until: date, seed: int = 0) -> LeavingModel:
    """Fit the leaving model on the annual person-periods that end by ``train_until``."""
    rows = person_periods(spells, until=train_until)
    return fit_on_periods(rows, trained_until=train_until, seed=seed)


# -- evaluation --------------------------------------------------------------------------------


def base_rate_probabilities(train: pl.DataFrame, test: pl.DataFrame) -> np.ndarray:
    """The benchmark: class frequencies by age band of the training rows."""
    shares = train.group_by("age_band").agg(
        *[(pl.col("outcome") == outcome).mean().alias(f"p_{outcome}") for outcome in OUTCOMES]
    )
    overall = {f"p_{o}": _share(train, o) for o in OUTCOMES}
    joined = test.select("age_band").join(shares, on="age_band", how="left", maintain_order="left")
    return joined.select(
        pl.col(column).fill_null(overall[column]) for column in PROBABILITY_COLUMNS
    ).to_numpy()


@dataclass(frozen=True)
class LeavingEvaluation:
    """Out-of-time scores of the leaving model against the base-rate model."""

    train_until: date
    test_until: date
    train_rows: int
    test_rows: int
    log_loss: float
    base_rate_log_loss: float
    auc_leave_region: float
    auc_retire: float
    calibration_deciles: pl.DataFrame
    calibration_age_bands: pl.DataFrame

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (tables as lists of rows)."""
        return {
            "train_until": self.train_until.isoformat(),
            "test_until": self.test_until.isoformat(),
            "train_rows": self.train_rows,
            "test_rows": self.test_rows,
            "log_loss": self.log_loss,
            "base_rate_log_loss": self.base_rate_log_loss,
            "auc_leave_region": self.auc_leave_region,
            "auc_retire": self.auc_retire,
            "calibration_deciles": self.calibration_deciles.to_dicts(),
            "calibration_age_bands": self.calibration_age_bands.to_dicts(),
        }

    def write(self, folder: Path) -> list[Path]:
        """Write ``leaving_evaluation.json`` and the two calibration tables as CSV."""
        folder.mkdir(parents=True, exist_ok=True)
        summary = folder / "leaving_evaluation.json"
        summary.write_text(json.dumps(self.to_dict(), indent=2) + "\n")
        deciles = folder / "leaving_calibration_deciles.csv"
        bands = folder / "leaving_calibration_age_bands.csv"
        write_csv(self.calibration_deciles, deciles)
        write_csv(self.calibration_age_bands, bands)
        return [summary, deciles, bands]


def evaluate_out_of_time(
    spells: pl.DataFrame, *, train_until: date, test_until: date, seed: int = 0
) -> LeavingEvaluation:
    """Train on periods ending by ``train_until``; score those from it up to ``test_until``.

    Periods that straddle ``train_until`` are in neither set. A test period's
    ``sector_leave_trend`` is the share observed in the year before it: known at its start.
    """
    if test_until <= train_until:
        raise ValueError("test_until must be after train_until")
    rows = person_periods(spells, until=test_until)
    train = rows.filter(pl.col("period_start").dt.offset_by(f"{PERIOD_MONTHS}mo") <= train_until)
    test = rows.filter(pl.col("period_start") >= train_until)
    if test.is_empty():
        raise ValueError(f"no complete periods between {train_until} and {test_until}")
    model = fit_on_periods(train, trained_until=train_until, seed=seed)
    predicted = model.annual_probabilities(test)
    return score(train, test, predicted, train_until=train_until, test_until=test_until)


def score(
    train: pl.DataFrame,
    test: pl.DataFrame,
    predicted: pl.DataFrame,
    *,
    train_until: date,
    test_until: date,
) -> LeavingEvaluation:
    """Metrics of ``predicted`` (annual probabilities per test row) against the test outcomes."""
    observed = outcome_codes(test)
    proba = predicted.select(PROBABILITY_COLUMNS).to_numpy()
    base = base_rate_probabilities(train, test)
    labels = list(range(len(OUTCOMES)))
    scored = pl.concat([test.select("age_band", "outcome"), predicted], how="horizontal")
    return LeavingEvaluation(
        train_until=train_until,
        test_until=test_until,
        train_rows=train.height,
        test_rows=test.height,
        log_loss=float(log_loss(observed, proba, labels=labels)),
        base_rate_log_loss=float(log_loss(observed, base, labels=labels)),
        auc_leave_region=_auc(observed == OUTCOMES.index("leave_region"), proba[:, 2]),
        auc_retire=_auc(observed == OUTCOMES.index("retire"), proba[:, 3]),
        calibration_deciles=_calibration_deciles(scored),
        calibration_age_bands=_calibration_age_bands(scored),
    )


def _auc(positive: np.ndarray, score: np.ndarray) -> float:
    if positive.all() or not positive.any():
        return float("nan")
    return float(roc_auc_score(positive, score))


def _calibration_deciles(scored: pl.DataFrame) -> pl.DataFrame:
    decile = (pl.col("p_leave_region").rank("ordinal") * 10 / pl.len()).ceil().cast(pl.Int64)
    return (
        scored.with_columns(decile=decile)
        .group_by("decile")
        .agg(
            rows=pl.len(),
            predicted_leave_region=pl.col("p_leave_region").mean(),
            observed_leave_region=(pl.col("outcome") == "leave_region").mean(),
        )
        .sort("decile")
    )


def _calibration_age_bands(scored: pl.DataFrame) -> pl.DataFrame:
    order = {label: index for index, (label, _low, _high) in enumerate(AGE_BANDS)}
    return (
        scored.group_by("age_band")
        .agg(
            pl.len().alias("rows"),
            *[
                expr
                for outcome in OUTCOMES[1:]
                for expr in (
                    pl.col(f"p_{outcome}").mean().alias(f"predicted_{outcome}"),
                    (pl.col("outcome") == outcome).mean().alias(f"observed_{outcome}"),
                )
            ],
        )
        .sort(pl.col("age_band").replace_strict(order, default=len(order)))
    )


def _share(rows: pl.DataFrame, outcome: str) -> float:
    return float(rows.select((pl.col("outcome") == outcome).mean()).item())
