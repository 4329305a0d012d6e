"""The explorer's figures before they hold data: traces, colours and axes."""

from __future__ import annotations

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from workforce.dashboards.widgets import COLOURS, base_figure, house_layout

TRACES = (
    "lo_95",
    "hi_95",
    "lo_80",
    "hi_80",
    "history",
    "forecast",
    "supply_lo_80",
    "supply_hi_80",
    "supply",
)
"""Traces of the forecast figure, in order: demand bands first, so lines draw on top; then the
projected supply (when ``workforce forecast`` wrote it) with its 80 % band."""


def forecast_template() -> go.Figure:
    """History, forecast and the 80 % and 95 % bands (each band a low and a filled high line)."""
    figure = base_figure(height=440)
    band = {"mode": "lines", "line": {"width": 0}, "hoverinfo": "skip"}
    figure.add_scatter(name="lo_95", showlegend=False, **band)
    figure.add_scatter(name="hi_95", fill="tonexty", fillcolor=COLOURS["band_95"], **band)
    figure.add_scatter(name="lo_80", showlegend=False, **band)
    figure.add_scatter(name="hi_80", fill="tonexty", fillcolor=COLOURS["band_80"], **band)
    figure.add_scatter(name="history", mode="lines", line={"color": COLOURS["history"]})
    figure.add_scatter(
        name="forecast", mode="lines", line={"color": COLOURS["forecast"], "dash": "dash"}
    )
    figure.add_scatter(name="supply_lo_80", showlegend=False, **band)
    figure.add_scatter(
        name="supply_hi_80", fill="tonexty", fillcolor=COLOURS["supply_band_80"], **band
    )
    figure.add_scatter(
        name="supply", mode="lines", line={"color": COLOURS["supply"], "dash": "dot"}
    )
    figure.update_xaxes(tickformat="%Y", dtick="M12")
    figure.update_yaxes(tickformat=",")
    figure.update_layout(margin={"t": 90}, legend={"y": 1.02, "yanchor": "bottom"})
    return figure


def backtest_template() -> go.Figure:
    """Horizontal bars: backtest MASE per model."""
    figure = base_figure(height=260)
    figure.add_bar(name="MASE", orientation="h")
    figure.update_layout(showlegend=False, hovermode="closest", margin={"l": 130})
    figure.update_xaxes(tickformat=",")
    return figure


def components_template() -> go.Figure:
    """Two stacked panels sharing the time axis: trend on top, yearly season below."""
    figure = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08)
    figure.update_layout(**house_layout(height=380))
    figure.add_scatter(row=1, col=1, mode="lines", line={"color": COLOURS["history"]})
    figure.add_scatter(row=2, col=1, mode="lines", line={"color": COLOURS["forecast"]})
    figure.update_xaxes(tickformat="%Y", dtick="M12")
    figure.update_yaxes(tickformat=",")
    figure.update_layout(margin={"t": 60})
    return figure
