"""The direct Prophet forecast gives Prophet's own numbers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from prophet import Prophet

from tests.forecast.conftest import seasonal_series
from workforce.forecast.prophet import ProphetForecaster
from workforce.forecast.prophet_direct import DirectProphet, days_since_epoch, fourier_features


@pytest.mark.parametrize("mode", ["additive", "multiplicative"])
def test_direct_forecast_equals_prophets_own(mode: str) -> None:
    series = seasonal_series(length=40, seed=4)
    settings = {"uncertainty_samples": 0, "seasonality_mode": mode}
    direct = DirectProphet(**settings).fit(series).predict(8)
    own = ProphetForecaster(**settings).fit(series).predict(8)
    np.testing.assert_allclose(direct.mean, own.mean, rtol=1e-10)
    np.testing.assert_allclose(direct.upper[95], own.upper[95], rtol=1e-10)


def test_a_model_with_simulated_intervals_goes_through_prophet() -> None:
    series = seasonal_series(length=40, seed=4)
    direct = DirectProphet(uncertainty_samples=50).fit(series).predict(4)
    own = ProphetForecaster(uncertainty_samples=50).fit(series).predict(4)
    np.testing.assert_allclose(direct.lower[80], own.lower[80], rtol=1e-10)


@pytest.mark.parametrize("unit", ["ns", "us", "s"])
def test_fourier_features_are_prophets_to_the_bit(unit: str) -> None:
    dates = pd.date_range("1990-01-01", "2040-12-01", freq="MS").as_unit(unit)
    for period, order in [(365.25, 6), (365.25, 2), (7, 3)]:
        own = Prophet.fourier_series(pd.Series(dates), period, order)
        assert np.array_equal(fourier_features(days_since_epoch(dates), period, order), own)
