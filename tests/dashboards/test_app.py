"""The App base: the re-entry guard, option filling and whole figures in Outputs."""

from __future__ import annotations

import ipywidgets as widgets
import plotly.graph_objects as go

from workforce.dashboards.app import App, figure_output, set_options, shown_figure


class Counter(App):
    """A page with one dropdown whose handler counts and one chart showing the choice."""

    def __init__(self) -> None:
        super().__init__()
        self.choice = widgets.Dropdown(options=[("a", "a"), ("b", "b")], value="a")
        self.figure = go.Figure(go.Bar(x=["a"], y=[1]))
        self.plot = figure_output()
        self.calls = 0
        self.on_change(self.choice, self.draw)
        self.draw()

    def draw(self) -> None:
        self.calls += 1
        self.figure.data[0].x = [self.choice.value]
        self.figure.layout.title = f"Gekozen: {self.choice.label}"
        self.show(self.plot, self.figure)


def test_a_user_change_redraws_once_and_the_output_shows_the_new_figure() -> None:
    page = Counter()
    assert page.calls == 1
    page.choice.value = "b"
    assert page.calls == 2
    shown = shown_figure(page.plot)
    assert shown is not None
    assert shown["data"][0]["x"] == ["b"]
    assert shown["layout"]["title"]["text"] == "Gekozen: b"


def test_refilling_options_keeps_the_choice_and_does_not_redraw() -> None:
    page = Counter()
    page.choice.value = "b"
    page.fill(page.choice, [("c", "c"), ("b", "b")])
    assert page.choice.value == "b"
    assert page.calls == 2
    page.fill(page.choice, [("c", "c")])
    assert page.choice.value == "c"
    assert page.calls == 2  # the App changed it, not the user
    with page.quietly():
        with page.quietly():
            page.choice.value = "c"
        assert page._updating  # the inner guard leaves the outer one in place


def test_set_options_falls_back_to_the_first_or_none() -> None:
    box = widgets.Dropdown(options=[("x", "x")], value="x")
    set_options(box, [("y", "y"), ("z", "z")])
    assert box.value == "y"
    set_options(box, [])
    assert box.value is None


def test_an_output_shows_one_whole_plotly_figure_and_nothing_else() -> None:
    output = figure_output()
    assert shown_figure(output) is None
    App.show(output, go.Figure(go.Scatter(x=[1, 2], y=[3, 4])))
    App.show(output, go.Figure(go.Scatter(x=[5], y=[6])))
    assert len(output.outputs) == 1
    shown = shown_figure(output)
    assert shown is not None
    assert shown["data"][0]["x"] == [5]
    assert "wf-chart" in output._dom_classes
