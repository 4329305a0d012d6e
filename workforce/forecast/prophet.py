"""Prophet as a forecaster: yearly seasonality, optional regressors, log or multiplicative option.

Prophet needs pandas; conversion happens here and nowhere else. Saved models are Prophet JSON.
"""

from __future__ import annotations

import json
import logging
from typing import Any, Literal

import numpy as np
import pandas as pd

from workforce.forecast.base import Forecaster, Prediction
from workforce.forecast.frames import LEVELS, Frequency, Series


def silence_cmdstanpy() -> None:
    """Switch off cmdstanpy's per-fit log lines (``setLevel`` does not stick; ``disabled`` does)."""
    logging.getLogger("cmdstanpy").disabled = True
    logging.getLogger("prophet").setLevel(logging.WARNING)


FAST_OPTIMIZER = {"algorithm": "LBFGS", "tol_rel_grad": 1e9, "tol_rel_obj": 1e6}
"""cmdstan L-BFGS settings 100 times looser than its defaults (1e7 and 1e4)."""


_LEAN_PROPHET: type | None = None
Mode = Literal["additive", "multiplicative"]


def lean_prophet_class() -> type:
    """Prophet with a faster map of feature columns to components, the same model otherwise.

    Prophet builds that map (``regressor_column_matrix``) with a pandas cross-tabulation that
    takes some 40 % of a fit on monthly series; this builds the same table from plain lists.
    """
    global _LEAN_PROPHET
    if _LEAN_PROPHET is not None:
        return _LEAN_PROPHET
    from prophet import Prophet

    class LeanProphet(Prophet):
        def regressor_column_matrix(
            self, seasonal_features: pd.DataFrame, modes: dict[Mode, list[str]]
        ) -> tuple[pd.DataFrame, dict[Mode, list[str]]]:
            pairs = [
                (column, str(name).split("_delim_")[0])
                for column, name in enumerate(seasonal_features.columns)
            ]

            def add_group(name: str, group: Any) -> None:
                members = set(group)
                columns = dict.fromkeys(column for column, part in pairs if part in members)
                pairs.extend((column, name) for column in columns)

            if self.train_holiday_names is not None:
                add_group("holidays", self.train_holiday_names.unique())
            both: tuple[Mode, Mode] = ("additive", "multiplicative")
            for mode in both:
                add_group(f"{mode}_terms", modes[mode])
                add_group(
                    f"extra_regressors_{mode}",
                    [r for r, props in self.extra_regressors.items() if props["mode"] == mode],
                )
                modes[mode].append(f"{mode}_terms")
                modes[mode].append(f"extra_regressors_{mode}")
            modes[self.holidays_mode].append("holidays")
            names = sorted({part for _, part in pairs})
            position = {name: index for index, name in enumerate(names)}
            rows = sorted({column for column, _ in pairs})
            row = {column: index for index, column in enumerate(rows)}
            matrix = np.zeros((len(rows), len(names)), dtype=np.int64)
            for column, part in pairs:
                matrix[row[column], position[part]] += 1
            component_cols = pd.DataFrame(
                matrix,
                index=pd.Index(rows, name="col"),
                columns=pd.Index(names, name="component"),
            )
            for name in ("additive_terms", "multiplicative_terms"):
                if name not in component_cols:
                    component_cols[name] = 0
            component_cols = component_cols.drop("zeros", axis=1, errors="ignore")
            if max(component_cols["additive_terms"] + component_cols["multiplicative_terms"]) > 1:
                raise RuntimeError("A bug occurred in seasonal components.")
            if self.train_component_cols is not None:
                component_cols = component_cols[self.train_component_cols.columns]
                if not component_cols.equals(self.train_component_cols):
                    raise RuntimeError("A bug occurred in constructing regressors.")
            return component_cols, modes

    _LEAN_PROPHET = LeanProphet
    return LeanProphet


def _fourier_order(frequency: Frequency, requested: int | None) -> int:
    """Yearly Fourier terms a frequency can carry: at most half the periods per year."""
    if requested is not None:
        return requested
    return {
        Frequency.day: 10,
        Frequency.week: 10,
        Frequency.month: 6,
        Frequency.quarter: 2,
        Frequency.year: 0,
    }[frequency]


