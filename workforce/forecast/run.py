"""A forecast run over many series: parallel per-series work, gathered into tidy tables."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from workforce.forecast.backtest import average_over_series, summarise
from workforce.forecast.executor import ExecutorKind, ProgressCallback, run_parallel
from workforce.forecast.frames import Frequency, Series, split_series
from workforce.forecast.pipeline import (
    EngineSettings,
    SeriesResult,
    decide,
    finish_series,
    gather_evidence,
)


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
