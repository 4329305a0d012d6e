"""The forecast engine: per series, choose models by an inner backtest and calibrate intervals.

``ForecastEngine.fit(history)`` backtests every candidate on ``history`` alone (rolling origin,
``inner_folds`` folds of ``inner_horizon``), chooses a forecast by the rules of
:mod:`workforce.forecast.selection`, calibrates intervals on the choice's inner errors, and
refits the chosen candidates on all of ``history``. It never sees data after ``history``, so an
outer backtest of the engine measures what a user would have got.

A run over many series (:mod:`workforce.forecast.engine_run`) splits the same steps: the inner
evidence of every series first, then one choice and calibration pooled over the series that
share a forecast origin, then a refit of only the chosen candidates.
"""

from __future__ import annotations

from typing import Self

import numpy as np
import polars as pl

from workforce.forecast.backtest import ForecastCache, SeriesTooShortError, fold_cutoffs
from workforce.forecast.base import Forecaster, Prediction
from workforce.forecast.baselines import DampedETS, Drift, Naive, SeasonalNaive, Theta
from workforce.forecast.calibration import ConformalCalibration, recent_volatility
from workforce.forecast.frames import LEVELS, Series
from workforce.forecast.metrics import seasonal_naive_scale
from workforce.forecast.prophet_direct import DirectProphet
from workforce.forecast.selection import (
    Choice,
    InnerEvidence,
    choose_pooled,
    combine,
    cross_fitted_scores,
)


def default_candidates() -> tuple[Forecaster, ...]:
    """Baselines plus Prophet, with intervals left to the engine's calibration.

    Prophet forecasts directly from its parameters (:mod:`workforce.forecast.prophet_direct`),
    the same numbers in a fraction of the time.

    statsforecast's AutoETS, AutoTheta and AutoARIMA are not among them: statsforecast 2.1
    requires pandas < 3, while Prophet 1.5 brings pandas 3.
    """
    return (
        Naive(),
        SeasonalNaive(),
        Drift(),
        DampedETS(),
        Theta(),
        DirectProphet(uncertainty_samples=0, fast_optimizer=True),
    )


