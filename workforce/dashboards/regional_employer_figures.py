"""The regional-employer page's figures before they hold data: traces, colours and axes."""

from __future__ import annotations

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from workforce.dashboards.widgets import COLOURS, base_figure, house_layout

FAN_TRACES = ("lo_95", "hi_95", "lo_80", "hi_80", "shortage", "scenario")
"""Traces of the shortage fan chart, in order: bands first, then the forecast and the scenario."""

SCENARIO_COLOUR = "#2b8a3e"


def fan_template() -> go.Figure:
    """The shortage (FTE) with 80 % and 95 % bands, and the scenario's shortage beside it."""
    figure = base_figure(height=400)
    band = {"mode": "lines", "line": {"width": 0}, "hoverinfo": "skip"}
    figure.add_scatter(name="lo_95", showlegend=False, **band)
    figure.add_scatter(name="hi_95", fill="tonexty", fillcolor=COLOURS["band_95"], **band)
    figure.add_scatter(name="lo_80", showlegend=False, **band)
    figure.add_scatter(name="hi_80", fill="tonexty", fillcolor=COLOURS["band_80"], **band)
    figure.add_scatter(name="shortage", mode="lines", line={"color": COLOURS["forecast"]})
    figure.add_scatter(
        name="scenario",
        mode="lines+markers",
        line={"color": SCENARIO_COLOUR, "dash": "dash"},
    )
    figure.update_xaxes(tickformat="%Y", dtick="M12")
    figure.update_yaxes(tickformat=",", zeroline=True, zerolinecolor="#888")
    figure.update_layout(margin={"t": 80}, legend={"y": 1.02, "yanchor": "bottom"})
    return figure


def sankey_template() -> go.Figure:
    """One Sankey trace (published flows only), "from" over its left and "to" over its right."""
    figure = base_figure(height=520)
    figure.add_trace(go.Sankey(arrangement="snap", node={"pad": 16, "thickness": 14}))
    figure.update_layout(hovermode="closest", margin={"t": 80, "l": 20, "r": 20})
    for x, anchor in ((0, "left"), (1, "right")):
        figure.add_annotation(
            x=x, y=1.06, xref="paper", yref="paper", xanchor=anchor, showarrow=False,
            font={"size": 13, "color": "#57606a"},
        )  # fmt: skip
    return figure


TREND_TRACES = ("retention_12", "turnover_rate", "mobility_rate", "days_to_fill")


def trends_template() -> go.Figure:
    """Three panels: retention of new hires, turnover vs mobility, median days to fill."""
    figure = make_subplots(rows=1, cols=3, horizontal_spacing=0.08)
    figure.update_layout(**house_layout(height=320))
    figure.add_scatter(row=1, col=1, mode="lines+markers", line={"color": COLOURS["history"]})
    figure.add_scatter(row=1, col=2, mode="lines+markers", line={"color": COLOURS["forecast"]})
    figure.add_scatter(row=1, col=2, mode="lines+markers", line={"color": SCENARIO_COLOUR})
    figure.add_scatter(row=1, col=3, mode="lines+markers", line={"color": COLOURS["bar"]})
    figure.update_yaxes(tickformat=".0%", row=1, col=1)
    figure.update_yaxes(tickformat=".0%", row=1, col=2)
    figure.update_yaxes(tickformat=",", row=1, col=3)
    figure.update_layout(hovermode="closest", margin={"t": 70})
    return figure


def retirement_template() -> go.Figure:
    """Bars: people reaching pension age per year; a line: cumulative share of today's staff."""
    figure = make_subplots(specs=[[{"secondary_y": True}]])
    figure.update_layout(**house_layout(height=320))
    figure.add_bar(marker={"color": COLOURS["bar"]}, secondary_y=False)
    figure.add_scatter(mode="lines+markers", line={"color": COLOURS["forecast"]}, secondary_y=True)
    figure.update_yaxes(tickformat=",", secondary_y=False)
    figure.update_yaxes(tickformat=".0%", dtick=0.05, secondary_y=True, rangemode="tozero")
    figure.update_layout(margin={"t": 70})
    return figure


def flex_template() -> go.Figure:
    """Grouped horizontal bars per profession: separate pools versus one regional pool."""
    figure = base_figure(height=420)
    figure.add_bar(orientation="h", marker={"color": COLOURS["bar"]})
    figure.add_bar(orientation="h", marker={"color": SCENARIO_COLOUR})
    figure.update_layout(barmode="group", hovermode="closest", margin={"l": 200, "t": 70})
    figure.update_xaxes(tickformat=",")
    figure.update_yaxes(autorange="reversed")
    return figure


def benchmark_template() -> go.Figure:
    """Horizontal bars per published employer, sorted, the viewer's own bar highlighted, each
    with its value; the region as a dashed line."""
    figure = base_figure(height=360)
    figure.add_bar(orientation="h", marker={"color": COLOURS["bar"]}, textposition="outside")
    figure.add_scatter(
        mode="lines", line={"color": COLOURS["forecast"], "dash": "dash"}, hoverinfo="skip"
    )
    figure.update_layout(hovermode="closest", showlegend=False, margin={"t": 60, "l": 110})
    figure.update_yaxes(dtick=1)
    return figure


def sick_leave_template() -> go.Figure:
    """Sick leave per quarter, as a share of working days."""
    figure = base_figure(height=320)
    figure.add_scatter(mode="lines+markers", line={"color": COLOURS["history"]})
    figure.update_yaxes(tickformat=".1%", rangemode="tozero")
    figure.update_layout(hovermode="closest", showlegend=False, margin={"t": 70})
    return figure
