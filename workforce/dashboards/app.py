"""The one pattern every dashboard page follows: widgets as state, whole figures in ``Output``s.

A page is an :class:`App`: its ``__init__`` takes frames (so tests build it from literal frames),
creates its controls and ``Output`` widgets, draws the first state and observes the controls;
``from_data_dir`` reads files; ``container`` is the one widget the notebook shows.

Charts are plain ``plotly.graph_objects.Figure``s kept on the App (``app.figure`` ...) and shown
whole in an ``ipywidgets.Output`` by setting its ``outputs`` (:func:`show_figure`) after every
change. Plotly's ``FigureWidget`` is not used: inside Voila its kernel-side updates did not reach
the browser reliably, and ``with output: fig.show()`` can lose the kernel's reply while a page
executes.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import ipywidgets as widgets
from plotly.basedatatypes import BaseFigure

PLOTLY_MIME = "application/vnd.plotly.v1+json"

Option = tuple[str, str]
"""A dropdown option: ``(label shown, value)``."""


def figure_output(layout: widgets.Layout | None = None) -> widgets.Output:
    """An empty ``Output`` a chart is shown in (see :func:`show_figure`).

    Full width unless ``layout`` says otherwise: without a width, Plotly redraws a chart at
    height 0 when the browser window is resized.
    """
    output = widgets.Output(layout=layout or widgets.Layout(width="100%"))
    output.add_class("wf-chart")
    return output


def figure_data(figure: BaseFigure) -> dict[str, Any]:
    """The Plotly JSON of ``figure`` as the browser's renderer takes it (responsive)."""
    return {**json.loads(figure.to_json()), "config": {"responsive": True}}


def show_figure(output: widgets.Output, figure: BaseFigure) -> None:
    """Show ``figure`` in ``output`` as one whole Plotly output, replacing what was there."""
    output.outputs = (
        {
            "output_type": "display_data",
            "metadata": {},
            "data": {PLOTLY_MIME: figure_data(figure), "text/plain": "<Figure>"},
        },
    )


def shown_figure(output: widgets.Output) -> dict[str, Any] | None:
    """The Plotly JSON an ``Output`` shows now (``None`` when it shows no chart)."""
    for item in output.outputs:
        data = item.get("data", {})
        if PLOTLY_MIME in data:
            return dict(data[PLOTLY_MIME])
    return None


def set_options(control: widgets.Dropdown, options: list[Option]) -> None:
    """New options, keeping the current value when it is still offered (else the first)."""
    current = control.value
    control.options = options
    values = [value for _, value in options]
    control.value = current if current in values else (values[0] if values else None)


class App:
    """The base of every page: the re-entry guard, option filling and chart drawing.

    Handlers registered with :meth:`on_change` do not run while the App itself changes
    controls (inside :meth:`quietly`), so refilling a dropdown does not redraw twice.
    Subclasses set :attr:`container` and keep each chart as a figure beside its ``Output``.
    """

    container: widgets.Box

    def __init__(self) -> None:
        self._updating = False

    @contextmanager
    def quietly(self) -> Iterator[None]:
        """Change controls without their handlers running."""
        before = self._updating
        self._updating = True
        try:
            yield
        finally:
            self._updating = before

    def fill(self, control: widgets.Dropdown, options: list[Option]) -> None:
        """Give ``control`` new options without triggering its handler."""
        with self.quietly():
            set_options(control, options)

    def on_change(self, control: widgets.Widget, handler: Callable[[], None]) -> None:
        """Call ``handler()`` when the user changes ``control``'s value."""

        def observe(_: dict[str, Any]) -> None:
            if not self._updating:
                handler()

        control.observe(observe, names="value")

    @staticmethod
    def show(output: widgets.Output, figure: BaseFigure) -> None:
        """Show ``figure`` whole in ``output``."""
        show_figure(output, figure)
