"""The forecast explorer's numbers without widgets: series, one series' frames, its headlines."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from workforce.forecast.demand import KEYS, demand_series

HISTORY_SCHEMA = {
    "unique_id": pl.String,
    "ds": pl.Date,
    "y": pl.Float64,
    **dict.fromkeys(KEYS, pl.String),
}
FORECAST_COLUMNS = ("yhat", "yhat_lo_80", "yhat_hi_80", "yhat_lo_95", "yhat_hi_95")


def history_frame(demand: pl.DataFrame | None) -> pl.DataFrame:
    """Required FTE per series and month from the demand mart (empty when there is no mart)."""
    if demand is None or demand.is_empty():
        return pl.DataFrame(schema=HISTORY_SCHEMA)
    return demand_series(demand).select(*HISTORY_SCHEMA)


def forecast_frame(forecasts: pl.DataFrame | None) -> pl.DataFrame:
    """The chosen forecast per series and month (empty when none was written)."""
    schema = {
        "unique_id": pl.String,
        "ds": pl.Date,
        **dict.fromkeys(FORECAST_COLUMNS, pl.Float64),
        **dict.fromkeys(KEYS, pl.String),
    }
    if forecasts is None or forecasts.is_empty():
        return pl.DataFrame(schema=schema)
    frame = forecasts
    if "model" in frame.columns:
        frame = frame.filter(pl.col("model") == "chosen")
    return frame.select(*schema).cast(schema).sort("unique_id", "ds")  # type: ignore[arg-type]


def series_keys(history: pl.DataFrame, forecasts: pl.DataFrame) -> pl.DataFrame:
    """``unique_id`` + hierarchy keys of the series on offer: the forecast's, else the history's."""
    source = forecasts if not forecasts.is_empty() else history
    return source.select("unique_id", *KEYS).unique().sort(*KEYS)


@dataclass(frozen=True)
class Headlines:
    """Headline numbers of one series; ``None`` where the data to compute them is missing."""

    last_month: dt.date | None
    last_actual: float | None
    end_month: dt.date | None
    forecast_end: float | None
    end_lo_80: float | None
    end_hi_80: float | None
    change: float | None
    """Relative change from the last actual to the forecast at the horizon."""
    mase_chosen: float | None
    mase_naive: float | None
    coverage_80: float | None
    coverage_95: float | None

    @property
    def gain_over_naive(self) -> float | None:
        """1 - MASE(chosen) / MASE(naive) in the backtest: how much better than no model."""
        if self.mase_chosen is None or not self.mase_naive:
            return None
        return 1 - self.mase_chosen / self.mase_naive


def _metric(metrics: pl.DataFrame, model: str, column: str) -> float | None:
    if column not in metrics.columns:
        return None
    rows = metrics.filter(pl.col("model") == model)[column].drop_nulls()
    return float(rows[0]) if rows.len() else None


def series_headlines(
    history: pl.DataFrame, forecast: pl.DataFrame, metrics: pl.DataFrame
) -> Headlines:
    """Headlines of one series from its history, its forecast and its backtest metrics."""
    history = history.sort("ds") if history.height else history
    forecast = forecast.sort("ds") if forecast.height else forecast
    last_month = history["ds"][-1] if history.height else None
    last_actual = float(history["y"][-1]) if history.height else None
    end = forecast.row(-1, named=True) if forecast.height else None
    forecast_end = float(end["yhat"]) if end else None
    change = forecast_end / last_actual - 1 if forecast_end is not None and last_actual else None
    return Headlines(
        last_month=last_month,
        last_actual=last_actual,
        end_month=end["ds"] if end else None,
        forecast_end=forecast_end,
        end_lo_80=float(end["yhat_lo_80"]) if end else None,
        end_hi_80=float(end["yhat_hi_80"]) if end else None,
        change=change,
        mase_chosen=_metric(metrics, "chosen", "mase"),
        mase_naive=_metric(metrics, "naive", "mase"),
        coverage_80=_metric(metrics, "chosen", "coverage_80"),
        coverage_95=_metric(metrics, "chosen", "coverage_95"),
    )


def backtest_table(metrics: pl.DataFrame) -> pl.DataFrame:
    """One series' backtest rows, best MASE first, with ``chosen`` (the delivered forecast) kept."""
    if metrics.is_empty() or "mase" not in metrics.columns:
        return pl.DataFrame(schema={"model": pl.String, "mase": pl.Float64})
    return metrics.filter(pl.col("mase").is_finite()).sort("mase", "model")
