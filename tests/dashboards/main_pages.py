"""A data folder for the regional-employer and training-alignment pages, prepared once.

A copy of the session's whole-region forecast (``region_forecast``) with the default intake
advice ``workforce forecast`` stores and the regional outputs of ``workforce regional`` beside
it; the shared fixture folder itself is left untouched.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from workforce.alignment.stored import write_default_advice
from workforce.regional.outputs import RegionalOutputs, write_regional


@dataclass(frozen=True)
class MainPagesData:
    """Where the data went and what ``workforce regional`` reported."""

    data_dir: Path
    regional: RegionalOutputs


_PREPARED: dict[Path, MainPagesData] = {}


def main_pages_data(
    region_forecast: Path, tmp_path_factory: pytest.TempPathFactory
) -> MainPagesData:
    """Marts, forecasts, models and regional outputs in a folder of their own (made once)."""
    if region_forecast not in _PREPARED:
        folder = tmp_path_factory.mktemp("main_pages")
        for name in ("marts", "forecasts", "models"):
            shutil.copytree(region_forecast / name, folder / name)
        write_default_advice(folder)  # as `workforce forecast` does
        _PREPARED[region_forecast] = MainPagesData(folder, write_regional(folder))
    return _PREPARED[region_forecast]
