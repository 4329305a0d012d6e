"""A run of the engine over many series: inner evidence, one pooled choice per origin, forecasts.

A run takes three steps, so that the choice and the interval calibration can pool the inner
backtests of every series that shares a forecast origin:

1. :func:`gather_evidence` (per series, in workers): the outer rolling-origin backtest of every
   candidate and the engine's inner backtest at each outer origin and at the end of the series;
2. :func:`decide` (once, over all series): per origin, the choice pooled over the series with
   that origin, a calibration per series (borrowing errors where a series has too few), and
   the engine's backtest rows built from the candidates' forecasts, then scored;
3. :func:`finish_series` (per series, in workers): only the chosen candidates are refitted on
   all data and forecast.

A failure never aborts a run: it is recorded and the series falls back to the baseline with the
lowest backtest MASE. Per-series work runs with one BLAS thread: runs are parallel over series,
and a threaded BLAS on the tiny matrices of the smoothing fits cost ten times the CPU.
:func:`run_engine` runs the three steps over a checked long frame, in parallel over series, and
gathers the results into tidy tables (:class:`RunOutput`); :func:`process_series` runs them for
one series alone.

Over 500 lines because the three steps share their private records, fallbacks and settings;
split up, those would become a public interface between modules that only this run uses.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import polars as pl
from sklearn.base import clone
from threadpoolctl import threadpool_limits

from workforce.forecast.backtest import (
    ForecastCache,
    average_over_series,
    backtest_series,
    fold_cutoffs,
    score_folds,
    score_steps,
    summarise,
)
from workforce.forecast.base import Forecaster, Prediction
from workforce.forecast.baselines import BASELINES
from workforce.forecast.calibration import (
    ConformalCalibration,
    pooled_calibrations,
    recent_volatility,
)
from workforce.forecast.engine import ForecastEngine, default_candidates
from workforce.forecast.executor import ExecutorKind, ProgressCallback, run_parallel
from workforce.forecast.frames import LEVELS, Frequency, Series, future_dates, split_series
from workforce.forecast.prophet import ProphetForecaster, silence_cmdstanpy
from workforce.forecast.selection import Choice, InnerEvidence, combine, cross_fitted_scores


@dataclass(frozen=True)
class EngineSettings:
    """What a run does per series; picklable, so it travels to worker processes and Dask.

    ``keep_prophet`` saves the Prophet model of every series where Prophet carries weight.
    ``pool_choice`` makes one choice per forecast origin from the inner backtests of all series
    with that origin (else each series chooses alone); ``pool_calibration_below`` lends a series
    with fewer inner errors than this, at any step ahead, the errors of the others.
    """

    horizon: int
    backtest_horizon: int
    folds: int
    candidates: tuple[Forecaster, ...] = field(default_factory=default_candidates)
    engine: ForecastEngine = field(default_factory=ForecastEngine)
    extra_models: tuple[tuple[str, Forecaster], ...] = ()
    keep_prophet: bool = True
    pool_choice: bool = True
    pool_calibration_below: int = 50


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
    step_scores: pl.DataFrame = field(default_factory=pl.DataFrame)
    """Backtest interval coverage per model and step ahead (:func:`score_steps`)."""


@dataclass
class Origin:
    """One forecast origin of a series: the training length and the inner backtest there."""

    cut: int
    last_date: np.datetime64
    evidence: InnerEvidence | None
    volatility: float


@dataclass
class SeriesEvidence:
    """Step 1's output for one series."""

    series: Series
    backtests: pl.DataFrame
    origins: list[Origin]
    """The outer backtest origins, oldest first, then the end of the series."""
    failures: list[str] = field(default_factory=list)
    engine_error: str | None = None


@dataclass
class Decision:
    """Step 2's output for one series: the final choice and what step 3 needs."""

    choice: Choice
    calibration: ConformalCalibration | None
    fold_scores: pl.DataFrame
    inner_errors: dict[str, float]
    failures: list[str]
    engine_error: str | None = None
    step_scores: pl.DataFrame = field(default_factory=pl.DataFrame)


def _engine(settings: EngineSettings) -> ForecastEngine:
    engine: ForecastEngine = clone(settings.engine).set_params(candidates=settings.candidates)
    return engine


def gather_evidence(series: Series, settings: EngineSettings) -> SeriesEvidence:
    """Backtest every candidate by rolling origin, and run the inner backtest at each origin."""
    silence_cmdstanpy()
    with threadpool_limits(limits=1):
        return _gather_evidence(series, settings)


