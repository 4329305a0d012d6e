"""Rolling-origin backtests: refit at each origin, forecast the next periods, score against actuals.

Folds do not overlap by default: origin ``k`` ends ``horizon`` periods after origin ``k - 1``,
and the last fold ends with the series. Forecasts at an origin depend only on the data before it,
so a :class:`ForecastCache` can share them between the outer backtest and the engine's inner
backtests without leaking anything.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import polars as pl
from sklearn.base import clone

from workforce.forecast.base import Forecaster, Prediction
from workforce.forecast.frames import LEVELS, Series
from workforce.forecast.metrics import (
    bias,
    coverage,
    mase,
    pinball,
    rmsse,
    seasonal_naive_scale,
    smape,
    winkler,
)


class SeriesTooShortError(ValueError):
    """A series has too few periods for the requested folds and horizon."""


def fold_cutoffs(
    length: int, *, horizon: int, folds: int, step: int | None = None, min_train: int = 2
) -> list[int]:
    """Training lengths of each fold, oldest first; the last fold's test ends the series."""
    step = step or horizon
    cutoffs = [length - horizon - (folds - 1 - k) * step for k in range(folds)]
    if folds < 1 or cutoffs[0] < min_train:
        raise SeriesTooShortError(
            f"{length} periods cannot hold {folds} fold(s) of {horizon} after at least "
            f"{min_train} training periods (need {min_train + horizon + (folds - 1) * step})"
        )
    return cutoffs


@dataclass
class ForecastCache:
    """Forecasts by (model settings, training data, horizon): each origin is fitted once."""

    entries: dict[tuple[str, str, int], tuple[Prediction, Forecaster]] = field(default_factory=dict)

    def forecast(
        self, template: Forecaster, history: Series, horizon: int
    ) -> tuple[Prediction, Forecaster]:
        """Fit a clone of ``template`` on ``history`` and predict, or reuse an identical run."""
        key = (_settings_key(template), _data_key(history), horizon)
        if key not in self.entries:
            fitted = clone(template)
            if getattr(fitted, "shares_cache", False):
                fitted.fit(history, cache=self)
            else:
                fitted.fit(history)
            self.entries[key] = (fitted.predict(horizon), fitted)
        return self.entries[key]


def _settings_key(template: Forecaster) -> str:
    return f"{type(template).__name__}{sorted(template.get_params(deep=False).items())!r}"


def _data_key(history: Series) -> str:
    digest = hashlib.blake2b(digest_size=16)
    digest.update(history.unique_id.encode())
    digest.update(history.ds.tobytes())
    digest.update(np.ascontiguousarray(history.y, dtype=float).tobytes())
    for name in sorted(history.exogenous):
        digest.update(np.ascontiguousarray(history.exogenous[name], dtype=float).tobytes())
    for name in sorted(history.known_paths):
        path = history.known_path(name)
        digest.update(np.ascontiguousarray(path, dtype=float).tobytes())
    return digest.hexdigest()


def backtest_series(
    series: Series,
    models: Mapping[str, Forecaster],
    *,
    horizon: int,
    folds: int,
    step: int | None = None,
    cache: ForecastCache | None = None,
) -> pl.DataFrame:
    """Forecasts of every model at every origin, with actuals and the training scale per fold.

    Each model sees only the training part of its fold.
    """
    cache = cache or ForecastCache()
    season = series.frequency.season_length
    frames = []
    for fold, cutoff in enumerate(
        fold_cutoffs(len(series), horizon=horizon, folds=folds, step=step)
    ):
        train = series.head(cutoff)
        actual = series.y[cutoff : cutoff + horizon]
        for name, template in models.items():
            prediction, _ = cache.forecast(template, train, horizon)
            frame = prediction.to_frame(
                series.ds[cutoff : cutoff + horizon], unique_id=series.unique_id, model=name
            )
            frames.append(
                frame.with_columns(
                    fold=pl.lit(fold),
                    step=pl.int_range(1, horizon + 1),
                    y=pl.Series(actual),
                    scale=pl.lit(seasonal_naive_scale(train.y, season)),
                    squared_scale=pl.lit(seasonal_naive_scale(train.y, season, squared=True)),
                )
            )
    return pl.concat(frames)


def score_folds(forecasts: pl.DataFrame) -> pl.DataFrame:
    """Metrics per series, model and fold from :func:`backtest_series` output."""
    rows = []
    for (unique_id, model, fold), group in forecasts.group_by(
        "unique_id", "model", "fold", maintain_order=True
    ):
        actual = group["y"].to_numpy()
        yhat = group["yhat"].to_numpy()
        row: dict[str, object] = {
            "unique_id": unique_id,
            "model": model,
            "fold": fold,
            "mase": mase(actual, yhat, scale=group["scale"][0]),
            "rmsse": rmsse(actual, yhat, squared_scale=group["squared_scale"][0]),
            "smape": smape(actual, yhat),
            "bias": bias(actual, yhat),
        }
        for level in LEVELS:
            lower = group[f"yhat_lo_{level}"].to_numpy()
            upper = group[f"yhat_hi_{level}"].to_numpy()
            row[f"coverage_{level}"] = coverage(actual, lower, upper)
            row[f"winkler_{level}"] = winkler(actual, lower, upper, level=level)
        low, high = group["yhat_lo_80"].to_numpy(), group["yhat_hi_80"].to_numpy()
        row["pinball"] = float(
            np.mean(
                [
                    pinball(actual, low, quantile=0.1),
                    pinball(actual, yhat, quantile=0.5),
                    pinball(actual, high, quantile=0.9),
                ]
            )
            / group["scale"][0]
        )
        rows.append(row)
    return pl.DataFrame(rows)


def score_steps(forecasts: pl.DataFrame) -> pl.DataFrame:
    """Interval coverage per series, model and step ahead, over the folds of
    :func:`backtest_series` output."""
    inside = [
        ((pl.col("y") >= pl.col(f"yhat_lo_{level}")) & (pl.col("y") <= pl.col(f"yhat_hi_{level}")))
        .mean()
        .alias(f"coverage_{level}")
        for level in LEVELS
    ]
    return (
        forecasts.group_by("unique_id", "model", "step")
        .agg(pl.len().alias("folds"), *inside)
        .sort("unique_id", "model", "step")
    )


METRIC_COLUMNS = (
    "mase",
    "smape",
    "rmsse",
    "bias",
    "coverage_80",
    "coverage_95",
    "winkler_80",
    "winkler_95",
    "pinball",
)


def summarise(fold_scores: pl.DataFrame) -> pl.DataFrame:
    """Metrics per series and model, averaged over folds."""
    return (
        fold_scores.group_by("unique_id", "model", maintain_order=True)
        .agg(pl.len().alias("folds"), *[pl.col(c).mean() for c in METRIC_COLUMNS])
        .sort("unique_id", "model")
    )


def average_over_series(metrics: pl.DataFrame) -> pl.DataFrame:
    """Each model's metrics averaged over series (each series weighs the same)."""
    return (
        metrics.group_by("model")
        .agg(pl.len().alias("series"), *[pl.col(c).mean() for c in METRIC_COLUMNS])
        .sort("mase")
    )
