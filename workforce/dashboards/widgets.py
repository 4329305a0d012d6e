"""Shared dashboard pieces: headline tiles, the "geen gegevens" empty state, the house figure.

Charts are shown whole in ``Output`` widgets by :mod:`workforce.dashboards.app`.
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as widgets
import plotly.graph_objects as go
from plotly.basedatatypes import BaseFigure

from workforce.dashboards.format import Language, label

COLOURS = {
    "history": "#1f3b73",
    "forecast": "#d9480f",
    "band_80": "rgba(217, 72, 15, 0.25)",
    "band_95": "rgba(217, 72, 15, 0.12)",
    "supply": "#2b8a3e",
    "supply_band_80": "rgba(43, 138, 62, 0.18)",
    "bar": "#8aa1c1",
    "bar_highlight": "#d9480f",
}
OWN_COLOUR = COLOURS["bar_highlight"]
"""The colour of the chosen item (a profession, the viewer's own employer) among the others."""

_TILE_STYLE = (
    "border:1px solid #d0d7de;border-radius:6px;padding:8px 12px;min-width:170px;"
    "margin:0 8px 8px 0;background:#f6f8fa;font-family:sans-serif"
)
_GREY = "color:#57606a"


def tile_html(title: str, value: str, note: str = "") -> str:
    """The HTML of one headline tile: a small title, a big value and an optional note."""
    note_html = (
        f'<div style="font-size:11px;color:#57606a">{html.escape(note)}</div>' if note else ""
    )
    return (
        f'<div class="wf-tile" style="{_TILE_STYLE}">'
        f'<div class="wf-tile-title" style="font-size:12px;{_GREY}">{html.escape(title)}</div>'
        f'<div class="wf-tile-value" style="font-size:22px;font-weight:600">'
        f"{html.escape(value)}</div>"
        f"{note_html}</div>"
    )


def headline_tile(title: str, value: str, note: str = "") -> widgets.HTML:
    """A headline tile widget; update it with :func:`set_tile`."""
    return widgets.HTML(tile_html(title, value, note))


def set_tile(tile: widgets.HTML, title: str, value: str, note: str = "") -> None:
    """Show new content in a tile made by :func:`headline_tile`."""
    tile.value = tile_html(title, value, note)


def empty_state_html(language: Language = Language.nl, hint: str = "") -> str:
    """The "geen gegevens" message, with a hint on how to get data."""
    hint_html = f'<div style="font-size:12px">{html.escape(hint)}</div>' if hint else ""
    return (
        '<div class="wf-empty" style="padding:16px;color:#57606a;font-family:sans-serif">'
        f"<strong>{html.escape(label('no_data', language))}</strong>{hint_html}</div>"
    )


def empty_state(language: Language = Language.nl, hint: str = "") -> widgets.HTML:
    """A widget saying there is no data (instead of an error)."""
    return widgets.HTML(empty_state_html(language, hint))


def house_layout(*, height: int = 420) -> dict[str, Any]:
    """The house layout: Dutch separators, legend on top. Give it to ``update_layout`` as
    keywords: a whole ``Layout`` object there re-validates every property of its template
    (close to a second per figure)."""
    return {
        "height": height,
        "margin": {"l": 60, "r": 20, "t": 40, "b": 40},
        "separators": ",.",
        "template": "plotly_white",
        "legend": {"orientation": "h", "y": 1.08, "x": 0},
        "hovermode": "x unified",
    }


def base_figure(*, height: int = 420) -> go.Figure:
    """An empty figure with the house layout (:func:`house_layout`)."""
    return go.Figure(layout=go.Layout(**house_layout(height=height)))


def set_separators(figure: BaseFigure, language: Language) -> None:
    """Decimal and thousands separators of the figure's axes and hover labels."""
    figure.layout.separators = ",." if language is Language.nl else ".,"


def dropdown(description: str, options: list[tuple[str, str]]) -> widgets.Dropdown:
    """A labelled dropdown of ``(label, value)`` options, wide enough for Dutch names."""
    return widgets.Dropdown(
        description=description,
        options=options,
        value=options[0][1] if options else None,
        style={"description_width": "80px"},
        layout=widgets.Layout(width="460px"),
    )


def language_switch(language: Language = Language.nl) -> widgets.ToggleButtons:
    """The NL / EN buttons every page has."""
    return widgets.ToggleButtons(
        options=[("NL", Language.nl.value), ("EN", Language.en.value)],
        value=language.value,
        style={"button_width": "48px"},
    )
