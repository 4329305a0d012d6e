"""What the dashboards read: marts, precomputed forecasts and the latest registry run.

Every loader returns ``None`` (or an empty frame) for a file that is not there yet, so a
dashboard shows "geen gegevens" instead of an error. Dashboards never fit models.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from workforce.store import Store, StoreError

DATA_ENV = "WORKFORCE_DATA"
MODELS_ENV = "WORKFORCE_MODELS"
ALL = "*"
"""Key value of an aggregated level (all sectors, all professions), as in forecast node ids."""


def data_dir_from_env() -> Path:
    """``$WORKFORCE_DATA``, else ``data``: the folder the dashboard server was started for."""
    return Path(os.environ.get(DATA_ENV, "data"))


def models_dir_from_env() -> Path:
    """``$WORKFORCE_MODELS``, else ``models`` (where ``workforce forecast`` writes runs)."""
    return Path(os.environ.get(MODELS_ENV, "models"))


def _read_parquet(path: Path) -> pl.DataFrame | None:
    if not path.is_file():
        return None
    try:
        return pl.read_parquet(path)
    except (OSError, pl.exceptions.PolarsError):
        return None


def read_mart(data_dir: Path, name: str) -> pl.DataFrame | None:
    """``<data>/marts/<name>.parquet`` checked against its contract; ``None`` if absent or stale."""
    try:
        return Store(data_dir).read_mart(name)
    except StoreError:
        return None


def read_forecast(data_dir: Path, name: str) -> pl.DataFrame | None:
    """``<data>/forecasts/<name>.parquet`` checked against its contract; ``None`` if absent."""
    try:
        return Store(data_dir).read_forecast(name)
    except StoreError:
        return None


def _empty_metrics() -> pl.DataFrame:
    return pl.DataFrame(schema={"unique_id": pl.String, "model": pl.String, "mase": pl.Float64})


def _empty_choices() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "unique_id": pl.String,
            "choice": pl.String,
            "weights": pl.String,
            "reason": pl.String,
        }
    )


@dataclass(frozen=True)
class RegistryRun:
    """The tables of one forecast run folder (see ``workforce.forecast.registry.save_run``)."""

    run_id: str
    folder: Path | None
    metrics: pl.DataFrame = field(default_factory=_empty_metrics)
    choices: pl.DataFrame = field(default_factory=_empty_choices)
    manifest: dict[str, object] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        """True when there was no run to read."""
        return self.folder is None


NO_RUN = RegistryRun(run_id="", folder=None)


def _newest_run_folder(models_dir: Path) -> Path | None:
    """The newest run folder under ``models_dir`` (run ids sort by time), if any."""
    if not models_dir.is_dir():
        return None
    runs = sorted(p for p in models_dir.iterdir() if (p / "run.json").is_file())
    return runs[-1] if runs else None


def _manifest(folder: Path) -> dict | None:
    """A run folder's ``run.json``, or ``None`` when it cannot be read."""
    try:
        manifest = json.loads((folder / "run.json").read_text())
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) else None


def forecast_run_id(data_dir: Path) -> str:
    """The id of the newest forecast run, for a page's source line: from the models beside
    the data, else from ``$WORKFORCE_MODELS`` (``make run`` keeps them in the project's
    ``models/``). Empty when the data folder holds no forecast (a run elsewhere did not make
    these numbers) or no run can be read. Reads the run's description only."""
    if not Store(data_dir).forecast_path("shortage").is_file():
        return ""
    for models_dir in (Store(data_dir).models, models_dir_from_env()):
        folder = _newest_run_folder(models_dir)
        if folder is not None:
            manifest = _manifest(folder)
            return "" if manifest is None else str(manifest.get("run_id", folder.name))
    return ""


def latest_run(models_dir: Path) -> RegistryRun:
    """The newest run folder under ``models_dir`` (run ids sort by time), or :data:`NO_RUN`."""
    folder = _newest_run_folder(models_dir)
    manifest = _manifest(folder) if folder is not None else None
    if folder is None or manifest is None:
        return NO_RUN
    metrics = _read_csv(folder / "metrics.csv") if (folder / "metrics.csv").is_file() else None
    choices = _read_csv(folder / "choices.csv") if (folder / "choices.csv").is_file() else None
    return RegistryRun(
        run_id=str(manifest.get("run_id", folder.name)),
        folder=folder,
        metrics=metrics if metrics is not None else _empty_metrics(),
        choices=choices if choices is not None else _empty_choices(),
        manifest=manifest,
    )


def _read_csv(path: Path) -> pl.DataFrame | None:
    try:
        return pl.read_csv(path, infer_schema_length=None)
    except (OSError, pl.exceptions.PolarsError):
        return None


@dataclass(frozen=True)
class Names:
    """Screen names of codes (sector, profession, region) in Dutch and English."""

    nl: dict[str, str] = field(default_factory=dict)
    en: dict[str, str] = field(default_factory=dict)

    def get(self, code: str, language: str = "nl") -> str:
        """The name of ``code``, or the code itself when the reference does not know it."""
        names = self.en if language == "en" else self.nl
        return names.get(code, code)


def load_names() -> Names:
    """Names of sectors, professions and regions from the reference tables (codes if absent)."""
    from workforce.reference import ReferenceError, load_reference

    try:
        reference = load_reference()
    except (ReferenceError, OSError):
        return Names()
    nl: dict[str, str] = {}
    en: dict[str, str] = {}
    for table, key in (
        (reference.sectors, "sector_code"),
        (reference.professions, "profession_code"),
    ):
        nl.update(zip(table[key].to_list(), table["name_nl"].to_list(), strict=True))
        en.update(zip(table[key].to_list(), table["name_en"].to_list(), strict=True))
    regions = reference.municipalities.select("region_code", "region_name").unique()
    for code, name in regions.iter_rows():
        nl[code] = en[code] = name
    return Names(nl=nl, en=en)
