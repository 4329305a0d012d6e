"""Each estimator recovers a known trend and season, with nested 80/95 % intervals."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone

from tests.forecast.conftest import random_walk, seasonal_series
from workforce.forecast.baselines import DampedETS, Drift, Naive, SeasonalNaive, Theta
from workforce.forecast.frames import Series
from workforce.forecast.prophet import ProphetForecaster


def truth(series: Series, horizon: int, slope: float = 1.0, level: float = 100.0) -> np.ndarray:
    t = np.arange(len(series), len(series) + horizon)
    pattern = 5.0 * np.array([1.0, -0.5, -1.0, 0.5])
    return level + slope * t + pattern[t % 4]


@pytest.mark.parametrize(
    ("model", "tolerance"),
    [(DampedETS(), 1.5), (Theta(), 3.0), (ProphetForecaster(uncertainty_samples=0), 1.5)],
    ids=["damped_ets", "theta", "prophet"],
)
def test_trend_and_season_are_recovered(
    model: object, tolerance: float, trend_season: Series
) -> None:
    """Noise sd is 0.5 and the season swings by 10; seasonal naive would miss by 6 on average.

    Theta is known to extrapolate a damped share of the trend, hence its wider tolerance.
    """
    fitted = clone(model).fit(trend_season)
    forecast = fitted.predict(8)
    error = np.abs(forecast.mean - truth(trend_season, 8))
    assert error.mean() < tolerance
    assert np.all(forecast.lower[95] <= forecast.lower[80])
    assert np.all(forecast.upper[80] <= forecast.upper[95])


def test_seasonal_naive_repeats_last_year(trend_season: Series) -> None:
    forecast = SeasonalNaive().fit(trend_season).predict(8).mean
    np.testing.assert_allclose(forecast, np.tile(trend_season.y[-4:], 2))


def test_drift_extends_the_line_through_first_and_last() -> None:
    series = seasonal_series(amplitude=0.0, noise=0.0)
    forecast = Drift().fit(series).predict(4).mean
    np.testing.assert_allclose(
        forecast, truth(series, 4) - 5.0 * np.array([1, -0.5, -1, 0.5])[np.arange(48, 52) % 4]
    )


def test_naive_interval_widens_like_a_random_walk() -> None:
    series = random_walk(length=400, sigma=2.0)
    forecast = Naive().fit(series).predict(4)
    half_width_95 = forecast.upper[95] - forecast.mean
    np.testing.assert_allclose(half_width_95, 1.96 * 2.0 * np.sqrt([1, 2, 3, 4]), rtol=0.1)


def test_estimators_follow_the_scikit_learn_contract() -> None:
    model = ProphetForecaster(transform="log", changepoint_prior_scale=0.1)
    copy = clone(model)
    assert copy.get_params() == model.get_params()
    assert copy.set_params(n_changepoints=5).n_changepoints == 5
    with pytest.raises(TypeError):
        ProphetForecaster(0.1)  # type: ignore[misc]


def test_log_prophet_keeps_forecasts_positive() -> None:
    series = seasonal_series(level=10.0, slope=-0.15, amplitude=1.0, noise=0.2)
    forecast = ProphetForecaster(transform="log", uncertainty_samples=0).fit(series).predict(12)
    assert np.all(forecast.lower[95] > 0)


def test_prophet_uses_a_regressor() -> None:
    """Demand that follows a known driver (e.g. population 75+) is forecast from its future."""
    base = seasonal_series(length=48, slope=0.0, amplitude=0.0, noise=0.1)
    driver = np.r_[np.zeros(24), np.ones(24)] * 10.0
    series = Series(
        base.unique_id,
        base.ds,
        base.y + 2.0 * driver,
        base.frequency,
        {"population_75_plus": driver},
    )
    model = ProphetForecaster(regressors=("population_75_plus",), uncertainty_samples=0)
    fitted = model.fit(series)
    future = {"population_75_plus": np.array([0.0, 0.0, 10.0, 10.0])}
    forecast = fitted.predict(4, future_exogenous=future).mean
    assert forecast[2] - forecast[0] == pytest.approx(20.0, abs=2.0)


@pytest.mark.parametrize("mode", ["additive", "multiplicative"])
def test_lean_prophet_is_prophet_with_the_same_components_and_forecast(mode: str) -> None:
    import pandas as pd
    from prophet import Prophet

    from workforce.forecast.prophet import lean_prophet_class, silence_cmdstanpy

    silence_cmdstanpy()
    series = seasonal_series(length=48, seed=2)
    frame = pd.DataFrame(
        {"ds": pd.to_datetime(series.ds), "y": series.y, "driver": np.linspace(1, 2, 48)}
    )
    fitted = []
    for kind in (Prophet, lean_prophet_class()):
        model = kind(weekly_seasonality=False, daily_seasonality=False, seasonality_mode=mode)
        model.add_regressor("driver")
        model.add_country_holidays(country_name="NL")
        model.uncertainty_samples = 0
        fitted.append(model.fit(frame))
    plain, lean = fitted
    assert lean.train_component_cols.equals(plain.train_component_cols)
    assert list(lean.train_component_cols.columns) == list(plain.train_component_cols.columns)
    np.testing.assert_array_equal(
        lean.predict(frame)["yhat"].to_numpy(), plain.predict(frame)["yhat"].to_numpy()
    )
