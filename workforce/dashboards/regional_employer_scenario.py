"""The regional-employer page's scenario sliders: the scenario engine, loaded on first use.

The sliders recompute the shortage with the scenario engine's fast path (no model is refitted).
Loading the outlook takes a while, so the engine is made on the first slider move; each
setting's result is kept, so moving a slider back costs nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import polars as pl

from workforce.dashboards.format import Language
from workforce.dashboards.page_text import text
from workforce.dashboards.regional_employer_data import LEVERS, levers_scenario
from workforce.scenario.recompute import ScenarioEngine

EngineFactory = Callable[[], ScenarioEngine | None]


def all_levels_engine(data_dir: Path) -> EngineFactory:
    """A factory that loads the outlook once, on the first slider move."""

    def make() -> ScenarioEngine | None:
        from workforce.outlook.outlook import saved_outlook

        outlook = saved_outlook(data_dir)
        return engine_for(outlook) if outlook is not None else None

    return make


SCENARIO_PATHS = 100
"""Simulated paths per slider setting: the chart shows the scenario's point shortage, which does
not depend on the paths; fewer paths keep a slider update near a quarter of a second."""


def engine_for(outlook: Any, *, paths: int = SCENARIO_PATHS) -> ScenarioEngine:
    """The scenario engine over every level of the hierarchy, one period per projected year."""
    levels = tuple(dict.fromkeys(outlook.hierarchy.nodes["level"].to_list()))
    return ScenarioEngine(outlook, paths=paths, levels=levels)


class ScenarioResults:
    """The scenario engine's results per slider setting, the engine made on first use."""

    def __init__(self, engine: EngineFactory | None) -> None:
        self._factory = engine
        self._engine: ScenarioEngine | None = None
        self._results: dict[tuple[object, ...], pl.DataFrame] = {}

    def recompute(self, values: dict[str, float], region: str | None = None) -> pl.DataFrame | None:
        """The shortage per node and year for the slider ``values``, the levers kept inside
        ``region`` when one is chosen (None at the baseline or without an outlook)."""
        if not any(values.values()):
            return None
        key = (region, *sorted(values.items()))
        if key not in self._results:
            if self._engine is None and self._factory is not None:
                self._engine = self._factory()
                self._factory = None
            if self._engine is None:
                return None
            self._results[key] = self._engine.recompute(levers_scenario(values, region))
        return self._results[key]


def lever_sliders(language: Language) -> dict[str, widgets.FloatSlider]:
    """One slider per lever (:data:`LEVERS`), at zero: the baseline."""
    return {
        kind: widgets.FloatSlider(
            value=0,
            min=low,
            max=high,
            step=step,
            description=text(f"lever_{kind}", language),
            continuous_update=False,
            readout_format=".0f" if float(step).is_integer() else ".1f",
            style={"description_width": "300px"},
            layout=widgets.Layout(width="600px"),
        )
        for kind, (low, high, step) in LEVERS.items()
    }


def label_sliders(sliders: dict[str, widgets.FloatSlider], language: Language) -> None:
    """The sliders' descriptions in ``language``."""
    for kind, slider in sliders.items():
        slider.description = text(f"lever_{kind}", language)


def slider_rows(heading: widgets.HTML, sliders: dict[str, widgets.FloatSlider]) -> widgets.VBox:
    """The heading above the sliders, two to a row."""
    row = list(sliders.values())
    return widgets.VBox([heading] + [widgets.HBox(row[i : i + 2]) for i in range(0, len(row), 2)])
