"""The model registry: one folder per run under ``models/`` with everything needed to trust it.

A run folder holds Prophet models as JSON (never pickle), the choice and weights per series, the
calibration table, the backtest metrics, the input data hash, the code version and a model card.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from pathlib import Path

import polars as pl

from workforce.csv_safety import write_csv
from workforce.forecast.engine_run import RunOutput
from workforce.forecast.prophet import ProphetForecaster
from workforce.markdown import markdown_table as render_markdown
from workforce.version import code_version


def data_hash(frame: pl.DataFrame) -> str:
    """SHA-256 of the input's ``unique_id, ds, y`` in a canonical order and encoding."""
    canonical = frame.select("unique_id", "ds", "y").sort("unique_id", "ds").write_csv()
    return hashlib.sha256(canonical.encode()).hexdigest()


def _safe_name(unique_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", unique_id)


def save_run(
    output: RunOutput,
    *,
    models_dir: Path,
    input_frame: pl.DataFrame,
    settings: dict[str, object],
    run_id: str | None = None,
    card_sections: tuple[str, ...] = (),
) -> Path:
    """Write a run folder and return its path; ``card_sections`` (Markdown) end the card."""
    run_id = run_id or dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    folder = models_dir / run_id
    (folder / "prophet").mkdir(parents=True, exist_ok=True)
    index = {}
    for result in output.results:
        if result.prophet_json is not None:
            name = f"{_safe_name(result.unique_id)}.json"
            (folder / "prophet" / name).write_text(result.prophet_json)
            index[result.unique_id] = f"prophet/{name}"
    write_csv(output.choices, folder / "choices.csv")
    write_csv(output.calibration, folder / "calibration.csv")
    write_csv(output.metrics, folder / "metrics.csv")
    manifest: dict[str, object] = {
        "run_id": run_id,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "data_hash": data_hash(input_frame),
        "code_version": code_version(),
        "frequency": output.frequency.value,
        "series": len(output.results),
        "settings": settings,
        "weights": {r.unique_id: r.weights for r in output.results},
        "prophet_models": index,
        "failures": output.failures,
    }
    (folder / "run.json").write_text(json.dumps(manifest, indent=2, default=str))
    card = model_card(output, manifest)
    (folder / "MODEL_CARD.md").write_text("\n".join([card, *card_sections]))
    return folder


def load_prophet(folder: Path, unique_id: str) -> ProphetForecaster:
    """The saved Prophet model of one series of a run."""
    manifest = json.loads((folder / "run.json").read_text())
    return ProphetForecaster.from_json((folder / manifest["prophet_models"][unique_id]).read_text())


def markdown_table(frame: pl.DataFrame, *, digits: int = 3) -> str:
    """A frame as a GitHub Markdown table, floats rounded (see :mod:`workforce.markdown`)."""
    return render_markdown(frame, digits=digits)


def model_card(output: RunOutput, manifest: dict[str, object]) -> str:
    """The model card: what was fitted, on which data, with which backtest results."""
    averages = output.averages.select(
        "model", "series", "mase", "smape", "rmsse", "bias", "coverage_80", "coverage_95"
    )
    choices = output.choices.group_by("choice").len().sort("len", descending=True)
    failures = output.failures
    return "\n".join(
        [
            f"# Model card: forecast run {manifest['run_id']}",
            "",
            f"- Created: {manifest['created']}",
            f"- Code version: {manifest['code_version']}",
            f"- Input data hash (SHA-256): `{manifest['data_hash']}`",
            f"- Series: {manifest['series']}, frequency {manifest['frequency']}",
            f"- Settings: `{json.dumps(manifest['settings'], default=str)}`",
            "",
            "## Backtest (rolling origin), averaged over series",
            "",
            "`chosen` is the forecast actually delivered: the engine's choice per series with",
            "calibrated intervals. MASE below 1 beats an in-sample seasonal naive forecast.",
            "",
            markdown_table(averages),
            "",
            "## Choices",
            "",
            markdown_table(choices),
            "",
            "Per-series choices, weights and reasons: `choices.csv`; calibration:",
            "`calibration.csv`; per-series metrics: `metrics.csv`; Prophet models: `prophet/`.",
            "",
            "## Problems",
            "",
            *(f"- {message}" for message in failures),
            *([] if failures else ["None."]),
            "",
        ]
    )
