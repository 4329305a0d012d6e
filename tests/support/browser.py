"""Dashboards in a real Chromium through Playwright, shared by the browser tests and the benchmark.

Uses Debian's Chromium at ``/usr/bin/chromium``; no browser is ever downloaded.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Any

from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

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

FIRST_TILES = """() => {
  const tiles = Array.from(document.querySelectorAll('.wf-tile-value')).map(t => t.innerText);
  if (!tiles.length) return null;
  const drawn = Array.from(document.querySelectorAll('.js-plotly-plot'))
    .filter(p => Array.isArray(p.data) && p.data.length).length;
  return {tiles, drawn, preview: document.getElementById('wf-preview') !== null};
}"""
"""What the page shows in the first frame with a headline tile: the tiles' values, how many
charts are drawn and whether the tiles are the preview."""


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


FIGURES_SHOWN = """(expected) => {
  const same = (a, b) => a.length === b.length && a.every((v, i) => {
    const w = b[i];
    if (typeof v === 'number' && typeof w === 'number') {
      return Math.abs(v - w) <= 1e-6 * Math.max(1, Math.abs(w));
    }
    return v === w;
  });
  const signature = (t) => t.type === 'sankey'
    ? [Array.from((t.node && t.node.customdata) || []), Array.from((t.link && t.link.value) || [])]
    : [Array.from(t.x || []), Array.from(t.y || [])];
  const plots = Array.from(document.querySelectorAll('.js-plotly-plot'));
  if (plots.length !== expected.length) return false;
  return expected.every((figure, i) => {
    const plot = plots[i];
    if (!plot.layout || !Array.isArray(plot.data)) return false;
    const title = (plot.layout.title && plot.layout.title.text) || '';
    if (title !== figure.title || plot.data.length !== figure.traces.length) return false;
    return figure.traces.every((trace, j) => {
      const [a, b] = signature(plot.data[j]);
      return same(a, trace[0]) && same(b, trace[1]);
    });
  });
}"""
"""True once the page shows exactly the figures ``expected`` (see :func:`expected_figures`):
as many charts, each with the expected title and, per trace, its x and y (for a Sankey: its
node ids and link values)."""

SHOWN_FIGURES = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(p => ({
  title: (p.layout && p.layout.title && p.layout.title.text) || '',
  traces: (p.data || []).map(t => t.type === 'sankey'
    ? [Array.from((t.node && t.node.customdata) || []), Array.from((t.link && t.link.value) || [])]
    : [Array.from(t.x || []), Array.from(t.y || [])]),
}))"""
"""What the page shows, in the shape of :func:`expected_figures` (for failure messages)."""


def _plain(values: Any) -> list[Any]:
    """A Plotly JSON array as a list (typed arrays are stored as base64 ``bdata``)."""
    if values is None:
        return []
    if isinstance(values, dict) and "bdata" in values:
        import base64

        import numpy as np

        decoded = np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"])
        return [float(v) if decoded.dtype.kind == "f" else int(v) for v in decoded]
    return list(values)


def expected_figures(figures: list[Any]) -> list[dict[str, Any]]:
    """Titles and trace data of Plotly figures, as :data:`FIGURES_SHOWN` compares them."""
    import json

    shown = []
    for figure in figures:
        data = json.loads(figure.to_json())
        title = data.get("layout", {}).get("title", {})
        traces = []
        for trace in data.get("data", []):
            if trace.get("type") == "sankey":
                traces.append(
                    [
                        _plain(trace.get("node", {}).get("customdata")),
                        _plain(trace.get("link", {}).get("value")),
                    ]
                )
            else:
                traces.append([_plain(trace.get("x")), _plain(trace.get("y"))])
        shown.append(
            {"title": title.get("text", "") if isinstance(title, dict) else "", "traces": traces}
        )
    return shown


def chosen_label(select: Any) -> str:
    """The option a dropdown shows (ipywidgets renders spaces as non-breaking ones)."""
    label = select.evaluate("el => el.options[el.selectedIndex].text")
    return str(label).replace("\xa0", " ")


LOADS = 3
"""Fresh page loads per page in the filter tests."""

