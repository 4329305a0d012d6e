"""Dashboards in a real Chromium through Playwright, shared by the browser tests and the benchmark.

Uses Debian's Chromium at ``/usr/bin/chromium``; no browser is ever downloaded.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

CHROMIUM = Path(os.environ.get("WORKFORCE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
PLOT = ".js-plotly-plot"

ERROR_TEXTS = ("Traceback", "Error", "Exception", "There was an error when executing")
"""Text that means a cell failed; Voila shows it instead of the output when tracebacks are off."""

PLOTS_DRAWN = """(count) => {
  const plots = Array.from(document.querySelectorAll('.js-plotly-plot'));
  return plots.length >= count && plots.every(p => Array.isArray(p.data) && p.data.length > 0);
}"""
"""True once ``count`` Plotly graphs are on the page, each with its traces."""

RENDERED = """(minPlots) => {
  const loading = document.getElementById('loading');
  if (loading && loading.style.display !== 'none') return false;
  if (!document.querySelector('.jupyter-widgets')) return false;
  const plots = Array.from(document.querySelectorAll('.js-plotly-plot'));
  return plots.length >= minPlots && plots.every(p => Array.isArray(p.data) && p.data.length > 0);
}"""
"""True once Voila's "Running..." spinner is gone, widgets are on the page and every Plotly
graph (at least ``minPlots``) holds its traces: the page a user can read and use."""

PLOT_COUNT = "() => document.querySelectorAll('.js-plotly-plot').length"

PLOT_DATA_JSON = """() => JSON.stringify(
  Array.from(document.querySelectorAll('.js-plotly-plot')).map(
    p => p.data.map(t => [Array.from(t.x || []), Array.from(t.y || [])])))"""
"""All plot data as one string, to notice any change."""

PLOT_DATA = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(
  p => p.data.map(t => ({name: t.name, x: Array.from(t.x || []), y: Array.from(t.y || [])})))"""
"""Every Plotly graph's traces (name, x, y) as the browser holds them (typed arrays as lists)."""

TRACE_CHANGED = """([plot, trace, before]) => {
  const data = document.querySelectorAll('.js-plotly-plot')[plot].data[trace];
  const y = Array.from(data.y || []);
  return y.length !== before.length || y.some((v, i) => Math.abs(v - before[i]) > 1e-9);
}"""
"""True once trace ``trace`` of graph ``plot`` no longer holds the values ``before``."""


def chromium_available() -> bool:
    """True when the system Chromium exists."""
    return CHROMIUM.is_file() or shutil.which(str(CHROMIUM)) is not None


def launch_chromium(playwright: Any) -> Any:
    """A headless Chromium browser from Playwright's sync API."""
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=list(CHROMIUM_ARGS)
    )
