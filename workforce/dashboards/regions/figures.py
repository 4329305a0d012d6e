"""The regions page's charts, drawn from the package's frames with names instead of codes."""

from __future__ import annotations

import math
from collections.abc import Sequence

import plotly.graph_objects as go
import polars as pl
from plotly.colors import sample_colorscale

from workforce.dashboards.format import Language, format_number
from workforce.dashboards.regions.texts import say
from workforce.dashboards.widgets import COLOURS, base_figure, set_separators
from workforce.privacy import SUPPRESSED, TOTAL
from workforce.regional.comparison import AREA
from workforce.regional.geo import Shape

MAP_SCALE = "Blues"
HIDDEN_COLOUR = "#c8ccd1"
OUTSIDE_COLOUR = "#f3f4f6"
LATITUDE_STRETCH = 1 / math.cos(math.radians(52.2))
"""Degrees of longitude per degree of latitude on the ground near Utrecht: keeps shapes true."""
TENSION_SCALE = [
    [0.0, "#2b8a3e"],
    [0.25 / 6, "#8ce99a"],
    [0.67 / 6, "#ffe066"],
    [1.5 / 6, "#ffa94d"],
    [4 / 6, "#e03131"],
    [1.0, "#862e9c"],
]
"""Colours of UWV's bands on a 0-6 ratio scale: very slack ... very tight."""


def comparison_figure(
    table: pl.DataFrame, region_names: dict[str, str], month_label: str, language: Language
) -> go.Figure:
    """Shortage share now, at the end of 2022 in the data and as published in 2022, per region."""
    figure = base_figure(height=380)
    names = [region_names.get(code, code) for code in table["region_code"]]
    for column, key, colour in (
        ("shortage_share", "now", COLOURS["forecast"]),
        ("shortage_share_2022", "data_2022", COLOURS["history"]),
        ("published_share_2022", "published_2022", COLOURS["bar"]),
    ):
        values = [None if v is None else 100 * v for v in table[column].to_list()]
        figure.add_bar(
            x=names,
            y=values,
            name=say(key, language, month=month_label),
            marker_color=colour,
            text=[None if v is None else format_number(v, digits=1, language=language) + "%"
                  for v in values],
            textposition="outside",
        )  # fmt: skip
    figure.update_layout(
        title={"text": say("comparison_title", language)}, barmode="group", hovermode="closest"
    )
    figure.update_yaxes(ticksuffix="%", rangemode="tozero")
    set_separators(figure, language)
    return figure


def _colour(value: float, low: float, high: float) -> str:
    position = 0.15 + 0.85 * ((value - low) / (high - low) if high > low else 1.0)
    return str(sample_colorscale(MAP_SCALE, [position])[0])


def map_figure(
    shapes: dict[str, Shape],
    region_outlines: dict[str, Shape],
    figures: pl.DataFrame,
    *,
    title: str,
    names: dict[str, str],
    language: Language,
) -> go.Figure:
    """Municipalities filled by ``people`` (hidden cells grey, municipalities outside the
    chosen regions pale), region borders drawn over them; a colour bar gives the scale."""
    figure = base_figure(height=520)
    cells = figures.filter(pl.col("municipality_code") != TOTAL)
    shown = cells.filter(~pl.col(SUPPRESSED))
    values = shown["people"].cast(pl.Float64).to_list()
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    people = dict(cells.select("municipality_code", "people").iter_rows())
    hidden = set(cells.filter(pl.col(SUPPRESSED))["municipality_code"])
    for code, shape in sorted(shapes.items()):
        name = names.get(code, shape.name)
        if code not in people:
            colour, hover = OUTSIDE_COLOUR, f"{name}: {say('other_region', language)}"
        elif code in hidden:
            colour, hover = HIDDEN_COLOUR, f"{name}: {say('hidden', language)}"
        else:
            value = float(people[code])
            colour = _colour(value, low, high)
            hover = f"{name}: {format_number(value, language=language)}"
        for ring in shape.rings:
            figure.add_scatter(
                x=[p[0] for p in ring], y=[p[1] for p in ring], mode="lines", fill="toself",
                fillcolor=colour, line={"color": "white", "width": 1}, name=name,
                hoveron="fills", text=hover, hoverinfo="text", showlegend=False,
            )  # fmt: skip
    for shape in region_outlines.values():
        for ring in shape.rings:
            figure.add_scatter(
                x=[p[0] for p in ring], y=[p[1] for p in ring], mode="lines",
                line={"color": "#1f2933", "width": 2}, hoverinfo="skip", showlegend=False,
            )  # fmt: skip
    centre = [shape.centre for shape in shapes.values()] or [(5.2, 52.1)]
    figure.add_scatter(
        x=[centre[0][0]], y=[centre[0][1]], mode="markers", hoverinfo="skip", showlegend=False,
        marker={"size": 0.1, "color": [low], "cmin": low, "cmax": high if high > low else low + 1,
                "colorscale": [[0, _colour(low, low, high)], [1, _colour(high, low, high)]],
                "showscale": True,
                "colorbar": {"thickness": 12, "len": 0.6, "tickformat": ","}},
    )  # fmt: skip
    figure.update_layout(title={"text": title}, hovermode="closest")
    figure.update_xaxes(visible=False)
    figure.update_yaxes(visible=False, scaleanchor="x", scaleratio=LATITUDE_STRETCH)
    set_separators(figure, language)
    return figure


