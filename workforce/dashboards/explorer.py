"""The forecast explorer: pick a demand series, see its history, forecast, intervals and backtest.

(Over 500 lines because the page's widgets, their wiring and its texts live in one App class;
its numbers are in ``explorer_data``.)

For analysts. Reads precomputed files only: ``marts/demand.parquet``, ``forecasts/demand.parquet``
(every node of region / sector / profession), ``forecasts/supply.parquet`` and
``forecasts/shortage.parquet`` when present, and the latest registry run under ``models/``. It
never fits a model; a missing file shows as "geen gegevens".

The notebook ``dashboards/forecast_explorer.ipynb`` shows the tiles first (see
:mod:`workforce.dashboards.preview`)::

    from workforce.dashboards.explorer import ForecastExplorerApp
    app = ForecastExplorerApp.from_data_dir(charts=False); app.show_preview()
    # next cell
    app.draw_charts(); app.container
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import plotly.graph_objects as go
import polars as pl

from workforce.dashboards.app import App, figure_output, set_options
from workforce.dashboards.components import COMPONENTS, prophet_components
from workforce.dashboards.data import (
    NO_RUN,
    Names,
    RegistryRun,
    data_dir_from_env,
    latest_run,
    load_names,
    models_dir_from_env,
    read_forecast,
    read_mart,
)
from workforce.dashboards.explorer_data import (
    ALL,
    Headlines,
    backtest_table,
    forecast_frame,
    history_frame,
    series_headlines,
    series_key,
    series_keys,
    shortage_frame,
    supply_frame,
)
from workforce.dashboards.explorer_figures import (
    TRACES,
    backtest_template,
    components_template,
    forecast_template,
)
from workforce.dashboards.format import (
    Language,
    format_interval,
    format_interval_words,
    format_month,
    format_number,
    format_percent,
    format_run,
    label,
    model_label,
    signed_amount,
)
from workforce.dashboards.model_choice import describe_mix, explain_reason
from workforce.dashboards.page_text import help_html
from workforce.dashboards.preview import show_preview
from workforce.dashboards.provenance import (
    UNKNOWN,
    Provenance,
    demo_banner_html,
    forecast_source,
    read_provenance,
    source_html,
    staff_source,
)
from workforce.dashboards.widgets import (
    COLOURS,
    dropdown,
    empty_state_html,
    headline_tile,
    set_separators,
    set_tile,
)
from workforce.forecast.demand import KEYS

NO_DATA_HINT = {
    Language.nl: "Bouw eerst de marts en de prognose: `workforce build` en `workforce forecast`.",
    Language.en: "Build the marts and the forecast first: `workforce build`, `workforce forecast`.",
}
TILES = ("last_actual", "forecast_end", "change", "shortage_end", "mase_chosen", "gain_over_naive")


class ForecastExplorerApp(App):
    """Dropdowns for region, sector and profession ("Alle ..." for totals); a forecast chart with
    supply, headline tiles, the model choice and its backtest.

    State lives in the widgets: set ``app.sector.value`` or ``app.profession.value`` and the
    figures, tiles and model details follow. :attr:`figure` and :attr:`backtest_figure` are
    shown whole in ``forecast_plot`` and ``backtest_plot`` after every change; :attr:`headlines`
    holds the numbers behind the tiles.
    """

    def __init__(
        self,
        *,
        history: pl.DataFrame,
        forecasts: pl.DataFrame,
        supply: pl.DataFrame | None = None,
        shortage: pl.DataFrame | None = None,
        run: RegistryRun = NO_RUN,
        names: Names | None = None,
        language: Language = Language.nl,
        provenance: Provenance = UNKNOWN,
        charts: bool = True,
    ) -> None:
        super().__init__()
        self.charts_drawn = charts
        self.names = names or Names()
        self.run = run
        self.provenance = provenance
        self.keys = series_keys(history, forecasts)
        self._ids = dict(zip(self.keys["series"], self.keys["unique_id"], strict=True))
        self._history = _partition(history, "series")
        self._forecasts = _partition(forecasts, "series")
        self._supply = _partition(supply_frame(None) if supply is None else supply, "series")
        self._shortage = _partition(
            shortage_frame(None) if shortage is None else shortage, "series"
        )
        self._metrics = _partition(run.metrics, "unique_id")
        self._choices = {row["unique_id"]: row for row in run.choices.iter_rows(named=True)}
        self.headlines: Headlines | None = None

        self.region = dropdown(label("region", language), [])
        self.sector = dropdown(label("sector", language), [])
        self.profession = dropdown(label("profession", language), [])
        self.profession.add_class("wf-filter")  # the filter benchmarks/dashboards.py changes
        self.language = widgets.ToggleButtons(
            options=[("NL", Language.nl.value), ("EN", Language.en.value)],
            value=language.value,
            style={"button_width": "48px"},
        )
        self.title = widgets.HTML()
        self.banner = widgets.HTML()
        self.source = widgets.HTML()
        self.help = widgets.HTML()
        self.tiles = {name: headline_tile("", "") for name in TILES}
        self.model_details = widgets.HTML()
        self.notice = widgets.HTML()
        self.show_components = widgets.Checkbox(
            value=False, description=label("show_components", language), indent=False
        )
        self.components_box = widgets.VBox()
        self.components_figure: go.Figure | None = None
        self.components_plot = figure_output()
        self._components: dict[str, pl.DataFrame] = {}
        self.figure: go.Figure = forecast_template()
        self.backtest_figure: go.Figure = backtest_template()
        self.forecast_plot = figure_output()
        self.backtest_plot = figure_output(widgets.Layout(flex="1 1 480px"))

        self._fill_options()
        self._draw()
        self.on_change(self.region, self._on_filter)
        self.on_change(self.sector, self._on_filter)
        self.on_change(self.profession, self.refresh)
        self.on_change(self.language, self._on_language)
        self.show_components.observe(self._on_components, names="value")
        self.container = self._layout()

    @classmethod
    def from_data_dir(
        cls,
        data_dir: Path | None = None,
        *,
        models_dir: Path | None = None,
        language: Language = Language.nl,
        charts: bool = True,
    ) -> ForecastExplorerApp:
        """The explorer on ``data_dir`` (default ``$WORKFORCE_DATA``) and the latest run;
        ``charts=False`` shows the tiles only, until :meth:`draw_charts`."""
        data_dir = data_dir or data_dir_from_env()
        return cls(
            history=history_frame(read_mart(data_dir, "demand")),
            forecasts=forecast_frame(read_forecast(data_dir, "demand")),
            supply=supply_frame(read_forecast(data_dir, "supply")),
            shortage=shortage_frame(read_forecast(data_dir, "shortage")),
            run=latest_run(models_dir or models_dir_from_env()),
            names=load_names(),
            language=language,
            provenance=read_provenance(data_dir),
            charts=charts,
        )

    # State -----------------------------------------------------------------

    @property
    def series(self) -> str | None:
        """The node shown (region/sector/profession, ``*`` for all), or ``None`` if none."""
        if self.profession.value is None:
            return None
        return series_key(self.region.value, self.sector.value, self.profession.value)

    @property
    def unique_id(self) -> str | None:
        """The forecast's id of the node shown: the key of its metrics and saved models."""
        return self._ids.get(self.series or "")

    @property
    def current_language(self) -> Language:
        return Language(self.language.value)

    def series_history(self) -> pl.DataFrame:
        """History (``ds``, ``y``) of the series shown."""
        return self._history.get(self.series or "", _EMPTY)

    def series_forecast(self) -> pl.DataFrame:
        """Forecast with intervals of the series shown."""
        return self._forecasts.get(self.series or "", _EMPTY)

    def series_supply(self) -> pl.DataFrame:
        """Projected supply (FTE, 80 % interval) of the node shown; empty when not forecast."""
        return self._supply.get(self.series or "", _EMPTY)

    def series_shortage(self) -> pl.DataFrame:
        """Shortage (FTE, 80 % interval) of the node shown; empty when not forecast."""
        return self._shortage.get(self.series or "", _EMPTY)

    def series_metrics(self) -> pl.DataFrame:
        """Backtest metrics per model of the series shown (from the latest registry run)."""
        return self._metrics.get(self.unique_id or "", _EMPTY)

    # Options -----------------------------------------------------------------

    def _name(self, code: str, column: str = "") -> str:
        if code == ALL:
            return label(f"all_{column.removesuffix('_code')}", self.current_language)
        return self.names.get(code, self.current_language.value)

    def _options(self, column: str, **filters: object) -> list[tuple[str, str]]:
        frame = self.keys
        for key, value in filters.items():
            if value is None:
                return []
            frame = frame.filter(pl.col(key) == value)
        codes = frame[column].unique().to_list()
        return sorted(
            ((self._name(c, column), c) for c in codes),
            key=lambda option: (option[1] != ALL, option[0].lower()),
        )

    def _fill_options(self) -> None:
        with self.quietly():
            set_options(self.region, self._options("region_code"))
            set_options(self.sector, self._options("sector_code", region_code=self.region.value))
            set_options(
                self.profession,
                self._options(
                    "profession_code", region_code=self.region.value, sector_code=self.sector.value
                ),
            )

    def _on_filter(self) -> None:
        self._fill_options()
        self.refresh()

    def _on_language(self) -> None:
        language = self.current_language
        self.region.description = label("region", language)
        self.sector.description = label("sector", language)
        self.profession.description = label("profession", language)
        self.show_components.description = label("show_components", language)
        self._fill_options()
        self.refresh()

    # Drawing -----------------------------------------------------------------

    def refresh(self) -> None:
        """Redraw everything for the series and language chosen in the widgets."""
        self._draw()
        if self.show_components.value and self.components_figure is not None:
            self._draw_components(self.components_figure)
            self.show(self.components_plot, self.components_figure)

    def series_components(self) -> pl.DataFrame:
        """Prophet's trend and yearly season of the series shown (empty without a saved model)."""
        uid = self.unique_id or ""
        if uid not in self._components:
            self._components[uid] = prophet_components(
                self.run, uid, horizon=self.series_forecast().height
            )
        return self._components[uid]

    def _on_components(self, change: dict[str, Any]) -> None:
        if not change["new"]:
            self.components_box.children = ()
            return
        self.components_figure = components_template()
        self._draw_components(self.components_figure)
        self.show(self.components_plot, self.components_figure)
        self.components_box.children = (self.components_plot,)

    def _draw_components(self, figure: go.Figure) -> None:
        language = self.current_language
        frame = self.series_components()
        with figure.batch_update():
            set_separators(figure, language)
            for trace, name in zip(figure.data, COMPONENTS, strict=True):
                trace.x = frame["ds"].to_list()
                trace.y = frame[name].to_list()
                trace.name = label(f"component_{name}", language)
            figure.layout.title = (
                label("components", language) if frame.height else label("no_data", language)
            )

    def draw_charts(self) -> None:
        """Draw the charts (a page built with ``charts=False`` shows its tiles first)."""
        self.charts_drawn = True
        self._draw()

    def show_preview(self) -> None:
        """Show the title, banner, source line and tiles as the page's first screen."""
        show_preview([self.title, self.banner, self.source], list(self.tiles.values()))

    def _draw(self) -> None:
        language = self.current_language
        history = self.series_history()
        forecast = self.series_forecast()
        metrics = self.series_metrics()
        self.headlines = series_headlines(history, forecast, metrics, self.series_shortage())
        self.title.value = (
            f"<h2 style='font-family:sans-serif'>{label('explorer_title', language)}</h2>"
        )
        self.banner.value = demo_banner_html(self.provenance, language)
        self.source.value = source_html(
            [staff_source(self.provenance, language), forecast_source(self.run.run_id, language)],
            self.provenance,
            language,
        )
        self.help.value = help_html(("help_interval", "help_demand", "help_error"), language)
        if self.charts_drawn:  # the charts first: their drawing in the browser takes longest
            self._draw_forecast(self.figure, history, forecast, language)
            self._draw_backtest(self.backtest_figure, metrics, language)
            self.show(self.forecast_plot, self.figure)
            self.show(self.backtest_plot, self.backtest_figure)
        self._show_headlines(self.headlines, language)
        self._show_model_details(language)
        self._show_notice(history, forecast, language)

    def _draw_forecast(
        self,
        figure: go.Figure,
        history: pl.DataFrame,
        forecast: pl.DataFrame,
        language: Language,
    ) -> None:
        supply = self.series_supply()
        sources = {
            "lo_95": (forecast, "yhat_lo_95", "interval_95"),
            "hi_95": (forecast, "yhat_hi_95", "interval_95"),
            "lo_80": (forecast, "yhat_lo_80", "interval_80"),
            "hi_80": (forecast, "yhat_hi_80", "interval_80"),
            "history": (history, "y", "history"),
            "forecast": (forecast, "yhat", "forecast"),
            "supply_lo_80": (supply, "fte_lo_80", "supply_interval_80"),
            "supply_hi_80": (supply, "fte_hi_80", "supply_interval_80"),
            "supply": (supply, "fte", "supply"),
        }
        unit = label("required_fte", language)
        with figure.batch_update():
            set_separators(figure, language)
            for trace, key in zip(figure.data, TRACES, strict=True):
                frame, column, name = sources[key]
                x = frame["ds"].to_list() if frame.height else []
                y = frame[column].to_list() if frame.height else []
                trace.x = x
                trace.y = y
                trace.name = label(name, language)
                if key not in ("history", "forecast", "supply"):
                    continue  # bands are not hovered: no hover texts to send
                trace.customdata = [
                    [format_month(day, language), format_number(value, digits=1, language=language)]
                    for day, value in zip(x, y, strict=True)
                ]
                trace.hovertemplate = (
                    f"%{{customdata[0]}}: %{{customdata[1]}} fte<extra>{trace.name}</extra>"
                )
            figure.layout.yaxis.title = unit
            figure.layout.title = self._series_title(language)

    def _series_title(self, language: Language) -> str:
        if self.series is None:
            return label("no_data", language)
        return " · ".join(
            self._name(code, column)
            for code, column in zip(
                (self.region.value, self.sector.value, self.profession.value), KEYS, strict=True
            )
        )

    def _draw_backtest(self, figure: go.Figure, metrics: pl.DataFrame, language: Language) -> None:
        table = backtest_table(metrics)
        models = table["model"].to_list()
        values = table["mase"].to_list()
        with figure.batch_update():
            set_separators(figure, language)
            bar = figure.data[0]
            bar.y = [model_label(m, language) for m in models]
            bar.x = values
            bar.marker.color = [
                COLOURS["bar_highlight"] if m == "chosen" else COLOURS["bar"] for m in models
            ]
            bar.text = [format_number(v, digits=2, language=language) for v in values]
            bar.hovertemplate = "%{y}: %{text}<extra></extra>"
            figure.layout.title = (
                f"{label('backtest', language)}: {self._series_title(language)}"
                if models
                else label("no_data", language)
            )
            figure.layout.yaxis.autorange = "reversed"

    def _show_headlines(self, headlines: Headlines, language: Language) -> None:
        interval = format_interval(headlines.end_lo_80, headlines.end_hi_80, language=language)
        fte = label("fte_unit", language)
        content = {
            "last_actual": (
                f"{format_number(headlines.last_actual, digits=0, language=language)} {fte}",
                format_month(headlines.last_month, language),
            ),
            "forecast_end": (
                f"{format_number(headlines.forecast_end, digits=0, language=language)} {fte}",
                f"{format_month(headlines.end_month, language)} · {interval}"
                if headlines.end_month
                else "",
            ),
            "change": (format_percent(headlines.change, signed=True, language=language), ""),
            "shortage_end": (
                signed_amount(headlines.shortage_end, "fte", language),
                format_interval_words(
                    headlines.shortage_end_lo_80,
                    headlines.shortage_end_hi_80,
                    "fte",
                    language=language,
                )
                if headlines.shortage_end is not None
                else label("no_supply", language),
            ),
            "mase_chosen": (
                format_number(headlines.mase_chosen, digits=2, language=language),
                f"{label('lower_is_better', language)} · {label('coverage', language)}: "
                f"{format_percent(headlines.coverage_80, digits=0, language=language)} / "
                f"{format_percent(headlines.coverage_95, digits=0, language=language)}"
                if headlines.coverage_80 is not None
                else "",
            ),
            "gain_over_naive": (
                format_percent(headlines.gain_over_naive, signed=True, language=language),
                "",
            ),
        }
        for name, (value, note) in content.items():
            set_tile(self.tiles[name], label(name, language), value, note)

    def _show_model_details(self, language: Language) -> None:
        choice = self._choices.get(self.unique_id or "")
        run = self.run
        if choice is None:
            self.model_details.value = empty_state_html(language)
            return
        rows = [
            (
                label("chosen_model", language),
                describe_mix(str(choice.get("weights") or choice.get("choice") or ""), language),
            ),
            (label("reason", language), explain_reason(str(choice.get("reason") or ""), language)),
            (
                label("run", language),
                f"{format_run(run.run_id, language)} · {label('version', language)} "
                f"{run.manifest.get('code_version', '')}",
            ),
        ]
        cells = "".join(
            f"<tr><th style='text-align:left;padding-right:12px'>{html.escape(k)}</th>"
            f"<td>{html.escape(v)}</td></tr>"
            for k, v in rows
        )
        self.model_details.value = (
            f"<table class='wf-model' style='font-family:sans-serif;font-size:13px'>{cells}</table>"
        )

    def _show_notice(
        self, history: pl.DataFrame, forecast: pl.DataFrame, language: Language
    ) -> None:
        if history.is_empty() and forecast.is_empty():
            self.notice.value = empty_state_html(language, NO_DATA_HINT[language])
        elif forecast.is_empty():
            self.notice.value = empty_state_html(
                language, f"{label('forecast', language)}: {NO_DATA_HINT[language]}"
            )
        else:
            self.notice.value = ""

    def _layout(self) -> widgets.VBox:
        controls = widgets.HBox(
            [self.region, self.sector, self.profession, self.language],
            layout=widgets.Layout(flex_flow="row wrap"),
        )
        tiles = widgets.HBox(list(self.tiles.values()), layout=widgets.Layout(flex_flow="row wrap"))
        details = widgets.HBox(
            [self.backtest_plot, self.model_details],
            layout=widgets.Layout(flex_flow="row wrap", align_items="flex-start"),
        )
        return widgets.VBox(
            [
                self.title,
                self.banner,
                self.source,
                controls,
                tiles,
                self.help,
                self.notice,
                self.forecast_plot,
                details,
                self.show_components,
                self.components_box,
            ],
            layout=widgets.Layout(width="100%"),
        )


_EMPTY = pl.DataFrame()


def _partition(frame: pl.DataFrame, column: str) -> dict[str, pl.DataFrame]:
    if frame.is_empty() or column not in frame.columns:
        return {}
    return {
        str(key[0]): part
        for key, part in frame.sort(column).partition_by(column, as_dict=True).items()
    }