class ProphetForecaster(Forecaster):
    """Prophet with settings that suit monthly and quarterly labour-market series.

    ``transform="log"`` fits log values (for series that grow by a percentage);
    ``seasonality_mode="multiplicative"`` scales the season with the level. Dutch public holidays
    are added only for daily or weekly series, where they can show. ``uncertainty_samples=0``
    replaces Prophet's simulated intervals by a normal interval on the fitted noise, much faster
    (the engine calibrates intervals from backtests anyway).
    """

    name = "prophet"

    def __init__(
        self,
        *,
        yearly_fourier_order: int | None = None,
        seasonality_mode: Literal["additive", "multiplicative"] = "additive",
        transform: Literal["none", "log"] = "none",
        changepoint_prior_scale: float = 0.05,
        n_changepoints: int = 25,
        changepoint_range: float = 0.8,
        regressors: tuple[str, ...] = (),
        country_holidays: str | None = "NL",
        uncertainty_samples: int = 1000,
        fast_optimizer: bool = False,
        seed: int = 0,
    ) -> None:
        self.yearly_fourier_order = yearly_fourier_order
        self.seasonality_mode = seasonality_mode
        self.transform = transform
        self.changepoint_prior_scale = changepoint_prior_scale
        self.n_changepoints = n_changepoints
        self.changepoint_range = changepoint_range
        self.regressors = regressors
        self.country_holidays = country_holidays
        self.uncertainty_samples = uncertainty_samples
        self.fast_optimizer = fast_optimizer
        self.seed = seed

    def _fit(self, series: Series) -> None:
        silence_cmdstanpy()
        if self.transform == "log" and np.any(series.y <= 0):
            raise ValueError(f"{series.unique_id}: a log transform needs positive values")
        model = self._prophet(series)
        frame = self._frame(series.ds, series.y, self._regressor_history(series))
        np.random.seed(self.seed)  # Prophet draws its interval samples from numpy's global state
        if self.fast_optimizer:
            try:
                model.stan_backend.newton_fallback = False  # on failure, refit with defaults
                model.fit(frame, **FAST_OPTIMIZER)
            except (RuntimeError, ValueError):
                model = self._prophet(series)
                model.fit(frame)
        else:
            model.fit(frame)
        self.model_ = model

    def _prophet(self, series: Series) -> Any:
        order = _fourier_order(series.frequency, self.yearly_fourier_order)
        model = lean_prophet_class()(
            yearly_seasonality=False,
            weekly_seasonality=series.frequency is Frequency.day,
            daily_seasonality=False,
            seasonality_mode=self.seasonality_mode,
            changepoint_prior_scale=self.changepoint_prior_scale,
            n_changepoints=min(self.n_changepoints, max(len(series) - 2, 0)),
            changepoint_range=self.changepoint_range,
            interval_width=0.8,
            uncertainty_samples=self.uncertainty_samples,
        )
        periods_per_year = {
            Frequency.day: 365,
            Frequency.week: 52,
            Frequency.month: 12,
            Frequency.quarter: 4,
            Frequency.year: 1,
        }[series.frequency]
        if order > 0 and len(series) >= 2 * periods_per_year:
            model.add_seasonality(name="yearly", period=365.25, fourier_order=order)
        if self.country_holidays and series.frequency.is_sub_monthly:
            model.add_country_holidays(country_name=self.country_holidays)
        for name in self.regressors:
            if name not in series.exogenous and name not in series.known_paths:
                raise ValueError(f"{series.unique_id}: regressor column {name!r} is missing")
            model.add_regressor(name)
        return model

    def _regressor_history(self, series: Series) -> dict[str, np.ndarray]:
        """Regressor values over the training periods: a known path as known at the last
        period (the origin) where given, else the observed column."""
        values = dict(series.exogenous)
        for name in self.regressors:
            path = series.known_path(name)
            if path is not None:
                values[name] = path[: len(series)]
        return values

    def _regressor_future(self, name: str, horizon: int, history: Any) -> np.ndarray:
        """Future regressor values: the known path at the origin, else the last value held."""
        path = self.series_.known_path(name)
        last = float(history[name].iloc[-1])
        if path is None:
            return np.full(horizon, last)
        future = path[len(self.series_) : len(self.series_) + horizon]
        return np.concatenate(
            [future, np.full(horizon - len(future), future[-1] if len(future) else last)]
        )

    def _frame(
        self, ds: np.ndarray, y: np.ndarray | None, exogenous: dict[str, np.ndarray]
    ) -> pd.DataFrame:
        columns: dict[str, Any] = {"ds": pd.to_datetime(ds)}
        if y is not None:
            columns["y"] = np.log(y) if self.transform == "log" else y
        for name in self.regressors:
            columns[name] = exogenous[name]
        return pd.DataFrame(columns)

    def _predict(self, horizon: int, future_exogenous: dict[str, np.ndarray]) -> Prediction:
        from workforce.forecast.frames import future_dates

        model: Any = self.model_
        history: Any = model.history
        last = history["ds"].to_numpy()[-1]
        frequency = self.series_.frequency
        ds = future_dates(last, horizon, frequency)
        exogenous = {
            name: np.asarray(
                future_exogenous[name]
                if name in future_exogenous
                else self._regressor_future(name, horizon, history),
                dtype=float,
            )[:horizon]
            for name in self.regressors
        }
        future = self._frame(ds, None, exogenous)
        np.random.seed(self.seed)
        if self.uncertainty_samples > 0:
            samples = model.predictive_samples(future)["yhat"]
            mean = model.predict(future)["yhat"].to_numpy()
            lower = {lv: np.quantile(samples, 0.5 - lv / 200, axis=1) for lv in LEVELS}
            upper = {lv: np.quantile(samples, 0.5 + lv / 200, axis=1) for lv in LEVELS}
            prediction = Prediction(mean, lower, upper)
        else:
            mean = model.predict(future)["yhat"].to_numpy()
            sigma = float(np.mean(model.params["sigma_obs"])) * float(model.y_scale)
            prediction = Prediction.from_normal(mean, np.full(horizon, sigma))
        return prediction.exponentiated() if self.transform == "log" else prediction

    def future_frame(self, horizon: int) -> pd.DataFrame:
        """History and ``horizon`` future periods with every regressor filled (history values,
        then the future ones :meth:`predict` would use): what Prophet's ``predict`` needs to
        show components over history and forecast."""
        model: Any = self.model_
        future = model.make_future_dataframe(
            periods=horizon, freq=self.series_.frequency.pandas_alias
        )
        for name in self.regressors:
            past = np.asarray(model.history[name], dtype=float)
            ahead = self._regressor_future(name, horizon, model.history)
            future[name] = np.concatenate([past, ahead])[: len(future)]
        return future

    def to_json(self) -> str:
        """The fitted model as JSON: Prophet's own serialisation plus this wrapper's settings."""
        from prophet.serialize import model_to_json

        return json.dumps(
            {
                "params": self.get_params(),
                "frequency": self.series_.frequency.value,
                "unique_id": self.series_.unique_id,
                "prophet": model_to_json(self.model_),
            }
        )

    @classmethod
    def from_json(cls, text: str) -> ProphetForecaster:
        """A fitted forecaster from :meth:`to_json` output; it forecasts as the original did."""
        from prophet.serialize import model_from_json

        silence_cmdstanpy()
        payload = json.loads(text)
        params = payload["params"]
        params["regressors"] = tuple(params["regressors"])
        forecaster = cls(**params)
        forecaster.model_ = model_from_json(payload["prophet"])
        history: Any = forecaster.model_.history
        y = history["y"].to_numpy(dtype=float)
        forecaster.series_ = Series(
            payload["unique_id"],
            history["ds"].to_numpy().astype("datetime64[D]"),
            y,
            Frequency(payload["frequency"]),
            {name: history[name].to_numpy(dtype=float) for name in forecaster.regressors},
        )
        return forecaster
