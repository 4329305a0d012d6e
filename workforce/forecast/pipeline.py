"""The work for one series: backtest the models, forecast with the engine, keep what a run saves.

:func:`process_series` never raises for a series that fails: it records the error and falls back
to the baseline with the lowest backtest MASE, so one bad series cannot abort a run.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl
from sklearn.base import clone

from workforce.forecast.backtest import ForecastCache, backtest_series, score_folds
from workforce.forecast.base import Forecaster
from workforce.forecast.baselines import BASELINES
from workforce.forecast.engine import ForecastEngine, default_candidates
from workforce.forecast.frames import Series, future_dates
from workforce.forecast.prophet import ProphetForecaster, silence_cmdstanpy


@dataclass(frozen=True)
class EngineSettings:
    """What a run does per series; picklable, so it travels to worker processes and Dask."""

    horizon: int
    backtest_horizon: int
    folds: int
    candidates: tuple[Forecaster, ...] = field(default_factory=default_candidates)
    engine: ForecastEngine = field(default_factory=ForecastEngine)
    extra_models: tuple[tuple[str, Forecaster], ...] = ()
    keep_prophet: bool = True


def baseline_settings(
    horizon: int, *, backtest_horizon: int = 12, folds: int = 2
) -> EngineSettings:
    """Engine settings with the baselines only (no Prophet): a quick run for tests and backtests."""
    candidates = tuple(factory() for factory in BASELINES.values())
    return EngineSettings(
        horizon=horizon,
        backtest_horizon=backtest_horizon,
        folds=folds,
        candidates=candidates,
        engine=ForecastEngine(candidates=candidates),
        keep_prophet=False,
    )


@dataclass
class SeriesResult:
    """Everything a run keeps for one series."""

    unique_id: str
    forecast: pl.DataFrame
    fold_scores: pl.DataFrame
    choice: str = ""
    reason: str = ""
    weights: dict[str, float] = field(default_factory=dict)
    inner_errors: dict[str, float] = field(default_factory=dict)
    calibration: dict[int, float] = field(default_factory=dict)
    volatility: float = float("nan")
    prophet_json: str | None = None
    failures: list[str] = field(default_factory=list)


def process_series(series: Series, settings: EngineSettings) -> SeriesResult:
    """Backtest the candidates and the engine on one series, then forecast it."""
    silence_cmdstanpy()
    cache = ForecastCache()
    engine: ForecastEngine = clone(settings.engine).set_params(candidates=settings.candidates)
    models: dict[str, Forecaster] = {c.name: c for c in settings.candidates}
    models.update(dict(settings.extra_models))
    models[engine.name] = engine
    failures: list[str] = []
    frames = []
    for name, model in models.items():
        try:
            frames.append(
                backtest_series(
                    series,
                    {name: model},
                    horizon=settings.backtest_horizon,
                    folds=settings.folds,
                    cache=cache,
                )
            )
        except Exception as error:
            failures.append(f"{series.unique_id}: backtest of {name} failed: {_describe(error)}")
    fold_scores = score_folds(pl.concat(frames)) if frames else pl.DataFrame()
    try:
        result = _forecast_with_engine(series, engine, settings, cache, fold_scores)
    except Exception as error:
        fallback = _best_baseline(fold_scores)
        failures.append(
            f"{series.unique_id}: engine failed ({_describe(error)}); fell back to {fallback}"
        )
        result = _forecast_with_baseline(series, fallback, settings)
        fold_scores = _relabel_fallback(fold_scores, fallback)
    result.fold_scores = fold_scores
    result.failures = failures
    if settings.keep_prophet and result.prophet_json is None:
        result.prophet_json = _fit_prophet_json(series, settings.candidates, cache, failures)
    return result


def _forecast_with_engine(
    series: Series,
    engine: ForecastEngine,
    settings: EngineSettings,
    cache: ForecastCache,
    fold_scores: pl.DataFrame,
) -> SeriesResult:
    if fold_scores.is_empty() or "chosen" not in fold_scores["model"]:
        raise RuntimeError("no backtest of the engine")
    fitted = ForecastEngine(**engine.get_params(deep=False)).fit(series, cache=cache)
    prediction = fitted.predict(settings.horizon)
    ds = future_dates(series.ds[-1], settings.horizon, series.frequency)
    prophet = fitted.fitted_.get("prophet")
    return SeriesResult(
        unique_id=series.unique_id,
        forecast=prediction.to_frame(ds, unique_id=series.unique_id, model=fitted.name),
        fold_scores=fold_scores,
        choice=fitted.choice_.label,
        reason=fitted.choice_.reason,
        weights=dict(fitted.weights_),
        inner_errors=dict(fitted.inner_errors_),
        calibration=dict(fitted.calibration_.quantiles) if fitted.calibration_ else {},
        volatility=fitted.volatility_,
        prophet_json=prophet.to_json() if isinstance(prophet, ProphetForecaster) else None,
    )


def _best_baseline(fold_scores: pl.DataFrame) -> str:
    if fold_scores.is_empty():
        return "naive"
    means = (
        fold_scores.filter(pl.col("model").is_in(list(BASELINES)))
        .group_by("model")
        .agg(pl.col("mase").mean())
        .filter(pl.col("mase").is_finite())
        .sort("mase", "model")
    )
    return str(means["model"][0]) if means.height else "naive"


def _forecast_with_baseline(series: Series, name: str, settings: EngineSettings) -> SeriesResult:
    model = BASELINES[name]().fit(series)
    ds = future_dates(series.ds[-1], settings.horizon, series.frequency)
    forecast = model.predict(settings.horizon).to_frame(
        ds, unique_id=series.unique_id, model="chosen"
    )
    return SeriesResult(
        unique_id=series.unique_id,
        forecast=forecast,
        fold_scores=pl.DataFrame(),
        choice=name,
        reason="fallback: the engine failed on this series",
        weights={name: 1.0},
    )


def _relabel_fallback(fold_scores: pl.DataFrame, fallback: str) -> pl.DataFrame:
    """The fallback's backtest rows, labelled ``chosen``: the model actually used."""
    if fold_scores.is_empty():
        return fold_scores
    used = fold_scores.filter(pl.col("model") == fallback).with_columns(model=pl.lit("chosen"))
    return pl.concat([fold_scores.filter(pl.col("model") != "chosen"), used])


def _fit_prophet_json(
    series: Series, candidates: tuple[Forecaster, ...], cache: ForecastCache, failures: list[str]
) -> str | None:
    template = next((c for c in candidates if isinstance(c, ProphetForecaster)), None)
    if template is None:
        return None
    try:
        _, fitted = cache.forecast(template, series, 1)
    except Exception as error:
        failures.append(f"{series.unique_id}: Prophet could not be saved: {_describe(error)}")
        return None
    return fitted.to_json() if isinstance(fitted, ProphetForecaster) else None


def _describe(error: BaseException) -> str:
    text = str(error).splitlines()[0] if str(error) else ""
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
