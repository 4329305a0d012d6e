"""Where a page's numbers come from: the source line, the reference date and the demo banner.

Every page says its sources and their date ("Bron: …, peildatum …"). The reference date is the
latest extract date of the files the marts were built from (``marts/run.json``). Data that come
from the generated demo region (``workforce generate``: a ``manifest.json`` written by
``workforce.synthetic`` beside the raw files) are announced by a banner on every page, so that
nobody takes a demo figure to a board.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workforce.dashboards.format import Language, format_date, format_run
from workforce.dashboards.page_text import text
from workforce.generator_manifest import manifest_above


@dataclass(frozen=True)
class Provenance:
    """What the marts were built from: demo data or not, when, and the latest extract date."""

    demo: bool = False
    built_at: dt.date | None = None
    reference_date: dt.date | None = None
    employers: int = 0


UNKNOWN = Provenance()


def read_provenance(data_dir: Path) -> Provenance:
    """The provenance of ``<data>/marts`` (:data:`UNKNOWN` when the marts say nothing)."""
    try:
        run = json.loads((data_dir / "marts" / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return UNKNOWN
    inputs = [item for item in run.get("inputs") or [] if isinstance(item, dict)]
    dates = [d for d in (_date(item.get("extract_date")) for item in inputs) if d is not None]
    folders = {
        folder
        for item in inputs
        if item.get("path")
        for folder in _input_folders(Path(str(item["path"])).parent, data_dir)
    }
    employers = {
        Path(str(item.get("path"))).stem.split("_")[0]
        for item in inputs
        if item.get("source") == "staff" and item.get("path")
    }
    return Provenance(
        demo=any(manifest_above(folder) is not None for folder in folders),
        built_at=_date(str(run.get("built_at", ""))[:10]),
        reference_date=max(dates) if dates else None,
        employers=len(employers),
    )


def _input_folders(folder: Path, data_dir: Path) -> list[Path]:
    """Where an input's folder may be: a relative path was relative to where ``workforce
    ingest`` ran (``data/raw/...`` from the project, beside the data folder), not to where a
    page's kernel runs (the dashboards folder)."""
    if folder.is_absolute():
        return [folder]
    return [folder, data_dir.resolve().parent / folder, data_dir.resolve() / folder]


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def demo_banner_html(provenance: Provenance, language: Language = Language.nl) -> str:
    """A banner saying the figures are the generated demo region's (empty for real data)."""
    if not provenance.demo:
        return ""
    return (
        "<div class='wf-demo' role='note' style='font-family:sans-serif;font-size:14px;"
        "background:#fff3bf;border:1px solid #f08c00;border-radius:6px;padding:8px 12px;"
        f"margin:0 0 8px 0'><strong>{html.escape(text('demo_title', language))}</strong> "
        f"{html.escape(text('demo_body', language))}</div>"
    )


def source_html(sources: list[str], provenance: Provenance, language: Language) -> str:
    """The page's source line: ``Bron: …; peildatum …`` (and who made the figures)."""
    date = (
        format_date(provenance.reference_date, language)
        if provenance.reference_date
        else text("date_unknown", language)
    )
    parts = [*sources, f"{text('reference_date', language)} {date}"]
    if provenance.demo:
        parts.append(text("demo_source", language))
    line = f"{text('source', language)}: " + "; ".join(parts)
    return (
        "<div class='wf-source' style='font-family:sans-serif;font-size:12px;color:#57606a;"
        f"margin:12px 0 4px 0'>{html.escape(line)}</div>"
    )


def staff_source(provenance: Provenance, language: Language) -> str:
    """The HR extracts as a source, with the number of employers when known."""
    if provenance.employers:
        return text("source_staff_n", language, n=provenance.employers)
    return text("source_staff", language)


def forecast_source(run_id: str, language: Language) -> str:
    """The source line's part on the forecast: when its model run was computed."""
    run = format_run(run_id, language) if run_id else text("date_unknown", language)
    return text("source_forecast", language, run=run)
