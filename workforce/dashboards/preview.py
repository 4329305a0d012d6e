"""The headline tiles before the charts: a page's first screen while the rest is being built.

Voila shows a page only once every cell has run and the browser has drawn every widget, which
takes seconds. A dashboard notebook therefore builds its App with ``charts=False`` and shows
:func:`show_preview` in its first cell: plain HTML of the title, the demo banner, the source line
and the headline tiles, under a type of output of its own. The page server
(:class:`PreviewFilter` in :mod:`workforce.dashboards.voila_app`) turns that output into a
script that puts the HTML above Voila's spinner as soon as the cell has run. The second cell
draws the charts and shows the App; once its real tiles are on the page, the preview goes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

import ipywidgets as widgets

PREVIEW_MIME = "application/vnd.workforce.preview+html"
PREVIEW_ID = "wf-preview"

_OUTPUT_START = '<script type="application/vnd.voila.cell-output+json">'
_OUTPUT_BLOCK = re.compile(re.escape(_OUTPUT_START) + r"(?P<json>.*?)</script>", re.DOTALL)
_TILE_ROW = "display:flex;flex-flow:row wrap"

SHOW_SCRIPT = """<script>(function () {{
  var box = document.createElement('div');
  box.id = '{id}';
  box.style.padding = '8px 16px';
  box.innerHTML = {html};
  var loading = document.getElementById('loading');
  if (loading && loading.parentNode) {{ loading.parentNode.insertBefore(box, loading); }}
  else {{ document.body.insertBefore(box, document.body.firstChild); }}
  var own = box.querySelectorAll('.wf-tile').length;
  var timer = setInterval(function () {{
    if (document.querySelectorAll('.wf-tile').length > own) {{
      box.remove();
      clearInterval(timer);
    }}
  }}, 100);
}})();</script>"""
"""Puts the preview above the spinner and removes it once the page's own tiles are drawn."""


def preview_html(heading: Sequence[widgets.HTML], tiles: Sequence[widgets.HTML]) -> str:
    """The HTML of the ``heading`` widgets (title, banner, source) and a row of ``tiles``."""
    row = "".join(tile.value for tile in tiles)
    return "".join(part.value for part in heading) + f'<div style="{_TILE_ROW}">{row}</div>'


def show_preview(heading: Sequence[widgets.HTML], tiles: Sequence[widgets.HTML]) -> None:
    """Show the preview as the cell's output (empty text where no page server reads it)."""
    from IPython.display import display

    display({PREVIEW_MIME: preview_html(heading, tiles), "text/plain": ""}, raw=True)


def _script_json(value: str) -> str:
    """``value`` as a JavaScript string literal that cannot close the script element."""
    return json.dumps(value).replace("</", "<\\/")


def preview_script(html: str) -> str:
    """The inline script that shows ``html`` above the spinner (see :data:`SHOW_SCRIPT`)."""
    return SHOW_SCRIPT.format(id=PREVIEW_ID, html=_script_json(html))


def _preview_of(block: str) -> str | None:
    """The preview HTML of one cell-output block, if it is a preview."""
    try:
        output = json.loads(block)
    except ValueError:
        return None
    data = output.get("data") if isinstance(output, dict) else None
    value = data.get(PREVIEW_MIME) if isinstance(data, dict) else None
    return value if isinstance(value, str) else None


class PreviewFilter:
    """Rewrites a page's HTML as Voila streams it: a preview output becomes its script.

    Voila writes each cell output as a JSON block in a script element, possibly split over
    several chunks; text after the start of an unfinished block is held back until its end
    arrives. Everything else passes at once.
    """

    def __init__(self) -> None:
        self._held = ""

    def feed(self, chunk: str) -> str:
        """What to send now of ``chunk`` (and of what was held back before)."""
        text = self._held + chunk
        self._held = ""
        start = text.rfind(_OUTPUT_START)
        if start >= 0 and "</script>" not in text[start + len(_OUTPUT_START) :]:
            text, self._held = text[:start], text[start:]
        else:  # the chunk may end inside the start of a block
            for length in range(min(len(_OUTPUT_START) - 1, len(text)), 0, -1):
                if _OUTPUT_START.startswith(text[-length:]):
                    text, self._held = text[:-length], text[-length:]
                    break
        return _OUTPUT_BLOCK.sub(self._replace, text)

    def close(self) -> str:
        """Whatever is still held back (an unfinished block is sent as it is)."""
        held, self._held = self._held, ""
        return held

    @staticmethod
    def _replace(match: re.Match[str]) -> str:
        html = _preview_of(match.group("json"))
        return match.group(0) if html is None else preview_script(html)
