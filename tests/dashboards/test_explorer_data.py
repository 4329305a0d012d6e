"""The explorer's numbers: series from the marts and forecasts, headlines of one series."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from workforce.dashboards.explorer_data import (
    backtest_table,
    forecast_frame,
    history_frame,
    series_headlines,
    series_keys,
    shortage_frame,
    supply_frame,
)


def _forecast(values: list[float], *, model: str = "chosen") -> pl.DataFrame:
    months = [dt.date(2026, m, 1) for m in range(1, len(values) + 1)]
    return pl.DataFrame(
        {
            "unique_id": "AM13/s/p",
            "ds": months,
            "model": model,
            "yhat": values,
            "yhat_lo_80": [v - 1 for v in values],
            "yhat_hi_80": [v + 1 for v in values],
            "yhat_lo_95": [v - 2 for v in values],
            "yhat_hi_95": [v + 2 for v in values],
            "region_code": "AM13",
            "sector_code": "s",
            "profession_code": "p",
        }
    )


def test_history_sums_required_fte_for_every_node() -> None:
    demand = pl.DataFrame(
        {
            "month": [dt.date(2025, 1, 1)] * 3,
            "region_code": "AM13",
            "sector_code": ["s", "s", "t"],
            "profession_code": ["p", "p", "q"],
            "required_fte": [1.5, 2.0, 4.0],
        }
    )
    history = history_frame(demand)
    assert dict(zip(history["series"], history["y"], strict=True)) == {
        "AM13/s/p": 3.5,
        "AM13/t/q": 4.0,
        "AM13/s/*": 3.5,
        "AM13/t/*": 4.0,
        "AM13/*/p": 3.5,
        "AM13/*/q": 4.0,
        "AM13/*/*": 7.5,
    }
    assert history_frame(None).is_empty()


def test_forecast_frame_keys_aggregated_nodes_like_the_history() -> None:
    nodes = pl.concat(
        [
            _forecast([10.0, 11.0]),
            _forecast([99.0, 99.0], model="naive"),
            _forecast([50.0, 51.0]).with_columns(
                unique_id=pl.lit("AM13"), sector_code=None, profession_code=None
            ),
        ]
    )
    frame = forecast_frame(nodes)
    assert frame.filter(pl.col("series") == "AM13/s/p")["yhat"].to_list() == [10.0, 11.0]
    assert frame.filter(pl.col("series") == "AM13/*/*")["unique_id"].unique().to_list() == ["AM13"]
    assert forecast_frame(None).is_empty()


def test_forecast_frame_without_keys_splits_the_id() -> None:
    frame = forecast_frame(_forecast([1.0]).drop("region_code", "sector_code", "profession_code"))
    assert frame.select("region_code", "sector_code", "profession_code").row(0) == (
        "AM13",
        "s",
        "p",
    )


def test_nodes_are_offered_from_the_forecasts_else_the_history() -> None:
    forecasts = forecast_frame(_forecast([1.0]))
    history = history_frame(
        pl.DataFrame(
            {
                "month": [dt.date(2025, 1, 1)],
                "region_code": "AM13",
                "sector_code": "x",
                "profession_code": "y",
                "required_fte": [1.0],
            }
        )
    )
    assert series_keys(history, forecasts)["unique_id"].to_list() == ["AM13/s/p"]
    offered = series_keys(history, forecasts.clear())
    assert offered["series"].to_list() == ["AM13/*/*", "AM13/*/y", "AM13/x/*", "AM13/x/y"]


def test_headlines_of_one_series() -> None:
    history = pl.DataFrame({"ds": [dt.date(2025, 11, 1), dt.date(2025, 12, 1)], "y": [90.0, 100.0]})
    metrics = pl.DataFrame(
        {
            "model": ["naive", "chosen"],
            "mase": [0.8, 0.6],
            "coverage_80": [0.5, 0.75],
            "coverage_95": [0.9, 1.0],
        }
    )
    headlines = series_headlines(history, forecast_frame(_forecast([105.0, 110.0])), metrics)
    assert headlines.last_month == dt.date(2025, 12, 1)
    assert headlines.last_actual == 100.0
    assert headlines.end_month == dt.date(2026, 2, 1)
    assert headlines.forecast_end == 110.0
    assert (headlines.end_lo_80, headlines.end_hi_80) == (109.0, 111.0)
    assert headlines.change == pytest.approx(0.10)
    assert headlines.mase_chosen == 0.6
    assert headlines.gain_over_naive == pytest.approx(0.25)
    assert headlines.coverage_80 == 0.75


def test_headlines_without_data_are_missing_not_errors() -> None:
    headlines = series_headlines(pl.DataFrame(), pl.DataFrame(), pl.DataFrame())
    assert headlines.last_actual is None
    assert headlines.change is None
    assert headlines.gain_over_naive is None


def test_backtest_table_sorts_by_mase_and_drops_non_finite() -> None:
    metrics = pl.DataFrame(
        {"model": ["naive", "chosen", "theta"], "mase": [0.8, 0.6, float("nan")]}
    )
    assert backtest_table(metrics)["model"].to_list() == ["chosen", "naive"]
    assert backtest_table(pl.DataFrame()).is_empty()


def _outlook(columns: dict[str, list[float]], *, resolution: str = "month") -> pl.DataFrame:
    months = [dt.date(2026, m, 1) for m in range(1, 3)]
    return pl.DataFrame(
        {
            "node_id": "AM13",
            "region_code": "AM13",
            "sector_code": None,
            "profession_code": None,
            "resolution": resolution,
            "month": months,
            **columns,
        },
        schema_overrides={"sector_code": pl.String, "profession_code": pl.String},
    )


def test_supply_and_shortage_are_keyed_like_the_forecasts() -> None:
    supply = pl.concat(
        [
            _outlook({"fte": [90.0, 91.0], "fte_lo_80": [85.0, 86.0], "fte_hi_80": [95.0, 96.0]}),
            _outlook(
                {"fte": [1.0, 1.0], "fte_lo_80": [1.0, 1.0], "fte_hi_80": [1.0, 1.0]},
                resolution="year",
            ),
        ]
    )
    frame = supply_frame(supply)
    assert frame["series"].unique().to_list() == ["AM13/*/*"]
    assert frame["fte"].to_list() == [90.0, 91.0]
    assert supply_frame(None).is_empty()
    assert supply_frame(pl.DataFrame({"month": [dt.date(2026, 1, 1)]})).is_empty()


def test_shortage_headline_is_at_the_forecasts_last_month() -> None:
    shortage = shortage_frame(
        _outlook(
            {
                "shortage_fte": [5.0, 7.0],
                "shortage_fte_lo_80": [2.0, 3.0],
                "shortage_fte_hi_80": [8.0, 11.0],
            }
        )
    )
    forecast = forecast_frame(_forecast([105.0, 110.0]))
    headlines = series_headlines(pl.DataFrame(), forecast, pl.DataFrame(), shortage)
    assert (headlines.shortage_end, headlines.shortage_end_lo_80) == (7.0, 3.0)
    assert series_headlines(pl.DataFrame(), forecast, pl.DataFrame()).shortage_end is None


def test_the_outlook_runs_yearly_after_its_monthly_part() -> None:
    monthly = _outlook({"shortage_fte": [5.0, 7.0], "shortage_fte_lo_80": [2.0, 3.0]})
    later = _outlook(
        {"shortage_fte": [9.0, 12.0], "shortage_fte_lo_80": [4.0, 6.0]}, resolution="year"
    ).with_columns(month=pl.Series([dt.date(2027, 12, 1), dt.date(2035, 12, 1)]))
    frame = shortage_frame(
        pl.concat([monthly, later]).with_columns(shortage_fte_hi_80=pl.col("shortage_fte") + 1)
    )
    assert frame["shortage_fte"].to_list() == [5.0, 7.0, 9.0, 12.0]
    forecast = forecast_frame(_forecast([105.0])).with_columns(ds=pl.lit(dt.date(2035, 12, 1)))
    headlines = series_headlines(pl.DataFrame(), forecast, pl.DataFrame(), frame)
    assert headlines.shortage_end == 12.0


def test_several_regions_have_their_history_together() -> None:
    demand = pl.DataFrame(
        {
            "month": [dt.date(2025, 1, 1)] * 3,
            "region_code": ["AM13", "AM14", "AM14"],
            "sector_code": ["s", "s", "t"],
            "profession_code": ["p", "p", "q"],
            "required_fte": [1.5, 2.0, 4.0],
        }
    )
    history = dict(zip(*history_frame(demand).select("series", "y"), strict=True))
    assert history["*/s/p"] == 3.5
    assert history["*/*/p"] == 3.5
    assert history["*/t/*"] == 4.0
    assert history["*/*/*"] == 7.5
    assert "*/s/p" not in dict(
        zip(*history_frame(demand.head(1)).select("series", "y"), strict=True)
    )
