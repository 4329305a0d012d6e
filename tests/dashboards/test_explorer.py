"""The ForecastExplorerApp App without a browser: widgets drive figures, tiles and details."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from tests.support.demo import DemoData
from workforce.dashboards.data import read_forecast
from workforce.dashboards.explorer import TRACES, ForecastExplorerApp
from workforce.dashboards.explorer_data import (
    ALL,
    forecast_frame,
    history_frame,
    series_key,
    shortage_frame,
    supply_frame,
)
from workforce.dashboards.format import Language, format_number, format_percent, format_run
from workforce.dashboards.model_choice import describe_mix, explain_reason


@pytest.fixture
def app(dashboard_data: DemoData) -> ForecastExplorerApp:
    return ForecastExplorerApp.from_data_dir(
        dashboard_data.data_dir, models_dir=dashboard_data.models_dir
    )


def _trace(app: ForecastExplorerApp, key: str) -> tuple[list, list]:
    trace = app.figure.data[TRACES.index(key)]
    return list(trace.x), list(trace.y)


def test_offers_exactly_the_forecast_nodes(
    app: ForecastExplorerApp, dashboard_data: DemoData
) -> None:
    forecasts = forecast_frame(read_forecast(dashboard_data.data_dir, "demand"))
    offered = set()
    for sector in [value for _, value in app.sector.options]:
        app.sector.value = sector
        for _, profession in app.profession.options:
            app.profession.value = profession
            offered.add(app.unique_id)
    assert offered == set(forecasts["unique_id"])
    assert app.sector.options[0] == ("Alle branches", ALL)


def _demand_of(data_dir: Path, keys: dict[str, str]) -> pl.DataFrame:
    demand = pl.read_parquet(data_dir / "marts" / "demand.parquet")
    for column, value in keys.items():
        if value != ALL:
            demand = demand.filter(pl.col(column) == value)
    return demand.group_by("month").agg(pl.col("required_fte").sum()).sort("month")


@pytest.mark.parametrize("level", ["region", "sector", "series"])
def test_figure_shows_the_nodes_history_and_forecast(
    app: ForecastExplorerApp, dashboard_data: DemoData, level: str
) -> None:
    if level != "region":
        app.sector.value = app.sector.options[1][1]
    if level == "series":
        app.profession.value = app.profession.options[1][1]
    keys = {
        "region_code": app.region.value,
        "sector_code": app.sector.value,
        "profession_code": app.profession.value,
    }
    assert (app.sector.value == ALL) == (level == "region")
    assert (app.profession.value == ALL) == (level != "series")
    expected = _demand_of(dashboard_data.data_dir, keys)
    x, y = _trace(app, "history")
    assert x == expected["month"].to_list()
    assert y == pytest.approx(expected["required_fte"].to_list())
    forecast = pl.read_parquet(dashboard_data.data_dir / "forecasts" / "demand.parquet").filter(
        pl.col("unique_id") == app.unique_id
    )
    assert forecast.height > 0
    assert _trace(app, "forecast")[1] == pytest.approx(forecast.sort("ds")["yhat"].to_list())
    low, high = _trace(app, "lo_95")[1], _trace(app, "hi_95")[1]
    assert all(lo <= hi for lo, hi in zip(low, high, strict=True))


def test_changing_the_profession_redraws_the_chart_and_headlines(app: ForecastExplorerApp) -> None:
    before_uid, before_y = app.unique_id, _trace(app, "forecast")[1]
    before_headlines = app.headlines
    app.profession.value = app.profession.options[1][1]
    assert app.unique_id != before_uid
    assert _trace(app, "forecast")[1] != before_y
    assert app.headlines != before_headlines
    assert app.headlines is not None
    assert format_number(app.headlines.last_actual) in app.tiles["last_actual"].value


def test_changing_the_sector_refills_the_professions(app: ForecastExplorerApp) -> None:
    first = app.profession.options
    other = next(value for _, value in app.sector.options if value != app.sector.value)
    app.sector.value = other
    assert app.profession.options != first
    assert app.series == series_key("AM13", other, app.profession.value)


def test_tiles_show_dutch_formatted_headlines(app: ForecastExplorerApp) -> None:
    headlines = app.headlines
    assert headlines is not None
    assert headlines.last_actual is not None
    assert headlines.last_actual > 1000  # so the thousands separator shows
    assert format_number(headlines.last_actual) in app.tiles["last_actual"].value
    assert "." in format_number(headlines.last_actual)
    assert format_percent(headlines.change, signed=True) in app.tiles["change"].value
    assert format_number(headlines.mase_chosen, digits=2) in app.tiles["mase_chosen"].value
    assert "laatst gerealiseerd" in app.tiles["last_actual"].value
    assert f"{format_number(headlines.last_actual)} fte" in app.tiles["last_actual"].value


def test_backtest_figure_and_model_details_come_from_the_run(app: ForecastExplorerApp) -> None:
    metrics = app.run.metrics.filter(pl.col("unique_id") == app.unique_id)
    bars = app.backtest_figure.data[0]
    assert sorted(bars.x) == pytest.approx(sorted(metrics["mase"].to_list()))
    assert "gekozen (geleverd)" in bars.y
    choice = app.run.choices.filter(pl.col("unique_id") == app.unique_id).row(0, named=True)
    assert describe_mix(choice["weights"]) in app.model_details.value
    assert explain_reason(choice["reason"]) in app.model_details.value
    assert choice["reason"] not in app.model_details.value  # English, on the Dutch page
    # The run by when it was computed, not by its id.
    assert format_run(app.run.run_id) in app.model_details.value
    assert app.run.run_id not in app.model_details.value


def test_english_switch_relabels_everything(app: ForecastExplorerApp) -> None:
    app.language.value = Language.en.value
    assert app.sector.description == "Sector"
    assert "latest actual" in app.tiles["last_actual"].value
    assert " FTE" in app.tiles["last_actual"].value
    assert app.figure.data[TRACES.index("forecast")].name == "Forecast"
    assert app.figure.layout.separators == ".,"
    assert any("Hospitals" in name for name, _ in app.sector.options)


def test_without_data_shows_geen_gegevens(tmp_path: Path) -> None:
    app = ForecastExplorerApp.from_data_dir(tmp_path, models_dir=tmp_path / "models")
    assert app.unique_id is None
    assert "geen gegevens" in app.notice.value
    assert "geen gegevens" in app.model_details.value
    assert all(len(trace.y or ()) == 0 for trace in app.figure.data)
    assert "–" in app.tiles["last_actual"].value  # noqa: RUF001


def test_history_without_forecast_still_shows_the_history(
    dashboard_data: DemoData, tmp_path: Path
) -> None:
    (tmp_path / "marts").mkdir()
    (tmp_path / "marts" / "demand.parquet").write_bytes(
        (dashboard_data.data_dir / "marts" / "demand.parquet").read_bytes()
    )
    app = ForecastExplorerApp.from_data_dir(tmp_path, models_dir=tmp_path / "models")
    assert app.unique_id is not None
    assert len(_trace(app, "history")[1]) > 100
    assert _trace(app, "forecast")[1] == []
    assert "geen gegevens" in app.notice.value


def test_notebook_finds_its_data_through_the_environment(
    dashboard_data: DemoData, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WORKFORCE_DATA", str(dashboard_data.data_dir))
    monkeypatch.setenv("WORKFORCE_MODELS", str(dashboard_data.models_dir))
    app = ForecastExplorerApp.from_data_dir()
    assert app.unique_id is not None
    assert app.run.folder == dashboard_data.run_dir


def test_supply_is_drawn_and_shortage_headlined_when_forecast() -> None:
    months = [dt.date(2025, m, 1) for m in (11, 12)]
    future = [dt.date(2026, m, 1) for m in (1, 2)]
    demand = pl.DataFrame(
        {
            "month": months,
            "region_code": "AM13",
            "sector_code": "hospitals",
            "profession_code": "dietitian",
            "required_fte": [1200.0, 1210.0],
        }
    )
    keys = {"region_code": "AM13", "sector_code": "hospitals", "profession_code": "dietitian"}
    forecasts = pl.DataFrame(
        {
            "unique_id": "AM13/hospitals/dietitian",
            "ds": future,
            "model": "chosen",
            "yhat": [1220.0, 1230.0],
            "yhat_lo_80": [1210.0, 1215.0],
            "yhat_hi_80": [1230.0, 1245.0],
            "yhat_lo_95": [1200.0, 1205.0],
            "yhat_hi_95": [1240.0, 1255.0],
            **keys,
        }
    )
    outlook = {"month": future, "resolution": "month", **keys}
    supply = pl.DataFrame(
        {
            **outlook,
            "fte": [1100.0, 1090.0],
            "fte_lo_80": [1080.0, 1060.0],
            "fte_hi_80": [1120.0, 1110.0],
        }
    )
    shortage = pl.DataFrame(
        {
            **outlook,
            "shortage_fte": [120.0, 1140.5],
            "shortage_fte_lo_80": [90.0, 1100.0],
            "shortage_fte_hi_80": [150.0, 1180.0],
        }
    )
    app = ForecastExplorerApp(
        history=history_frame(demand),
        forecasts=forecast_frame(forecasts),
        supply=supply_frame(supply),
        shortage=shortage_frame(shortage),
    )
    assert app.unique_id == "AM13/hospitals/dietitian"
    assert _trace(app, "supply") == (future, [1100.0, 1090.0])
    assert _trace(app, "supply_hi_80")[1] == [1120.0, 1110.0]
    tile = app.tiles["shortage_end"].value
    assert "1.141 fte" in tile
    assert "80%: 1.100 tot 1.180 fte" in tile


def test_the_backtest_chart_follows_the_series_and_the_language(app: ForecastExplorerApp) -> None:
    from workforce.dashboards.app import shown_figure

    def shown_backtest() -> tuple[str, list[float]]:
        data = shown_figure(app.backtest_plot)
        assert data is not None
        return data["layout"]["title"]["text"], list(data["data"][0]["x"])

    title, _values = shown_backtest()
    app.profession.value = app.profession.options[1][1]
    metrics = app.run.metrics.filter(pl.col("unique_id") == app.unique_id)
    new_title, new_values = shown_backtest()
    assert new_title != title
    assert app.profession.label in new_title
    assert sorted(new_values) == pytest.approx(sorted(metrics["mase"].to_list()))
    app.language.value = Language.en.value
    english, _ = shown_backtest()
    assert english.startswith("Forecast error per model in the trial periods (MASE, lower is")
    shown = shown_figure(app.backtest_plot)
    assert shown is not None
    assert "chosen (delivered)" in shown["data"][0]["y"]
