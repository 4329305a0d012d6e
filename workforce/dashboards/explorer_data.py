"""The forecast explorer's numbers without widgets: series, one series' frames, its headlines."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from workforce.dashboards.data import ALL
from workforce.forecast.demand import KEYS, SEPARATOR, with_hierarchy_keys

LEVELS = (
    KEYS,
    ("region_code", "sector_code"),
    ("region_code", "profession_code"),
    ("region_code",),
)
"""The hierarchy the explorer offers: every series, per sector, per profession, the region."""
AREA_LEVELS = (("sector_code", "profession_code"), ("sector_code",), ("profession_code",), ())
"""With several regions, the same over all of them together (the forecast's area nodes)."""

FORECAST_COLUMNS = ("yhat", "yhat_lo_80", "yhat_hi_80", "yhat_lo_95", "yhat_hi_95")
_KEY_SCHEMA = dict.fromkeys(KEYS, pl.String)
HISTORY_SCHEMA = {"series": pl.String, **_KEY_SCHEMA, "ds": pl.Date, "y": pl.Float64}
FORECAST_SCHEMA = {
    "series": pl.String,
    "unique_id": pl.String,
    **_KEY_SCHEMA,
    "ds": pl.Date,
    **dict.fromkeys(FORECAST_COLUMNS, pl.Float64),
}


def series_key(region: str, sector: str, profession: str) -> str:
    """The explorer's key of a node; :data:`ALL` stands for an aggregated level."""
    return SEPARATOR.join((region, sector, profession))


def _with_series_key(frame: pl.DataFrame) -> pl.DataFrame:
    keys = [pl.col(key).cast(pl.String).fill_null(ALL) for key in KEYS]
    return frame.with_columns(keys).with_columns(series=pl.concat_str(KEYS, separator=SEPARATOR))


def history_frame(demand: pl.DataFrame | None) -> pl.DataFrame:
    """Required FTE per month of every node of the hierarchy, from the demand mart.

    Aggregated levels are sums of their series, with :data:`ALL` in the summed-over keys; with
    several regions also over all of them together. Empty when there is no mart.
    """
    if demand is None or demand.is_empty() or "required_fte" not in demand.columns:
        return pl.DataFrame(schema=HISTORY_SCHEMA)
    bottom = demand.group_by("month", *KEYS).agg(pl.col("required_fte").sum().cast(pl.Float64))
    several = bottom["region_code"].n_unique() > 1
    levels = [
        bottom.group_by("month", *level)
        .agg(y=pl.col("required_fte").sum())
        .with_columns(pl.lit(ALL).alias(key) for key in KEYS if key not in level)
        .select("month", *KEYS, "y")
        for level in (*LEVELS, *(AREA_LEVELS if several else ()))
    ]
    return (
        _with_series_key(pl.concat(levels))
        .select("series", *KEYS, ds=pl.col("month").cast(pl.Date), y="y")
        .sort("series", "ds")
    )


def forecast_frame(forecasts: pl.DataFrame | None) -> pl.DataFrame:
    """The chosen forecast per node and month, keyed like :func:`history_frame` (empty if none).

    Takes the forecasts' hierarchy keys (null = aggregated), or splits ``unique_id`` when the
    keys are absent.
    """
    if forecasts is None or forecasts.is_empty():
        return pl.DataFrame(schema=FORECAST_SCHEMA)
    frame = forecasts
    if "model" in frame.columns:
        frame = frame.filter(pl.col("model") == "chosen")
    if not set(KEYS) <= set(frame.columns):
        frame = with_hierarchy_keys(frame)
    return (
        _with_series_key(frame).select(*FORECAST_SCHEMA).cast(FORECAST_SCHEMA).sort("series", "ds")  # type: ignore[arg-type]
    )


SUPPLY_COLUMNS = ("fte", "fte_lo_80", "fte_hi_80")
SHORTAGE_COLUMNS = ("shortage_fte", "shortage_fte_lo_80", "shortage_fte_hi_80")


def _outlook_frame(frame: pl.DataFrame | None, columns: tuple[str, ...]) -> pl.DataFrame:
    schema = {"series": pl.String, "ds": pl.Date, **dict.fromkeys(columns, pl.Float64)}
    needed = {"month", *KEYS, *columns}
    if frame is None or frame.is_empty() or not needed <= set(frame.columns):
        return pl.DataFrame(schema=schema)
    if "resolution" in frame.columns:
        # Monthly while the outlook is monthly, then its yearly points to the horizon.
        monthly = pl.col("resolution") == "month"
        last_monthly = frame.filter(monthly)["month"].max()
        frame = frame.filter(
            monthly if last_monthly is None else monthly | (pl.col("month") > last_monthly)
        )
    return (
        _with_series_key(frame)
        .select("series", pl.col("month").cast(pl.Date).alias("ds"), *columns)
        .cast(schema)  # type: ignore[arg-type]
        .sort("series", "ds")
    )


def supply_frame(supply: pl.DataFrame | None) -> pl.DataFrame:
    """Projected supply in FTE with its 80 % interval per node and month (empty if none)."""
    return _outlook_frame(supply, SUPPLY_COLUMNS)


def shortage_frame(shortage: pl.DataFrame | None) -> pl.DataFrame:
    """Shortage (demand - supply) in FTE with its 80 % interval per node and month."""
    return _outlook_frame(shortage, SHORTAGE_COLUMNS)


def series_keys(history: pl.DataFrame, forecasts: pl.DataFrame) -> pl.DataFrame:
    """``series``, ``unique_id`` and keys of the nodes on offer: the forecast's, else the history's.

    ``unique_id`` is the forecast's own id (the key of the registry's metrics and choices).
    """
    if not forecasts.is_empty():
        return forecasts.select("series", "unique_id", *KEYS).unique().sort("series")
    return (
        history.select("series", unique_id="series", **{k: k for k in KEYS}).unique().sort("series")
    )


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
    shortage_end: float | None = None
    shortage_end_lo_80: float | None = None
    shortage_end_hi_80: float | None = None

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
    history: pl.DataFrame,
    forecast: pl.DataFrame,
    metrics: pl.DataFrame,
    shortage: pl.DataFrame | None = None,
) -> Headlines:
    """Headlines of one series from its history, forecast, backtest metrics and shortage.

    The shortage headline is at the forecast's last month (``None`` without a shortage there).
    """
    history = history.sort("ds") if history.height else history
    forecast = forecast.sort("ds") if forecast.height else forecast
    last_month = history["ds"][-1] if history.height else None
    last_actual = float(history["y"][-1]) if history.height else None
    end = forecast.row(-1, named=True) if forecast.height else None
    forecast_end = float(end["yhat"]) if end else None
    change = forecast_end / last_actual - 1 if forecast_end is not None and last_actual else None
    at_end = (
        shortage.filter(pl.col("ds") == end["ds"])
        if shortage is not None and shortage.height and end
        else None
    )
    gap = at_end.row(0, named=True) if at_end is not None and at_end.height else None
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
        shortage_end=float(gap["shortage_fte"]) if gap else None,
        shortage_end_lo_80=float(gap["shortage_fte_lo_80"]) if gap else None,
        shortage_end_hi_80=float(gap["shortage_fte_hi_80"]) if gap else None,
    )


def backtest_table(metrics: pl.DataFrame) -> pl.DataFrame:
    """One series' backtest rows, best MASE first, with ``chosen`` (the delivered forecast) kept."""
    if metrics.is_empty() or "mase" not in metrics.columns:
        return pl.DataFrame(schema={"model": pl.String, "mase": pl.Float64})
    return metrics.filter(pl.col("mase").is_finite()).sort("mase", "model")