PageSpec = tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...]]
"""A page for :func:`follow_every_filter`: notebook, the App's dropdowns in page order, its
toggle buttons, and its figures in page order."""


FOLLOW_TIMEOUT_MS = 5_000
"""A filter's charts are on the page this soon (measured: about a second on a busy machine; a
language switch redraws every chart)."""


def _wait_shown(page: Any, app: Any, figures: tuple[str, ...], what: str) -> list[Any]:
    expected = expected_figures([getattr(app, name) for name in figures])
    try:
        page.wait_for_function(FIGURES_SHOWN, arg=expected, timeout=FOLLOW_TIMEOUT_MS)
    except PlaywrightTimeoutError:
        shown = page.evaluate(SHOWN_FIGURES)
        titles = [(s["title"], e["title"]) for s, e in zip(shown, expected, strict=False)]
        raise AssertionError(
            f"after {what}: charts did not follow; (shown, expected) {titles}"
        ) from None
    return expected


def follow_every_filter(
    browser: Any, url: str, app: Any, page_spec: PageSpec, load: int, render_timeout_ms: int
) -> None:
    """Change each filter of a fresh page; every chart's title and data must follow the App."""
    _, selects, toggles, figures = page_spec
    violations: list[str] = []
    elsewhere: list[str] = []
    origin = url.split("/voila/")[0]
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.on(
        "request",
        lambda request: (
            elsewhere.append(request.url)
            if request.url.startswith("http") and not request.url.startswith(origin)
            else None
        ),
    )
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    try:
        page.goto(url, timeout=render_timeout_ms)
        page.wait_for_function(RENDERED, arg=len(figures), timeout=render_timeout_ms)
        expected = _wait_shown(page, app, figures, "loading")
        dom_selects = page.locator(".widget-dropdown select")
        assert dom_selects.count() == len(selects)
        changed = 0
        for index, name in enumerate(selects):
            select = dom_selects.nth(index)
            count = select.locator("option").count()
            if count < 2:
                continue
            current = int(select.evaluate("el => el.selectedIndex"))
            target = (current + 1 + load) % count
            target = target if target != current else (current + 1) % count
            select.select_option(index=target)
            getattr(app, name).label = chosen_label(select)
            now = _wait_shown(page, app, figures, f"{name} = {chosen_label(select)}")
            assert now != expected, f"{name}: the filter changed no chart"
            expected, changed = now, changed + 1
        for name in toggles:
            control = getattr(app, name)
            other = next(label for label, value in control.options if value != control.value)
            page.get_by_role("button", name=other, exact=True).click()
            control.label = other
            now = _wait_shown(page, app, figures, f"{name} = {other}")
            assert now != expected, f"{name}: the toggle changed no chart"
            expected, changed = now, changed + 1
        assert changed >= len(selects) - 1
        # The page asks nothing of other servers (it works offline), and the policy refuses
        # nothing the page itself serves.
        assert not elsewhere, elsewhere
        own = [
            v
            for v in violations
            if not re.search(r"'https?://(?!" + re.escape(origin[7:]) + ")", v)
        ]
        assert not own, own
    finally:
        page.close()


SCROLL_HEIGHT = """() => Math.ceil(Math.max(document.body.scrollHeight,
  ...Array.from(document.querySelectorAll('.jupyter-widgets'))
    .map(e => e.getBoundingClientRect().bottom)) + 24)"""
"""The content's height: inside Voila the page scrolls in an inner container."""


def screenshot_page(page: Any, path: Path) -> None:
    """The first screen at 1440 x 900 as ``path`` and the whole page as ``<path>_full.png``;
    the page is left at 1400 x 1000."""
    path.parent.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1440, "height": 900})
    page.wait_for_timeout(1500)  # the charts redraw for the new width
    page.screenshot(path=str(path))
    height = page.evaluate(SCROLL_HEIGHT)
    page.set_viewport_size({"width": 1440, "height": max(900, min(int(height), 9000))})
    page.wait_for_timeout(1500)
    page.screenshot(path=str(path.with_name(f"{path.stem}_full.png")), full_page=True)
    page.set_viewport_size({"width": 1400, "height": 1000})