def _gather_evidence(series: Series, settings: EngineSettings) -> SeriesEvidence:
    cache = ForecastCache()
    engine = _engine(settings)
    models: dict[str, Forecaster] = {c.name: c for c in settings.candidates}
    models.update(dict(settings.extra_models))
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
    try:
        cutoffs = fold_cutoffs(len(series), horizon=settings.backtest_horizon, folds=settings.folds)
    except Exception as error:
        failures.append(f"{series.unique_id}: no backtest: {_describe(error)}")
        cutoffs = []
    season = series.frequency.season_length
    origins = []
    engine_error = None
    try:
        for cut in [*cutoffs, len(series)]:
            train = series.head(cut)
            origins.append(
                Origin(
                    cut=cut,
                    last_date=series.ds[cut - 1],
                    evidence=engine.inner_evidence(train, cache),
                    volatility=recent_volatility(train.y, season),
                )
            )
    except Exception as error:
        engine_error = _describe(error)
    backtests = pl.concat(frames) if frames else pl.DataFrame()
    return SeriesEvidence(series, backtests, origins, failures, engine_error)


def decide(gathered: list[SeriesEvidence], settings: EngineSettings) -> list[Decision]:
    """Per origin, choose and calibrate (pooled over series sharing it); score the engine."""
    engine = _engine(settings)
    usable = [i for i, g in enumerate(gathered) if g.engine_error is None and g.origins]
    groups: dict[tuple[object, ...], list[tuple[int, int]]] = defaultdict(list)
    for index in usable:
        for position, origin in enumerate(gathered[index].origins):
            if origin.evidence is None:
                continue
            key: tuple[object, ...] = (
                (origin.last_date, gathered[index].series.frequency)
                if settings.pool_choice
                else (index, position)
            )
            groups[key].append((index, position))
    made: dict[tuple[int, int], tuple[Choice, ConformalCalibration | None]] = {}
    for members in groups.values():
        evidences = [_evidence(gathered, member) for member in members]
        try:
            chosen = [engine.choose(evidences)] * len(members)
            samples = (
                cross_fitted_scores(evidences, engine.choose, chosen[0].weights)
                if engine.calibrate
                else []
            )
        except RuntimeError:  # no candidate fitted on every series: each chooses alone
            chosen = [engine.decide(e) for e in evidences]
            samples = [
                cross_fitted_scores([e], engine.choose, c.weights)[0]
                for e, c in zip(evidences, chosen, strict=True)
            ]
        calibrations: list[ConformalCalibration | None] = [None] * len(members)
        if engine.calibrate:
            calibrations = list(
                pooled_calibrations(
                    samples,
                    minimum=settings.pool_calibration_below,
                    steps=[e.calibration_steps() for e in evidences],
                )
            )
        for member, choice, calibration in zip(members, chosen, calibrations, strict=True):
            made[member] = (choice, calibration)
    decisions = []
    for index, item in enumerate(gathered):
        failures = list(item.failures)
        if index not in usable:
            decisions.append(
                Decision(
                    Choice({}, "", ""),
                    None,
                    _scores(item.backtests),
                    {},
                    failures,
                    item.engine_error or "no forecast origin",
                )
            )
            continue
        chosen_rows = []
        for fold, (position, origin) in enumerate(list(enumerate(item.origins))[:-1]):
            choice, calibration = made.get((index, position), (engine.decide(None), None))
            chosen_rows.append(
                _engine_rows(item.backtests, fold, choice, calibration, origin.volatility)
            )
        last = len(item.origins) - 1
        final = made.get((index, last))
        if final is None:
            final = (engine.decide(None), None)
        evidence = item.origins[last].evidence
        inner_errors: dict[str, float] = {}
        if evidence is not None:
            errors = evidence.fold_errors()
            inner_errors = {name: float(e.mean()) for name, e in errors.items()}
            weights = final[0].weights
            if all(name in evidence.forecasts for name in weights):
                inner_errors[engine.name] = float(evidence.score(evidence.combined(weights)).mean())
        rows = [r for r in (item.backtests, *chosen_rows) if r is not None and not r.is_empty()]
        backtests = pl.concat(rows, how="diagonal_relaxed") if rows else pl.DataFrame()
        decisions.append(
            Decision(
                final[0],
                final[1],
                _scores(backtests),
                inner_errors,
                failures,
                step_scores=score_steps(backtests) if rows else pl.DataFrame(),
            )
        )
    return decisions


