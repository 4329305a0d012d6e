"""The headline preview: shown by the page server as soon as its cell has run."""

from __future__ import annotations

import json

import ipywidgets as widgets

from workforce.dashboards.preview import PREVIEW_MIME, PreviewFilter, preview_html
from workforce.dashboards.widgets import headline_tile

START = '<script type="application/vnd.voila.cell-output+json">'


def output_block(data: dict[str, str]) -> str:
    """A cell output as Voila's page template writes it (``tojson`` escapes ``<`` and ``>``)."""
    output = {"output_type": "display_data", "metadata": {}, "data": data}
    escaped = json.dumps(output).replace("<", "\\u003c").replace(">", "\\u003e")
    return f"{START}\n    {escaped}\n  </script>"


def stream(chunks: list[str]) -> str:
    page = PreviewFilter()
    return "".join(page.feed(chunk) for chunk in chunks) + page.close()


PREVIEW = preview_html(
    [widgets.HTML("<h2>De regio als één werkgever</h2>")],
    [headline_tile("Personeel", "41.930 personen")],
)


def test_a_preview_output_becomes_a_script_that_shows_its_tiles() -> None:
    page = stream(["<div>", output_block({PREVIEW_MIME: PREVIEW, "text/plain": ""}), "</div>"])
    assert PREVIEW_MIME not in page  # the page's own renderer never sees it
    assert START not in page
    script = page.removeprefix("<div><script>").removesuffix("</script></div>")
    assert "wf-preview" in script
    assert "getElementById('loading')" in script
    assert json.dumps(PREVIEW).replace("</", "<\\/") in script
    assert "</h2>" not in script  # the HTML cannot close the script element early


def test_a_block_split_over_chunks_is_held_back_until_complete() -> None:
    block = output_block({PREVIEW_MIME: PREVIEW, "text/plain": ""})
    page = PreviewFilter()
    first = page.feed("<p>kop</p>" + block[:40])
    assert first == "<p>kop</p>"  # what came before the block goes at once
    middle = page.feed(block[40:90])
    assert middle == ""
    rest = page.feed(block[90:] + "<p>voet</p>") + page.close()
    assert rest.startswith("<script>(function")
    assert rest.endswith("<p>voet</p>")
    assert "41.930 personen" in rest


def test_other_outputs_pass_unchanged() -> None:
    widget = output_block({"application/vnd.jupyter.widget-view+json": '{"model_id": "x"}'})
    chunks = [widget[:25], widget[25:], "<p>rest</p>"]
    assert stream(chunks) == widget + "<p>rest</p>"
