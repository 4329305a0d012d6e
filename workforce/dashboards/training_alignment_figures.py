"""The training-alignment page's figures before they hold data: traces, colours and axes."""

from __future__ import annotations

import plotly.graph_objects as go

from workforce.dashboards.widgets import COLOURS, base_figure

EXTRA_COLOUR = "#2b8a3e"


def gap_template() -> go.Figure:
    """Horizontal bars: gap in persons per profession at the horizon, 80 % interval as errors."""
    figure = base_figure(height=560)
    figure.add_bar(orientation="h", marker={"color": COLOURS["bar"]})
    figure.update_layout(hovermode="closest", showlegend=False, margin={"l": 230, "t": 60})
    figure.update_xaxes(tickformat=",", zeroline=True, zerolinecolor="#888")
    figure.update_yaxes(autorange="reversed")
    return figure


def graduates_template() -> go.Figure:
    """Stacked bars per graduation year: expected at today's intake, extra under the advice."""
    figure = base_figure(height=360)
    figure.add_bar(marker={"color": COLOURS["history"]})
    figure.add_bar(marker={"color": EXTRA_COLOUR})
    figure.update_layout(barmode="stack", margin={"t": 80})
    figure.update_yaxes(tickformat=",")
    figure.update_xaxes(dtick=1)
    return figure


def pipeline_template() -> go.Figure:
    """Lines per cohort year: completion and dropout rates of finished cohorts."""
    figure = base_figure(height=320)
    figure.add_scatter(mode="lines+markers", line={"color": COLOURS["history"]})
    figure.add_scatter(mode="lines+markers", line={"color": COLOURS["forecast"]})
    figure.update_yaxes(tickformat=".0%", rangemode="tozero")
    figure.update_xaxes(dtick=1)
    figure.update_layout(margin={"t": 80})
    return figure


def destinations_template() -> go.Figure:
    """Horizontal bars per programme: graduates hired in regional care per 100 graduates, and
    those still there a year later."""
    figure = base_figure(height=420)
    figure.add_bar(orientation="h", marker={"color": COLOURS["history"]})
    figure.add_bar(orientation="h", marker={"color": EXTRA_COLOUR})
    # The legend sits just above the bars, under the title, whatever the chart's height.
    figure.update_layout(
        barmode="group", margin={"l": 260, "t": 90}, legend={"y": 1.0, "yanchor": "bottom"}
    )
    figure.update_xaxes(tickformat=",")
    figure.update_yaxes(autorange="reversed")
    return figure