def _evidence(gathered: list[SeriesEvidence], member: tuple[int, int]) -> InnerEvidence:
    evidence = gathered[member[0]].origins[member[1]].evidence
    assert evidence is not None
    return evidence


def _engine_rows(
    backtests: pl.DataFrame,
    fold: int,
    choice: Choice,
    calibration: ConformalCalibration | None,
    volatility: float,
) -> pl.DataFrame | None:
    """The engine's backtest rows at one origin, from its chosen candidates' rows."""
    if backtests.is_empty():
        return None
    rows = backtests.filter(pl.col("fold") == fold)
    parts = {name: rows.filter(pl.col("model") == name).sort("step") for name in choice.weights}
    if any(part.is_empty() for part in parts.values()):
        return None
    mean = combine({n: p["yhat"].to_numpy() for n, p in parts.items()}, choice.weights)
    if calibration is not None:
        prediction = calibration.apply(mean, scale=volatility)
    else:
        prediction = Prediction(
            mean,
            {
                lv: combine(
                    {n: p[f"yhat_lo_{lv}"].to_numpy() for n, p in parts.items()}, choice.weights
                )
                for lv in LEVELS
            },
            {
                lv: combine(
                    {n: p[f"yhat_hi_{lv}"].to_numpy() for n, p in parts.items()}, choice.weights
                )
                for lv in LEVELS
            },
        )
    template = next(iter(parts.values()))
    frame = prediction.to_frame(
        template["ds"].to_numpy(), unique_id=str(template["unique_id"][0]), model="chosen"
    )
    return pl.concat(
        [frame, template.select("fold", "step", "y", "scale", "squared_scale")], how="horizontal"
    )


def _scores(backtests: pl.DataFrame) -> pl.DataFrame:
    return score_folds(backtests) if not backtests.is_empty() else pl.DataFrame()


def finish_series(item: tuple[Series, Decision], settings: EngineSettings) -> SeriesResult:
    """Refit only the chosen candidates on all data and forecast; fall back on failure."""
    silence_cmdstanpy()
    with threadpool_limits(limits=1):
        return _finish_series(item, settings)


def _finish_series(item: tuple[Series, Decision], settings: EngineSettings) -> SeriesResult:
    series, decision = item
    failures = list(decision.failures)
    fold_scores = decision.fold_scores
    step_scores = decision.step_scores
    try:
        if decision.engine_error is not None:
            raise RuntimeError(decision.engine_error)
        result = _forecast_with_engine(series, decision, settings)
    except Exception as error:
        fallback = _best_baseline(fold_scores)
        message = decision.engine_error or _describe(error)
        failures.append(f"{series.unique_id}: engine failed ({message}); fell back to {fallback}")
        result = _forecast_with_baseline(series, fallback, settings)
        fold_scores = _relabel_fallback(fold_scores, fallback)
        step_scores = _relabel_fallback(step_scores, fallback)
    result.fold_scores = fold_scores
    result.step_scores = step_scores
    result.failures = failures
    return result


def process_series(series: Series, settings: EngineSettings) -> SeriesResult:
    """Backtest the candidates and the engine on one series alone, then forecast it."""
    gathered = gather_evidence(series, settings)
    (decision,) = decide([gathered], settings)
    return finish_series((series, decision), settings)


