"""Prophet's components from a saved run, and the explorer's components switch."""

from __future__ import annotations

import polars as pl
import pytest

from tests.support.demo import DemoData
from workforce.dashboards.app import shown_figure
from workforce.dashboards.components import prophet_components
from workforce.dashboards.data import NO_RUN, latest_run
from workforce.dashboards.explorer import ForecastExplorerApp
from workforce.forecast.registry import load_prophet


def test_components_add_up_to_prophets_forecast(prophet_data: DemoData) -> None:
    run = latest_run(prophet_data.models_dir)
    uid = next(iter(run.manifest["prophet_models"]))  # type: ignore[call-overload]
    components = prophet_components(run, uid, horizon=12)
    model = load_prophet(run.folder, uid).model_  # type: ignore[arg-type]
    history = model.history
    assert components.height == len(history) + 12
    assert components["ds"][0] == history["ds"].iloc[0].date()
    predicted = model.predict(model.make_future_dataframe(periods=12, freq="MS"))
    assert (components["trend"] + components["yearly"]).to_list() == pytest.approx(
        predicted["yhat"].to_list()
    )


def test_no_saved_model_means_no_components(dashboard_data: DemoData) -> None:
    run = latest_run(dashboard_data.models_dir)
    assert prophet_components(run, "AM13/hospitals/dietitian", horizon=12).is_empty()
    assert prophet_components(NO_RUN, "any", horizon=12).is_empty()


def test_explorer_shows_components_only_when_asked(prophet_data: DemoData) -> None:
    app = ForecastExplorerApp.from_data_dir(
        prophet_data.data_dir, models_dir=prophet_data.models_dir
    )
    assert app.components_box.children == ()
    app.show_components.value = True
    figure = app.components_figure
    assert figure is not None
    assert app.components_box.children == (app.components_plot,)
    expected = app.series_components()
    assert list(figure.data[0].y) == pytest.approx(expected["trend"].to_list())
    shown = shown_figure(app.components_plot)
    assert shown is not None
    assert shown["data"][0]["y"] == pytest.approx(expected["trend"].to_list())
    first = list(figure.data[0].y)
    other = next(value for _, value in app.sector.options if value != app.sector.value)
    app.sector.value = other
    assert list(figure.data[0].y) != first
    shown = shown_figure(app.components_plot)
    assert shown is not None
    assert shown["data"][0]["y"] == pytest.approx(list(figure.data[0].y))
    assert isinstance(app.series_components(), pl.DataFrame)
    app.show_components.value = False
    assert app.components_box.children == ()