def municipality_figure(
    figures: pl.DataFrame, *, title: str, names: dict[str, str], language: Language
) -> go.Figure:
    """Bars per municipality of the chosen regions, largest on top; hidden ones named at 0."""
    cells = figures.filter(pl.col("municipality_code") != TOTAL)
    shown = cells.filter(~pl.col(SUPPRESSED)).sort("people")
    hidden = cells.filter(pl.col(SUPPRESSED)).sort("municipality_code")
    figure = base_figure(height=max(320, 22 * cells.height + 80))
    figure.add_bar(
        y=[names.get(code, code) for code in shown["municipality_code"]],
        x=shown["people"].to_list(),
        orientation="h",
        marker_color=COLOURS["history"],
        name=title,
        showlegend=False,
    )
    if hidden.height:
        figure.add_bar(
            y=[names.get(code, code) for code in hidden["municipality_code"]],
            x=[0] * hidden.height,
            orientation="h",
            name=say("hidden", language),
            text=[say("hidden", language)] * hidden.height,
            textposition="outside",
            marker_color=HIDDEN_COLOUR,
            showlegend=False,  # each hidden bar says so itself
        )
    figure.update_layout(title={"text": title}, hovermode="closest", barmode="overlay")
    figure.update_xaxes(tickformat=",")  # 2.000, not 2k
    set_separators(figure, language)
    return figure


def tension_figure(
    tension: pl.DataFrame,
    regions: Sequence[str],
    *,
    title: str,
    region_names: dict[str, str],
    profession_names: dict[str, str],
    language: Language,
) -> go.Figure:
    """A heat map of open vacancies per newcomer, profession by region; hidden cells empty."""
    cells = tension.filter(
        pl.col("region_code").is_in(list(regions)) & (pl.col("profession_code") != TOTAL)
    )
    professions = sorted(
        cells["profession_code"].unique().to_list(),
        key=lambda code: str(profession_names.get(code, code)).lower(),
        reverse=True,
    )
    lookup = {
        (row["region_code"], row["profession_code"]): row for row in cells.iter_rows(named=True)
    }
    z, text = [], []
    for profession in professions:
        row_z, row_text = [], []
        for region in regions:
            cell = lookup.get((region, profession))
            ratio = None if cell is None or cell[SUPPRESSED] else cell["tension_ratio"]
            row_z.append(None if ratio is None else min(ratio, 6.0))
            row_text.append(
                say("hidden", language)
                if cell is None or cell[SUPPRESSED]
                else f"{format_number(ratio, digits=2, language=language)} ({cell['tension_band']})"
                if ratio is not None
                else "-"
            )
        z.append(row_z)
        text.append(row_text)
    figure = base_figure(height=max(360, 20 * len(professions) + 120))
    figure.add_heatmap(
        x=[region_names.get(code, code) for code in regions],
        y=[profession_names.get(code, code) for code in professions],
        z=z, text=text, hoverinfo="x+y+text", zmin=0, zmax=6, colorscale=TENSION_SCALE,
        colorbar={"thickness": 12},
    )  # fmt: skip
    figure.update_layout(title={"text": title}, hovermode="closest")
    set_separators(figure, language)
    return figure


def moves_figure(
    moves: pl.DataFrame,
    regions: Sequence[str],
    all_regions: Sequence[str],
    *,
    title: str,
    region_names: dict[str, str],
    language: Language,
) -> go.Figure:
    """Moves between regions in the last year, every pair with a chosen region on one side:
    bars by the region left, one colour per region joined."""
    figure = base_figure(height=360)
    touching = moves.filter(
        pl.col("from_region_code").is_in(list(regions))
        | pl.col("to_region_code").is_in(list(regions))
    ).sort("from_region_code")
    for target in all_regions:
        rows = touching.filter(pl.col("to_region_code") == target)
        if rows.is_empty():
            continue
        figure.add_bar(
            x=[region_names.get(code, code) for code in rows["from_region_code"]],
            y=rows["moves"].to_list(),
            name=say("moves_to", language, region=region_names.get(target, target)),
        )
    figure.update_layout(title={"text": title}, barmode="group", hovermode="closest")
    figure.update_yaxes(title={"text": say("moves", language)})
    set_separators(figure, language)
    return figure


__all__ = [
    "AREA",
    "comparison_figure",
    "map_figure",
    "moves_figure",
    "municipality_figure",
    "tension_figure",
]