def _forecast_with_engine(
    series: Series, decision: Decision, settings: EngineSettings
) -> SeriesResult:
    if decision.fold_scores.is_empty() or "chosen" not in decision.fold_scores["model"]:
        raise RuntimeError("no backtest of the engine")
    engine = _engine(settings)
    fitted = engine.fit(series, decision=(decision.choice, decision.calibration))
    prediction = fitted.predict(settings.horizon)
    ds = future_dates(series.ds[-1], settings.horizon, series.frequency)
    prophet = fitted.fitted_.get("prophet")
    prophet = prophet.unwrapped if prophet is not None else None
    keep = settings.keep_prophet and isinstance(prophet, ProphetForecaster)
    return SeriesResult(
        unique_id=series.unique_id,
        forecast=prediction.to_frame(ds, unique_id=series.unique_id, model=fitted.name),
        fold_scores=decision.fold_scores,
        choice=fitted.choice_.label,
        reason=fitted.choice_.reason,
        weights=dict(fitted.weights_),
        inner_errors=dict(decision.inner_errors),
        calibration=dict(fitted.calibration_.quantiles) if fitted.calibration_ else {},
        volatility=fitted.volatility_,
        prophet_json=prophet.to_json() if keep and prophet is not None else None,
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
    """The fallback's backtest scores, labelled ``chosen``: the model actually used."""
    if fold_scores.is_empty():
        return fold_scores
    used = fold_scores.filter(pl.col("model") == fallback).with_columns(model=pl.lit("chosen"))
    return pl.concat([fold_scores.filter(pl.col("model") != "chosen"), used])


def _describe(error: BaseException) -> str:
    text = str(error).splitlines()[0] if str(error) else ""
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


@dataclass
class RunOutput:
    """The gathered results of a run."""

    results: list[SeriesResult]
    frequency: Frequency

    @property
    def forecasts(self) -> pl.DataFrame:
        """Tidy forecasts of the chosen model for every series."""
        return pl.concat([r.forecast for r in self.results])

    @property
    def metrics(self) -> pl.DataFrame:
        """Backtest metrics per series and model, averaged over folds."""
        scores = [r.fold_scores for r in self.results if not r.fold_scores.is_empty()]
        return summarise(pl.concat(scores, how="diagonal_relaxed"))

    @property
    def step_coverage(self) -> pl.DataFrame:
        """Backtest interval coverage per model and step ahead, averaged over series."""
        scores = [r.step_scores for r in self.results if not r.step_scores.is_empty()]
        if not scores:
            return pl.DataFrame()
        return (
            pl.concat(scores, how="diagonal_relaxed")
            .group_by("model", "step")
            .agg(pl.len().alias("series"), pl.col("^coverage_.*$").mean())
            .sort("model", "step")
        )

    @property
    def averages(self) -> pl.DataFrame:
        """Backtest metrics per model, averaged over series."""
        return average_over_series(self.metrics)

    @property
    def choices(self) -> pl.DataFrame:
        """Per series: the choice, its weights, why, and its inner-backtest gain over naive."""
        rows = []
        for r in self.results:
            naive = r.inner_errors.get("naive")
            chosen = r.inner_errors.get("chosen")
            rows.append(
                {
                    "unique_id": r.unique_id,
                    "choice": r.choice,
                    "weights": ", ".join(f"{n} {w:.2f}" for n, w in r.weights.items()),
                    "reason": r.reason,
                    "inner_mase_chosen": chosen,
                    "inner_mase_naive": naive,
                    "inner_gain_over_naive": (1 - chosen / naive) if naive and chosen else None,
                }
            )
        return pl.DataFrame(
            rows,
            schema_overrides={
                "inner_mase_chosen": pl.Float64,
                "inner_mase_naive": pl.Float64,
                "inner_gain_over_naive": pl.Float64,
            },
        )

    @property
    def calibration(self) -> pl.DataFrame:
        """Per series and level: the conformal half-width in units of recent volatility."""
        rows = [
            {
                "unique_id": r.unique_id,
                "level": level,
                "scaled_half_width": q,
                "volatility": r.volatility,
            }
            for r in self.results
            for level, q in r.calibration.items()
        ]
        return pl.DataFrame(
            rows,
            schema={
                "unique_id": pl.String,
                "level": pl.Int64,
                "scaled_half_width": pl.Float64,
                "volatility": pl.Float64,
            },
        )

    @property
    def failures(self) -> list[str]:
        """Every per-series problem, in series order."""
        return [message for r in self.results for message in r.failures]


def run_engine(
    frame: pl.DataFrame,
    frequency: Frequency,
    settings: EngineSettings,
    *,
    executor: ExecutorKind = ExecutorKind.local,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: ProgressCallback | None = None,
    exogenous: tuple[str, ...] = (),
    known_paths: dict[str, dict[str, np.ndarray]] | None = None,
) -> RunOutput:
    """Backtest and forecast every series of a checked long frame.

    ``exogenous`` names columns passed to the models as regressors; ``known_paths`` gives,
    per series, regressors as known at each period (see :class:`Series`).
    Three steps: every series' backtests and inner evidence (in parallel), one choice per
    forecast origin pooled over the series (here), then only the chosen models refitted and
    forecast (in parallel).
    """
    series: list[Series] = list(
        split_series(frame, frequency, exogenous=exogenous, known_paths=known_paths)
    )
    gathered = run_parallel(
        gather_evidence,
        series,
        settings,
        executor=executor,
        workers=workers,
        scheduler=scheduler,
        description="Backtesting",
        progress=progress,
    )
    decisions = decide(gathered, settings)
    results = run_parallel(
        finish_series,
        list(zip(series, decisions, strict=True)),
        settings,
        executor=executor,
        workers=workers,
        scheduler=scheduler,
        description="Forecasting",
        progress=progress,
    )
    return RunOutput(results, frequency)
