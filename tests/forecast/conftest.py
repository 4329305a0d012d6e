"""Small seeded series shared by the forecast tests."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from workforce.forecast.baselines import Drift, Naive, Theta
from workforce.forecast.engine import ForecastEngine
from workforce.forecast.engine_run import EngineSettings, RunOutput, run_engine
from workforce.forecast.frames import Frequency, Series
from workforce.forecast.prophet import ProphetForecaster


def quarterly_dates(length: int, start_year: int = 2010) -> np.ndarray:
    months = np.arange(length) * 3 + (start_year - 1970) * 12
    return months.astype("datetime64[M]").astype("datetime64[D]")


def seasonal_series(
    *,
    length: int = 48,
    level: float = 100.0,
    slope: float = 1.0,
    amplitude: float = 5.0,
    noise: float = 0.5,
    seed: int = 0,
    unique_id: str = "s",
) -> Series:
    """Quarterly series with a known linear trend, a known quarterly pattern and normal noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(length)
    pattern = amplitude * np.array([1.0, -0.5, -1.0, 0.5])
    y = level + slope * t + pattern[t % 4] + rng.normal(0, noise, length)
    return Series(unique_id, quarterly_dates(length), y, Frequency.quarter)


def random_walk(
    *, length: int = 48, sigma: float = 1.0, seed: int = 0, unique_id: str = "rw"
) -> Series:
    rng = np.random.default_rng(seed)
    y = 50 + np.cumsum(rng.normal(0, sigma, length))
    return Series(unique_id, quarterly_dates(length), y, Frequency.quarter)


def long_frame(*series: Series) -> pl.DataFrame:
    return pl.concat([s.to_frame() for s in series])


@pytest.fixture(scope="module")
def trend_season() -> Series:
    return seasonal_series()


SMALL_RUN_SETTINGS = EngineSettings(
    horizon=4,
    backtest_horizon=4,
    folds=2,
    candidates=(Naive(), Drift(), Theta(), ProphetForecaster(uncertainty_samples=0)),
    engine=ForecastEngine(inner_folds=3),
)
"""Two quarterly series, a fast candidate set with Prophet: enough to exercise a whole run."""


@pytest.fixture(scope="session")
def small_frame() -> pl.DataFrame:
    return long_frame(
        seasonal_series(length=40, unique_id="a"), random_walk(length=40, unique_id="b")
    )


@pytest.fixture(scope="session")
def small_run(small_frame: pl.DataFrame) -> RunOutput:
    return run_engine(small_frame, Frequency.quarter, SMALL_RUN_SETTINGS, workers=2)