class ForecastEngine(Forecaster):
    """Inner-backtest model choice plus conformal intervals, as one forecaster named ``chosen``.

    Each candidate weighs ``1 / inner MASE ** power`` (only the ``top_k`` best if ``top_k`` > 0;
    :func:`workforce.forecast.selection.choose_pooled`). ``inner_horizon`` of 0 uses one year of
    periods; a caller whose candidates carry a slow signal (a demographic regressor) can set a
    longer one. Series too short for one inner fold use ``fallback`` (a candidate name) with its
    own intervals.
    """

    name = "chosen"
    shares_cache = True

    def __init__(
        self,
        *,
        candidates: tuple[Forecaster, ...] | None = None,
        inner_horizon: int = 0,
        inner_folds: int = 6,
        top_k: int = 0,
        power: float = 2.0,
        calibrate: bool = True,
        fallback: str = "naive",
    ) -> None:
        self.candidates = candidates
        self.inner_horizon = inner_horizon
        self.inner_folds = inner_folds
        self.top_k = top_k
        self.power = power
        self.calibrate = calibrate
        self.fallback = fallback

    def fit(
        self,
        history: Series | pl.DataFrame,
        *,
        cache: ForecastCache | None = None,
        decision: tuple[Choice, ConformalCalibration | None] | None = None,
    ) -> Self:
        """Choose, calibrate and refit on ``history``; ``cache`` shares fits between origins.

        ``decision`` (a choice and calibration made elsewhere, e.g. pooled over series) skips
        the inner backtest: only the chosen candidates are fitted.
        """
        self.cache_ = cache if cache is not None else ForecastCache()
        self.decision_ = decision
        return super().fit(history)

    def candidate_map(self) -> dict[str, Forecaster]:
        """The candidates by name; checks that the fallback is among them."""
        candidates = {c.name: c for c in (self.candidates or default_candidates())}
        if self.fallback not in candidates:
            raise ValueError(f"fallback {self.fallback!r} is not among the candidates")
        return candidates

    def inner_evidence(
        self, series: Series, cache: ForecastCache | None = None
    ) -> InnerEvidence | None:
        """Every candidate's forecasts in the inner folds of ``series``; None if too short."""
        cache = cache if cache is not None else ForecastCache()
        candidates = self.candidate_map()
        season = series.frequency.season_length
        horizon = self.inner_horizon or season
        try:
            cutoffs = self._inner_cutoffs(len(series), horizon)
        except SeriesTooShortError:
            return None
        forecasts: dict[str, list[np.ndarray]] = {}
        failures: dict[str, str] = {}
        for name, template in candidates.items():
            try:
                forecasts[name] = [
                    cache.forecast(template, series.head(cut), horizon)[0].mean for cut in cutoffs
                ]
            except Exception as error:  # a candidate that cannot fit this series drops out
                failures[name] = f"{type(error).__name__}: {error}"
        if not forecasts:
            raise RuntimeError(f"{series.unique_id}: no candidate could be fitted")
        return InnerEvidence(
            forecasts=forecasts,
            actuals=[series.y[cut : cut + horizon] for cut in cutoffs],
            scales=[seasonal_naive_scale(series.y[:cut], season) for cut in cutoffs],
            volatilities=[recent_volatility(series.y[:cut], season) for cut in cutoffs],
            failures=failures,
        )

    def decide(self, evidence: InnerEvidence | None, *, reason_if_short: str = "") -> Choice:
        """The choice for one series' evidence alone (the fallback if there is none)."""
        if evidence is None:
            return Choice(
                {self.fallback: 1.0},
                self.fallback,
                f"too short for an inner backtest{reason_if_short}",
            )
        return self.choose([evidence])

    def choose(self, evidences: list[InnerEvidence]) -> Choice:
        """The choice pooled over the inner backtests of series that share a forecast origin."""
        return choose_pooled(evidences, power=self.power, top_k=self.top_k)

    def _fit(self, series: Series) -> None:
        candidates = self.candidate_map()
        self.candidates_ = candidates
        season = series.frequency.season_length
        self.volatility_ = recent_volatility(series.y, season)
        self.inner_errors_: dict[str, float] = {}
        self.failures_: dict[str, str] = {}
        self.calibration_: ConformalCalibration | None = None
        if self.decision_ is not None:
            self.choice_, self.calibration_ = self.decision_
        else:
            evidence = self.inner_evidence(series, self.cache_)
            self.choice_ = self.decide(evidence)
            if evidence is not None:
                self._record(evidence)
        self.weights_ = self.choice_.weights
        self.fitted_ = {
            name: self.cache_.forecast(candidates[name], series, 1)[1] for name in self.weights_
        }

    def _record(self, evidence: InnerEvidence) -> None:
        self.failures_ = dict(evidence.failures)
        errors = evidence.fold_errors()
        self.inner_errors_ = {name: float(e.mean()) for name, e in errors.items()}
        weights = self.choice_.weights
        self.inner_errors_[self.name] = float(evidence.score(evidence.combined(weights)).mean())
        if self.calibrate:
            (scores,) = cross_fitted_scores([evidence], self.choose, weights)
            self.calibration_ = ConformalCalibration.from_scores(
                scores, steps=evidence.calibration_steps()
            )

    def _inner_cutoffs(self, length: int, horizon: int) -> list[int]:
        minimum = max(2 * horizon, 8)
        for folds in range(self.inner_folds, 1, -1):
            try:
                return fold_cutoffs(length, horizon=horizon, folds=folds, min_train=minimum)
            except SeriesTooShortError:
                continue
        return fold_cutoffs(length, horizon=horizon, folds=1, min_train=minimum)

    def _predict(self, horizon: int, future_exogenous: dict[str, np.ndarray]) -> Prediction:
        predictions = {
            name: model.predict(horizon, future_exogenous=future_exogenous)
            for name, model in self.fitted_.items()
        }
        mean = combine({n: p.mean for n, p in predictions.items()}, self.weights_)
        if self.calibration_ is not None:
            return self.calibration_.apply(mean, scale=self.volatility_)
        lower = {
            lv: combine({n: p.lower[lv] for n, p in predictions.items()}, self.weights_)
            for lv in LEVELS
        }
        upper = {
            lv: combine({n: p.upper[lv] for n, p in predictions.items()}, self.weights_)
            for lv in LEVELS
        }
        return Prediction(mean, lower, upper)

    @property
    def gain_over_naive_(self) -> float:
        """Relative inner-backtest MASE reduction of the choice versus naive (0.1 = 10 % lower)."""
        naive = self.inner_errors_.get("naive")
        chosen = self.inner_errors_.get(self.name)
        if not naive or chosen is None:
            return float("nan")
        return 1 - chosen / naive

    def describe_choice(self) -> str:
        """The chosen models and weights, e.g. ``theta 0.55 + naive 0.45``."""
        return " + ".join(f"{name} {weight:.2f}" for name, weight in self.weights_.items())
